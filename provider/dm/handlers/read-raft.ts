/**
 * What a multi-replica group's running members say of their replication, read where DM8 shows
 * it: each member's own V$RLOG_RAFT_INFO (§12.17: its RAFT_SHADOW), and V$GLOBAL_RAFT_INFO on a
 * BP group's leader, which runs in BS mode and shows the whole cluster; the MP shows only the MP
 * group's rows (ch. 12), which the catalog read already has. One disql run per running member,
 * all at once, after the catalog read named the leader.
 */
import type { RunContext } from "../../converge";
import { HostKeyMismatchError } from "../../core/errors";
import { CatalogView, parseMemberRaft, withMemberReads, type Catalog, type MemberRaftRead } from "../catalog";
import { disqlCommand, type HostState } from "../commands";
import { targetOf } from "../ops";
import type { RaftGroupSpec } from "../schema";
import { memberRaftScript } from "../sql";
import { execFor } from "./read";

export async function readMemberRaft(ctx: RunContext, spec: RaftGroupSpec, catalog: Catalog | null, hosts: Readonly<Record<string, HostState>>): Promise<Catalog | null> {
  if (!catalog || spec.members.length < 2) return catalog;
  const view = new CatalogView(catalog);
  const raftId = spec.role === "MP" ? 0 : view.raft(spec.name)?.id;
  const leader = raftId === undefined ? undefined : view.leaderOf(raftId);
  const running = spec.members.filter((m) => (hosts[m.name]?.pids.length ?? 0) > 0);
  const reads = await Promise.all(
    running.map(async (m): Promise<[string, MemberRaftRead]> => {
      const global = spec.role !== "MP" && leader !== undefined && leader.name.toUpperCase() === m.name.toUpperCase();
      const t = targetOf(m.connection);
      try {
        const r = await execFor([{ ctx, connKey: t.connKey }], disqlCommand(m), memberRaftScript({ password: spec.sysdbaPassword, ip: m.ip, port: m.portNum }, global));
        return [m.name, parseMemberRaft(r.stdout)];
      } catch (err) {
        if (err instanceof HostKeyMismatchError) throw err;
        ctx.log.info(`${m.name}@${t.host}: V$RLOG_RAFT_INFO not readable: ${err instanceof Error ? err.message : String(err)}`);
        return [m.name, { shadow: null, global: null }];
      }
    }),
  );
  return withMemberReads(catalog, Object.fromEntries(reads));
}
