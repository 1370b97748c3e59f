/**
 * planRaftGroup: a RAFT group's catalog rows, its members' registration, the replica set-up of
 * a multi-replica group and its members' processes. The procedures live in ./raft/, one module
 * each: the group view (view.ts), the data copy every replica is made with (replica.ts), seed,
 * join, convert, remove, single, recovery (multi.ts) and delete.
 */
import { EMPTY_CATALOG } from "../catalog";
import { parseDmarchIni } from "../ini";
import { PlanError, phase, type Plan } from "../ops";
import type { RaftGroupSpec } from "../schema";
import { startOp } from "./common";
import { planMulti } from "./raft/multi";
import { planRemovals, refuseLeftMembers } from "./raft/remove";
import { planSingle } from "./raft/single";
import { GroupView, type RaftGroupActual } from "./raft/view";

export { planRaftGroupDelete } from "./raft/delete";
export { groupLogins, type RaftGroupActual } from "./raft/view";

export interface RaftGroupPlanOptions {
  /**
   * Nothing can be registered yet (the group's create): an unreadable catalog is taken as an
   * empty one. Otherwise an SP/BP group refuses to plan without the catalog.
   */
  readonly catalogMayBeEmpty?: boolean;
  /** The previous inputs: where members that are being removed live. */
  readonly olds?: RaftGroupSpec;
  /** Unique per plan: names this run's backup sets (hex, a DM identifier's tail). */
  readonly runId: string;
}

export function planRaftGroup(spec: RaftGroupSpec, actual: RaftGroupActual, opts: RaftGroupPlanOptions): Plan {
  const res = `dm.RaftGroup ${spec.name}`;
  if (!/^[0-9A-Za-z]{1,16}$/.test(opts.runId)) throw new PlanError(res, `not a run id: ${JSON.stringify(opts.runId)}`);
  refuseLeftMembers(spec, actual.members);
  let catalog = actual.catalog;
  if (catalog === null && opts.catalogMayBeEmpty) catalog = EMPTY_CATALOG;
  if (catalog === null) {
    if (spec.role !== "MP") throw new PlanError(res, "cannot read the MP catalog: is the MP group up?");
    // The MP catalog lives in the MPs: start them, and plan again once they answer.
    const stopped = spec.members.filter((m) => (actual.members[m.name]?.pids.length ?? 0) === 0);
    const multi = spec.members.length > 1;
    return phase(`start ${spec.name}`, stopped.map((m) => startOp(m, "MP not running (the catalog is read once it answers)", multi && actual.members[m.name]?.dmarchIni != null && parseDmarchIni(actual.members[m.name]!.dmarchIni!).selfId !== null)));
  }
  const v = new GroupView(spec, actual, catalog, opts.olds, opts.runId);
  return [...planRemovals(v), ...(v.multi ? planMulti(v) : planSingle(v))];
}
