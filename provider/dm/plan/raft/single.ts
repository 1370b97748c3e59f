/**
 * A single-replica group: its catalog row, its member's registration and its process.
 *
 * A registration that differs from the inputs (ports, addresses) is where DM's
 * SP_MODIFY_DPC_INSTANCE would go, but DM applies that procedure only after the whole cluster
 * restarts (DM8 manual, SP_MODIFY_DPC_INSTANCE: "修改成功后需要重启全部环境"), which no single
 * resource can do. So:
 * - a stopped SP (an SP replaced by a new database, say) leaves and re-enters the catalog with
 *   the manual's online scale-in and scale-out statements (SP_DROP_DPC_INSTANCE,
 *   SP_DROP_DPC_RAFT, SP_CREATE_DPC_RAFT, SP_CREATE_DPC_INSTANCE): an SP holds no data, and a
 *   new registration takes effect at once;
 * - anything else is refused, saying what the user can do, and nothing is applied: no state
 *   ever claims a registration change DM has not taken.
 */
import type { CatalogInstance } from "../../catalog";
import { phase, type Plan } from "../../ops";
import type { MemberSpec } from "../../schema";
import { SQL } from "../../sql";
import { loginOf, sqlOp, startOp } from "../common";
import type { GroupView } from "./view";

/** What differs between the registration and the inputs, as `field: registered → wanted`. */
export function registrationDiff(m: MemberSpec, reg: CatalogInstance): string[] {
  const ext = m.ipExternal ?? m.ip;
  const out: string[] = [];
  if (reg.port !== m.portNum) out.push(`INST_PORT ${reg.port} → ${m.portNum}`);
  if (reg.apPort !== m.apPortNum) out.push(`XMAL_PORT ${reg.apPort} → ${m.apPortNum}`);
  if (reg.ipInternal !== m.ip) out.push(`IP_INTERNAL ${reg.ipInternal} → ${m.ip}`);
  if (reg.ipExternal !== ext && ext !== "") out.push(`IP_EXTERNAL ${reg.ipExternal} → ${ext}`);
  return out;
}

function reregistration(v: GroupView, m: MemberSpec, reg: CatalogInstance): string[] {
  const diff = registrationDiff(m, reg);
  if (diff.length === 0) return [];
  if (v.spec.role === "SP" && !v.running(m))
    return [SQL.dropInstance(m.name), SQL.dropRaft(v.spec.name), SQL.createRaft("SP", v.spec.name), SQL.createInstance(v.registration(m))];
  const ext = m.ipExternal ?? m.ip;
  const modify = SQL.modifyInstance(m.name, reg.ipInternal === m.ip ? "" : m.ip, reg.ipExternal === ext ? "" : ext, reg.apPort === m.apPortNum ? "" : m.apPortNum, reg.port === m.portNum ? "" : m.portNum);
  v.fail(
    `${m.name}'s registration in the MP differs from the inputs (${diff.join(", ")}). DM changes a registration with SP_MODIFY_DPC_INSTANCE and applies it only after ` +
      `the whole cluster restarts (DM8 manual), which this provider does not do on its own${v.spec.role === "SP" ? " (a stopped SP is re-registered instead; this one runs)" : ""}. ` +
      `Either put the inputs back to the registered values, or run \`${modify}\` on the MP, restart every instance (exit SP, BP, then MP; start MP, BP, then SP) and run \`pulumi up\` again; nothing was changed`,
  );
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
