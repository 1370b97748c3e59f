/**
 * Entry point of the dynamic-provider plugin: `sdk/internal/provider.ts` loads this module by
 * package name and asks for the provider of one resource kind. Kinds load lazily so that a
 * program using one family does not load the others.
 */
import type * as pulumi from "@pulumi/pulumi";
import { dynamicProviderFor, type Logic } from "./converge";

const LOGIC: Record<string, () => Logic<any, any>> = {
  "dm:Instance": () => require("./dm/handlers/instance").instanceLogic,
  "dm:RaftGroup": () => require("./dm/handlers/raft-group").raftGroupLogic,
  "dm:BpGroup": () => require("./dm/handlers/bp-group").bpGroupLogic,
  "dm:FaultDomain": () => require("./dm/handlers/fault-domain").faultDomainLogic,
  "opengauss:DisasterRecovery": () => require("./opengauss/handler").disasterRecoveryLogic,
  "oceanbase:BackupPolicy": () => require("./oceanbase/handlers/backup-policy").backupPolicyLogic,
  "oceanbase:Backup": () => require("./oceanbase/handlers/backup").backupLogic,
  "oceanbase:StandbyCluster": () => require("./oceanbase/standby/handler").standbyClusterLogic,
};

const cache = new Map<string, pulumi.dynamic.ResourceProvider>();

export function handlerFor(kind: string): pulumi.dynamic.ResourceProvider {
  let p = cache.get(kind);
  if (!p) {
    const load = LOGIC[kind];
    if (!load) throw new Error(`pulumi-dbcluster: unknown resource kind ${kind} (is the installed package older than the program?)`);
    p = dynamicProviderFor(load());
    cache.set(kind, p);
  }
  return p;
}
