/**
 * A member's registration (DPC_INSTANCE: ports, addresses) against the inputs. DM changes a
 * registration with SP_MODIFY_DPC_INSTANCE and applies it only after the whole cluster restarts
 * (DM8 manual: "修改成功后需要重启全部环境"), which no single resource can do; so the procedure is
 * never run, and a difference the group cannot remove otherwise (single.ts re-registers a
 * stopped SP) is refused before anything runs: no state ever claims a registration DM has not
 * taken.
 */
import type { CatalogInstance } from "../../catalog";
import type { MemberSpec } from "../../schema";
import { SQL } from "../../sql";
import type { GroupView } from "./view";

/** What differs between the registration and the inputs, as `field registered → wanted`. */
export function registrationDiff(m: MemberSpec, reg: CatalogInstance): string[] {
  const ext = m.ipExternal ?? m.ip;
  const out: string[] = [];
  if (reg.port !== m.portNum) out.push(`INST_PORT ${reg.port} → ${m.portNum}`);
  if (reg.apPort !== m.apPortNum) out.push(`XMAL_PORT ${reg.apPort} → ${m.apPortNum}`);
  if (reg.ipInternal !== m.ip) out.push(`IP_INTERNAL ${reg.ipInternal} → ${m.ip}`);
  if (reg.ipExternal !== ext && ext !== "") out.push(`IP_EXTERNAL ${reg.ipExternal} → ${ext}`);
  return out;
}

/** Refuses a registration difference, with the statement and the restart the user can run. */
export function refuseRegistrationChange(v: GroupView, m: MemberSpec, reg: CatalogInstance, why = ""): never {
  const ext = m.ipExternal ?? m.ip;
  const modify = SQL.modifyInstance(m.name, reg.ipInternal === m.ip ? "" : m.ip, reg.ipExternal === ext ? "" : ext, reg.apPort === m.apPortNum ? "" : m.apPortNum, reg.port === m.portNum ? "" : m.portNum);
  v.fail(
    `${m.name}'s registration in the MP differs from the inputs (${registrationDiff(m, reg).join(", ")}). DM changes a registration with SP_MODIFY_DPC_INSTANCE and applies it only after ` +
      `the whole cluster restarts (DM8 manual), which this provider does not do on its own${why}. ` +
      `Either put the inputs back to the registered values, or run \`${modify}\` on the MP, restart every instance (exit SP, BP, then MP; start MP, BP, then SP) and run \`pulumi up\` again; nothing was changed`,
  );
}

/** Every registered member of a multi-replica group must match its registration. */
export function refuseRegistrationChanges(v: GroupView): void {
  for (const m of v.spec.members) {
    const reg = v.reg(m);
    if (reg && registrationDiff(m, reg).length > 0) refuseRegistrationChange(v, m, reg);
  }
}
