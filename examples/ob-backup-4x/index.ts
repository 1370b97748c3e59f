/**
 * A tenant-level backup policy on an OceanBase 4.x cluster: every user tenant (or the list in
 * the stack's `tenants` config) archives its log and takes a full backup on the 1st and 15th and
 * incrementals on the 8th and 22nd at 02:30 Shanghai time; the server's delete policy keeps 14
 * days. Storage is a directory mounted at the same path on every OBServer (NFS).
 */
import * as pulumi from "@pulumi/pulumi";
import { oceanbase } from "pulumi-dbcluster";
import { obTarget } from "../shared/oceanbase";

const t = obTarget();
const tenants = new pulumi.Config().getObject<string[]>("tenants");

const policy = new oceanbase.BackupPolicy("tenants", {
  name: "tenants",
  cluster: { connection: t.sqlHost, host: t.observer, port: t.sqlPort, password: t.rootPassword },
  storage: { name: "nfs-backup", file: { path: t.backupDir } },
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
