/**
 * Delete (rule 8): SPs exit; a multi-replica group exits with `exit all` on one running member
 * (the leader when known) while the others are waited for; then, for SP and BP groups, the
 * members and the group leave the catalog (the manual's scale-in, §8.2.1: SP_DROP_DPC_INSTANCE,
 * then SP_DROP_DPC_BP_RAFT / SP_DROP_DPC_RAFT).
 *
 * DM does not drop an instance of a RAFT group whose RAFT_ID table objects use (DM8 §5.10,
 * §8.8.4.3.1.1). The catalog shows where the user tablespaces are (DPC_TABLESPACE.RAFT_ID), so a
 * group that stores one is refused before anything stops; a tablespace with no table left is
 * refused too (the provider cannot tell, and the user drops it in one statement).
 */
import { CatalogView } from "../../catalog";
import { PlanError, phase, type Operation, type Phase, type Plan } from "../../ops";
import type { RaftGroupSpec } from "../../schema";
import { SQL } from "../../sql";
import { sqlOp, stopOp, waitStoppedOp } from "../common";
import { chooseLogin, type RaftGroupActual } from "./view";

/** What DM's refusal to drop an instance of a group holding data ([-8430] in the lab) asks the user to do. */
export const HOLDS_DATA_ADVICE =
  "move it to a RAFT group that stays (ALTER TABLESPACE ... MOVE TO), or drop its tables and the tablespace, then run up again";

export function planRaftGroupDelete(spec: RaftGroupSpec, actual: RaftGroupActual): Plan {
  const cat = actual.catalog ? new CatalogView(actual.catalog) : undefined;
  const raftRow = spec.role === "MP" ? undefined : cat?.raft(spec.name);
  const spaces = raftRow && cat ? cat.tablespacesOn(raftRow.id) : [];
  if (spaces.length > 0)
    throw new PlanError(
      `dm.RaftGroup ${spec.name}`,
      `${spec.name} holds user tablespace ${spaces.map((t) => t.name).join(", ")} (DPC_TABLESPACE): DM drops no instance of a RAFT group whose RAFT_ID table objects use (DM8 §5.10); ${HOLDS_DATA_ADVICE}; nothing was stopped or unregistered`,
    );
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
    out.push(...phase(`unregister ${spec.name}`, [sqlOp(chooseLogin(spec, cat, actual.loginVia), spec.sysdbaPassword, statements, "the group is deleted", `a refusal of SP_DROP_DPC_INSTANCE for data means table objects still use ${spec.name}: ${HOLDS_DATA_ADVICE}`)]));
  }
  return out;
}
