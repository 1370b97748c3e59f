/** planFaultDomain: a fault domain and which MP/BP instances are in it. */
import { CatalogView } from "../catalog";
import { PlanError, phase, type Plan } from "../ops";
import type { FaultDomainSpec } from "../schema";
import { SQL } from "../sql";
import { pickLogin, type CatalogActual } from "./bp-group";
import { sqlOp } from "./common";

export function planFaultDomain(spec: FaultDomainSpec, actual: CatalogActual): Plan {
  const res = `dm.FaultDomain ${spec.name}`;
  const cat = new CatalogView(actual.catalog);
  const domain = cat.faultDomain(spec.name);
  const statements: string[] = [];
  const reasons: string[] = [];
  if (!domain) {
    statements.push(SQL.createFaultDomain(spec.name, spec.description));
    reasons.push("the fault domain does not exist");
  } else if (domain.description !== spec.description) {
    statements.push(SQL.modifyFaultDomain(domain.id, null, spec.description));
    reasons.push("description differs");
  }
  const inside = domain ? actual.catalog.instances.filter((i) => i.faultDomainId === domain.id) : [];
  const want = new Set(spec.instances.map((n) => n.toUpperCase()));
  // Only instances in THIS domain are moved out; one moving to another domain is moved in there.
  const out = inside.filter((i) => !want.has(i.name.toUpperCase()));
  for (const i of out) statements.push(SQL.faultDomainMoveInstance(null, i.name));
  if (out.length) reasons.push(`${out.map((i) => i.name).join(", ")} no longer in it`);
  const raftsHere = new Map<number, string>();
  for (const n of spec.instances) {
    const inst = cat.instance(n);
    if (!inst) throw new PlanError(res, `instance ${n} is not registered in the MP (its dm.RaftGroup comes first)`);
    if (inst.mode === "SP") throw new PlanError(res, `${n} is an SP; fault domains take MP and BP instances only`);
    const other = raftsHere.get(inst.raftId);
    if (other) throw new PlanError(res, `${other} and ${n} are in one RAFT group; its members must be in different fault domains`);
    raftsHere.set(inst.raftId, n);
  }
  const moves = spec.instances.filter((n) => cat.instance(n)!.faultDomainId !== domain?.id || !domain);
  for (const n of moves) statements.push(SQL.faultDomainMoveInstance(spec.name, n));
  if (moves.length) reasons.push(`${moves.join(", ")} not in it`);
  return phase(`fault domain ${spec.name}`, statements.length ? [sqlOp(pickLogin(spec.mp, actual.loginVia, res), spec.sysdbaPassword, statements, reasons.join("; "))] : []);
}

export function planFaultDomainDelete(spec: FaultDomainSpec, actual: CatalogActual): Plan {
  const res = `dm.FaultDomain ${spec.name}`;
  const domain = new CatalogView(actual.catalog).faultDomain(spec.name);
  if (!domain) return [];
  const inside = actual.catalog.instances.filter((i) => i.faultDomainId === domain.id);
  const statements = [...inside.map((i) => SQL.faultDomainMoveInstance(null, i.name)), SQL.dropFaultDomain(spec.name, false)];
  return phase(`drop fault domain ${spec.name}`, [sqlOp(pickLogin(spec.mp, actual.loginVia, res), spec.sysdbaPassword, statements, "the fault domain is deleted")]);
}
