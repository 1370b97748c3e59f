/**
 * Delete (rule 8): SPs exit; a multi-replica group exits with `exit all` on one running member
 * (the leader when known) while the others are waited for; then, for SP and BP groups, the
 * members and the group leave the catalog. A BP group that held rows could not have left its BP
 * group (DM refuses SP_BP_GROUP_DEL_RAFT first, see bp-group.ts), so nothing is checked here.
 */
import { CatalogView } from "../../catalog";
import { phase, type Operation, type Phase, type Plan } from "../../ops";
import type { RaftGroupSpec } from "../../schema";
import { SQL } from "../../sql";
import { sqlOp, stopOp, waitStoppedOp } from "../common";
import { chooseLogin, type RaftGroupActual } from "./view";

export function planRaftGroupDelete(spec: RaftGroupSpec, actual: RaftGroupActual): Plan {
  const cat = actual.catalog ? new CatalogView(actual.catalog) : undefined;
  const raftRow = spec.role === "MP" ? undefined : cat?.raft(spec.name);
  const raftId = spec.role === "MP" ? 0 : raftRow?.id;
  const running = spec.members.filter((m) => (actual.members[m.name]?.pids.length ?? 0) > 0);
  const stops: Operation[] = [];
  if (spec.members.length > 1 && running.length > 0) {
    const leaderName = raftId === undefined ? undefined : cat?.leaderOf(raftId)?.name;
    const lead = running.find((m) => m.name.toUpperCase() === leaderName?.toUpperCase()) ?? running[0];
    stops.push(stopOp(lead, "exit all: the leader takes the whole group down in order (rule 8)", true));
    for (const m of running) if (m !== lead) stops.push(waitStoppedOp(m, `leaves with ${lead.name}'s exit all; a member that did not take part is stopped by the next step`));
  } else for (const m of running) stops.push(stopOp(m, "deleting the group"));
  const out: Phase[] = [...phase(`stop ${spec.name}`, stops)];
  if (spec.role !== "MP" && raftRow && cat) {
    const regs = cat.membersOf(raftRow.id);
    const statements = [...regs.map((r) => SQL.dropInstance(r.name)), spec.role === "BP" ? SQL.dropBpRaft(spec.name) : SQL.dropRaft(spec.name)];
    out.push(...phase(`unregister ${spec.name}`, [sqlOp(chooseLogin(spec, cat, actual.loginVia), spec.sysdbaPassword, statements, "the group is deleted")]));
  }
  return out;
}
