/**
 * planBpGroup: a BP group and which BP RAFT groups are in it. Taking a RAFT group out of a BP
 * group loses no data and DM makes no data check there (the manual puts it on dropping the group's
 * instances: raft/delete.ts).
 */
import { CatalogView, type Catalog } from "../catalog";
import { PlanError, phase, type Plan } from "../ops";
import type { BpGroupSpec, MpLogin } from "../schema";
import { SQL } from "../sql";
import { sqlOp } from "./common";

export interface CatalogActual {
  readonly catalog: Catalog;
  /** The MP that answered the catalog read, when known. */
  readonly loginVia?: string;
}

export function pickLogin(logins: readonly MpLogin[], via: string | undefined, res: string): MpLogin {
  const l = logins.find((x) => x.name === via) ?? logins[0];
  if (!l) throw new PlanError(res, "no MP to log into");
  return l;
}

export function planBpGroup(spec: BpGroupSpec, actual: CatalogActual): Plan {
  const res = `dm.BpGroup ${spec.name}`;
  const cat = new CatalogView(actual.catalog);
  const group = cat.bpGroup(spec.name);
  const statements: string[] = [];
  const reasons: string[] = [];
  for (const r of spec.rafts) {
    const row = cat.raft(r);
    if (!row) throw new PlanError(res, `RAFT group ${r} is not registered in the MP (its dm.RaftGroup comes first)`);
    if (row.mode !== "BP") throw new PlanError(res, `RAFT group ${r} is a ${row.mode} group; a BP group holds BP RAFT groups only`);
  }
  const current = group ? group.raftIds.map((id) => cat.raftById(id)?.name ?? `#${id}`) : [];
  const want = new Set(spec.rafts.map((r) => r.toUpperCase()));
  const have = new Set(current.map((r) => r.toUpperCase()));
  if (!group) {
    statements.push(SQL.createBpGroup(spec.name, spec.description));
    reasons.push("the BP group does not exist");
  }
  for (const r of current.filter((x) => !want.has(x.toUpperCase()))) {
    statements.push(SQL.bpGroupDelRaft(spec.name, r));
    reasons.push(`${r} is no longer wanted`);
  }
  const adds = spec.rafts.filter((r) => !have.has(r.toUpperCase()));
  for (const r of adds) {
    // A RAFT group moving here from another BP group leaves that one first (DM refuses a RAFT
    // group in two BP groups); the other group's own update then finds it gone.
    const id = cat.raft(r)!.id;
    const other = actual.catalog.bpGroups.find((g) => g.raftIds.includes(id) && g.name.toUpperCase() !== spec.name.toUpperCase());
    if (other) {
      statements.push(SQL.bpGroupDelRaft(other.name, r));
      reasons.push(`${r} moves here from ${other.name}`);
    }
    statements.push(SQL.bpGroupAddRaft(spec.name, r));
  }
  if (adds.length) reasons.push(`${adds.join(", ")} not in the group`);
  return phase(`BP group ${spec.name}`, statements.length ? [sqlOp(pickLogin(spec.mp, actual.loginVia, res), spec.sysdbaPassword, statements, reasons.join("; "))] : []);
}

export function planBpGroupDelete(spec: BpGroupSpec, actual: CatalogActual): Plan {
  const res = `dm.BpGroup ${spec.name}`;
  const cat = new CatalogView(actual.catalog);
  const group = cat.bpGroup(spec.name);
  if (!group) return [];
  const rafts = group.raftIds.map((id) => cat.raftById(id));
  const statements = [...rafts.flatMap((r) => (r ? [SQL.bpGroupDelRaft(spec.name, r.name)] : [])), SQL.dropBpGroup(spec.name)];
  return phase(`drop BP group ${spec.name}`, [sqlOp(pickLogin(spec.mp, actual.loginVia, res), spec.sysdbaPassword, statements, "the BP group is deleted")]);
}
