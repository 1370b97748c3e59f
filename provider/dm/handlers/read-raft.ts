/**
 * What a multi-replica group's running members say of their replication, read where DM8 shows
 * it: each member's own V$RLOG_RAFT_INFO (§12.17: its RAFT_SHADOW), and V$GLOBAL_RAFT_INFO on a
 * BP group's leader, which runs in BS mode and shows the whole cluster; the MP shows only the MP
 * group's rows (ch. 12), which the catalog read already has. One disql run per running member,
 * all at once, after the catalog read named the leader; if the leader's cluster-wide view fails,
 * one more run on another member for it.
 */
import type { RunContext } from "../../converge";
import { HostKeyMismatchError } from "../../core/errors";
import { redact } from "../../core/redact";
import { CatalogView, parseMemberRaft, withMemberReads, type Catalog, type MemberRaftRead } from "../catalog";
import { disqlCommand, type HostState } from "../commands";
import { targetOf } from "../ops";
import type { MemberSpec, RaftGroupSpec } from "../schema";
import { memberRaftScript } from "../sql";
import { execFor, stderrTail } from "./read";

/** `removed`: members the previous inputs had and these do not (whether one is a shadow decides if it may leave online). */
export async function readMemberRaft(
  ctx: RunContext,
  spec: RaftGroupSpec,
  catalog: Catalog | null,
  hosts: Readonly<Record<string, HostState>>,
  removed: readonly MemberSpec[] = [],
): Promise<Catalog | null> {
  if (!catalog || spec.members.length + removed.length < 2) return catalog;
  const view = new CatalogView(catalog);
  const raftId = spec.role === "MP" ? 0 : view.raft(spec.name)?.id;
  const leader = raftId === undefined ? undefined : view.leaderOf(raftId);
  const running = [...spec.members, ...removed].filter((m) => (hosts[m.name]?.pids.length ?? 0) > 0);
  const isLeader = (m: MemberSpec) => leader !== undefined && leader.name.toUpperCase() === m.name.toUpperCase();
  const reads = new Map(await Promise.all(running.map(async (m) => [m.name, await readOne(ctx, spec, m, spec.role !== "MP" && isLeader(m))] as const)));
  // The leader's cluster-wide view failed (or the MP names none): any other BS-mode member shows
  // it too (every BP of a multi-replica group runs in BS mode, `serverDpcMode`).
  if (spec.role !== "MP" && ![...reads.values()].some((r) => r.global !== null)) {
    for (const m of running.filter((x) => !isLeader(x) && reads.get(x.name)?.shadow !== null)) {
      const r = await readOne(ctx, spec, m, true);
      if (r.global === null) continue;
      reads.set(m.name, r);
      break;
    }
  }
  return withMemberReads(catalog, Object.fromEntries(reads));
}

async function readOne(ctx: RunContext, spec: RaftGroupSpec, m: MemberSpec, global: boolean): Promise<MemberRaftRead> {
  const t = targetOf(m.connection);
  try {
    const r = await execFor([{ ctx, connKey: t.connKey }], disqlCommand(m), memberRaftScript({ password: spec.sysdbaPassword, ip: m.ip, port: m.portNum }, global));
    const read = parseMemberRaft(r.stdout);
    // What is missing is then taken from elsewhere (another member, the previous inputs) or refused: say why.
    if (r.code !== 0 || !read.complete)
      ctx.log.info(
        `${m.name}@${t.host}: reading V$RLOG_RAFT_INFO${global ? " and V$GLOBAL_RAFT_INFO" : ""} ` +
          `${r.code !== 0 ? `failed (exit ${r.code})` : "stopped before its end marker"}: ${redact(stderrTail(r)) || "(no stderr)"}`,
      );
    return { shadow: read.shadow, global: read.global, bakUseAp: read.bakUseAp };
  } catch (err) {
    if (err instanceof HostKeyMismatchError) throw err;
    ctx.log.info(`${m.name}@${t.host}: V$RLOG_RAFT_INFO not readable: ${err instanceof Error ? err.message : String(err)}`);
    return { shadow: null, global: null };
  }
}
