/**
 * A single-replica group: its catalog row, its member's registration and its process. A
 * registration that differs from the inputs is never modified in place (registration.ts): a
 * stopped SP (an SP replaced by a new database, say) leaves and re-enters the catalog with the
 * manual's online scale-in and scale-out statements (SP_DROP_DPC_INSTANCE, SP_DROP_DPC_RAFT,
 * SP_CREATE_DPC_RAFT, SP_CREATE_DPC_INSTANCE): an SP holds no data, and a new registration takes
 * effect at once; any other difference is refused.
 */
import type { CatalogInstance } from "../../catalog";
import { phase, type Plan } from "../../ops";
import type { MemberSpec } from "../../schema";
import { SQL } from "../../sql";
import { loginOf, sqlOp, startOp } from "../common";
import { refuseRegistrationChange, registrationDiff } from "./registration";
import type { GroupView } from "./view";

function reregistration(v: GroupView, m: MemberSpec, reg: CatalogInstance): string[] {
  if (registrationDiff(m, reg).length === 0) return [];
  if (v.spec.role === "SP" && !v.running(m))
    return [SQL.dropInstance(m.name), SQL.dropRaft(v.spec.name), SQL.createRaft("SP", v.spec.name), SQL.createInstance(v.registration(m))];
  refuseRegistrationChange(v, m, reg, v.spec.role === "SP" ? " (a stopped SP is re-registered instead; this one runs)" : "");
}

export function planSingle(v: GroupView): Plan {
  const m = v.spec.members[0];
  const reg = v.reg(m);
  const login = v.spec.role === "MP" ? loginOf(m) : v.mpLogin();
  const statements: string[] = [];
  if (v.spec.role !== "MP" && !v.raftRow) statements.push(SQL.createRaft(v.spec.role, v.spec.name));
  if (!reg) statements.push(SQL.createInstance(v.registration(m)));
  else statements.push(...reregistration(v, m, reg));
  const register = phase(`register ${v.spec.name}`, statements.length ? [sqlOp(login, v.password(), statements, reg ? "registration differs from the inputs" : `${m.name} is not registered in the MP`)] : []);
  const start = phase(`start ${v.spec.name}`, v.running(m) ? [] : [startOp(m, reg ? "not running" : "registered; first start")]);
  // The MP is started before anything can be registered in it (rule 1, 3); SP/BP register first (rule 4).
  return v.spec.role === "MP" ? [...start, ...register] : [...register, ...start];
}
