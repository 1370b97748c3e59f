/**
 * A tenant-level backup policy on an OceanBase 4.x cluster: every user tenant (or the list in
 * the stack's `tenants` config) archives its log and takes a full backup on the 1st and 15th and
 * incrementals on the 8th and 22nd at 02:30 Shanghai time; the server's delete policy keeps 14
 * days. Storage is OSS (the stack's `oss` config and `ossAccessKey` secret; on the lab, the
 * lab's OSS stand-in): OceanBase writes there with the keys in its destination URI, and the
 * keys are tested from every OBServer host before anything is saved.
 */
import * as pulumi from "@pulumi/pulumi";
import { oceanbase } from "pulumi-dbcluster";
import { obTarget } from "../shared/oceanbase";

const t = obTarget();
const tenants = new pulumi.Config().getObject<string[]>("tenants");
if (!t.oss) throw new Error("ob-backup-4x backs up to OSS: set the stack's oss config and the ossAccessKey secret (see examples/shared/oceanbase.ts)");

const policy = new oceanbase.BackupPolicy("tenants", {
  name: "tenants",
  cluster: { connection: t.sqlHost, host: t.observer, port: t.sqlPort, password: t.rootPassword, servers: t.servers },
  storage: { name: "oss-backup", oss: t.oss },
  tenants,
  schedule: {
    period: "month",
    days: [{ day: 1, mode: "full" }, { day: 8, mode: "incremental" }, { day: 15, mode: "full" }, { day: 22, mode: "incremental" }],
    time: "02:30",
    timeZone: "Asia/Shanghai",
  },
  logBackup: { enabled: true, pieceSwitchDays: 1 },
  cleanup: { enabled: true, expiryDays: 14 },
  job: { connection: t.jobHost },
  stopArchivingOnDelete: true,
});

export const tenantStates = policy.observed.apply((o) => o.tenants);
