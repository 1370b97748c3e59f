import type { Logic } from "../../converge";
import type { HostState } from "../commands";
import { parseIni } from "../ini";
import { diffInstance, planInstance, planInstanceDelete } from "../plan";
import type { InstanceSpec } from "../schema";
import { connectionSecrets, connectionsOf, validated } from "./common";
import { readHost } from "./read";

export const instanceLogic: Logic<InstanceSpec, HostState> = {
  kind: "dm:Instance",
  validate: (inputs, olds) => validated("Instance", inputs, olds),
  name: (s) => s.name,
  secrets: (s) => [s.sysdbaPassword, ...connectionSecrets([s])],
  connections: (s, olds) => connectionsOf(olds ? [s, olds] : [s]),
  read: (s, ctx) => readHost(ctx, s),
  plan: (s, actual, how) => planInstance(s, actual, { creating: how.creating }),
  planDelete: (s, actual) => planInstanceDelete(s, actual),
  // What the Instance owns: its directory and ini files. Its process belongs to its RaftGroup,
  // which starts it after this resource returns; reporting it here would make every refresh
  // after an up look like drift (the RaftGroup's `observed.members[].running` reports it).
  observe: (_s, a) => {
    const ini = a.dmIni === null ? null : parseIni(a.dmIni).global;
    return {
      databaseExists: a.dmIni !== null,
      dmIni: ini && { INSTANCE_NAME: ini.INSTANCE_NAME ?? null, PORT_NUM: ini.PORT_NUM ?? null, AP_PORT_NUM: ini.AP_PORT_NUM ?? null, DPC_MODE: ini.DPC_MODE ?? null },
      mpIni: a.mpIni,
    };
  },
  diff: (olds, news) => diffInstance(olds, news),
  // The new database would take the old one's ports (and maybe its path): stop the old first.
  deleteBeforeReplace: true,
};
