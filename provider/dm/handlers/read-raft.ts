/**
 * What a multi-replica group's running members say of their replication, read where DM8 shows
 * it: each member's own V$RLOG_RAFT_INFO (§12.17: its RAFT_SHADOW), and V$GLOBAL_RAFT_INFO on a
 * BP group's leader, which runs in BS mode and shows the whole cluster; the MP shows only the MP
 * group's rows (ch. 12), which the catalog read already has. After the catalog read named the
 * leader: one remote command per host, running one disql per member on it at once, each bounded
 * (`disqlEachCommand`), hosts in parallel; if the leader's cluster-wide view fails, one more run
 * on another member for it.
 */
import type { RunContext } from "../../converge";
import { HostKeyMismatchError } from "../../core/errors";
import { redact } from "../../core/redact";
import type { ExecResult } from "../../core/ssh";
import { CatalogView, parseMemberRaft, withMemberReads, type Catalog, type MemberRaftRead } from "../catalog";
import { disqlEachCommand, disqlScripts, parseDisqlEach, RUN_TIMED_OUT, type HostState } from "../commands";
import { DEFAULTS } from "../defaults";
import { targetOf } from "../ops";
import type { MemberSpec, RaftGroupSpec } from "../schema";
import { memberRaftScript } from "../sql";
import { execFor, marker, stderrTail } from "./read";

/**
 * `removed`: members the previous inputs had and these do not (whether one is a shadow decides if
 * it may leave online). `runTimeoutMs`: each member's own bound; one that passes it did not answer.
 */
export async function readMemberRaft(
  ctx: RunContext,
  spec: RaftGroupSpec,
  catalog: Catalog | null,
  hosts: Readonly<Record<string, HostState>>,
  removed: readonly MemberSpec[] = [],
  runTimeoutMs: number = DEFAULTS.memberReadTimeoutMs,
): Promise<Catalog | null> {
  if (!catalog || spec.members.length + removed.length < 2) return catalog;
  const view = new CatalogView(catalog);
  const raftId = spec.role === "MP" ? 0 : view.raft(spec.name)?.id;
  const leader = raftId === undefined ? undefined : view.leaderOf(raftId);
  const running = [...spec.members, ...removed].filter((m) => (hosts[m.name]?.pids.length ?? 0) > 0);
  const isLeader = (m: MemberSpec) => leader !== undefined && leader.name.toUpperCase() === m.name.toUpperCase();
  const runSeconds = Math.ceil(runTimeoutMs / 1000);
  const reads = await readMembers(ctx, spec, runSeconds, running.map((m) => ({ m, global: spec.role !== "MP" && isLeader(m) })));
  // The leader's cluster-wide view failed (or the MP names none): any other BS-mode member shows
  // it too (every BP of a multi-replica group runs in BS mode, `serverDpcMode`).
  if (spec.role !== "MP" && ![...reads.values()].some((r) => r.global !== null)) {
    for (const m of running.filter((x) => !isLeader(x) && reads.get(x.name)?.shadow !== null)) {
      const r = (await readMembers(ctx, spec, runSeconds, [{ m, global: true }])).get(m.name)!;
      if (r.global === null) continue;
      reads.set(m.name, r);
      break;
    }
  }
  return withMemberReads(catalog, Object.fromEntries(reads));
}

interface Ask {
  readonly m: MemberSpec;
  /** Also V$GLOBAL_RAFT_INFO. */
  readonly global: boolean;
}

/** Every asked member read: one remote command per host (connection), hosts in parallel. */
async function readMembers(ctx: RunContext, spec: RaftGroupSpec, runSeconds: number, asks: readonly Ask[]): Promise<Map<string, MemberRaftRead>> {
  const byHost = new Map<string, Ask[]>();
  for (const a of asks) {
    const k = targetOf(a.m.connection).connKey;
    byHost.set(k, [...(byHost.get(k) ?? []), a]);
  }
  const onHosts = await Promise.all([...byHost].map(([connKey, onHost]) => readOnHost(ctx, spec, runSeconds, connKey, onHost)));
  return new Map(onHosts.flat());
}

async function readOnHost(ctx: RunContext, spec: RaftGroupSpec, runSeconds: number, connKey: string, asks: readonly Ask[]): Promise<[string, MemberRaftRead][]> {
  const host = targetOf(asks[0].m.connection).host;
  const frame = marker();
  const scripts = asks.map((a) => memberRaftScript({ password: spec.sysdbaPassword, ip: a.m.ip, port: a.m.portNum }, a.global));
  let r: ExecResult;
  try {
    r = await execFor([{ ctx, connKey }], disqlEachCommand(asks.map((a) => a.m), frame, runSeconds), disqlScripts(scripts));
  } catch (err) {
    if (err instanceof HostKeyMismatchError) throw err;
    for (const a of asks) ctx.log.info(`${a.m.name}@${host}: V$RLOG_RAFT_INFO not readable: ${err instanceof Error ? err.message : String(err)}`);
    return asks.map((a) => [a.m.name, { shadow: null, global: null }]);
  }
  const runs = parseDisqlEach(r.stdout, asks.length, frame);
  return asks.map((a, i) => {
    // A run cut short (or never begun) has no status of its own: the command's, and its stderr.
    const run = runs[i];
    const code = run?.code ?? r.code;
    const stderr = run && run.code !== null ? run.stderr : r.stderr;
    const read = parseMemberRaft(run?.stdout ?? "");
    // What is missing is then taken from elsewhere (another member, the previous inputs) or refused: say why.
    if (code !== 0 || run?.code === null || !read.complete) {
      const how = run?.code === RUN_TIMED_OUT ? `timed out after ${runSeconds} s` : code !== 0 ? `failed (exit ${code})` : "stopped before its end marker";
      ctx.log.info(`${a.m.name}@${host}: reading V$RLOG_RAFT_INFO${a.global ? " and V$GLOBAL_RAFT_INFO" : ""} ${how}: ${redact(stderrTail({ stderr })) || "(no stderr)"}`);
    }
    return [a.m.name, { shadow: read.shadow, global: read.global, bakUseAp: read.bakUseAp }];
  });
}
