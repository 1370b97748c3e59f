/**
 * OCP's "backup now": one backup of the cluster (3.x) or its user tenants (4.x), after OCP's
 * prechecks. The stack's config (or, on the lab, OB_BACKUP_MODE / OB_BACKUP_TRIGGER /
 * OB_COMPACT) picks the mode, a trigger whose change runs it again, and whether to compact first.
 * Log archiving must be on: declare an oceanbase.BackupPolicy first (examples/ob-backup-policy).
 */
import * as pulumi from "@pulumi/pulumi";
import { oceanbase } from "pulumi-dbcluster";
import { obTarget } from "../shared/oceanbase";

const t = obTarget();
const config = new pulumi.Config();
const mode = (process.env.OB_BACKUP_MODE ?? config.get("mode") ?? "full") as "full" | "incremental";

const backup = new oceanbase.Backup("now", {
  name: "now",
  cluster: { connection: t.sqlHost, host: t.observer, port: t.sqlPort, password: t.rootPassword },
  mode,
  compactIfNeeded: (process.env.OB_COMPACT ?? config.get("compactIfNeeded") ?? "false") === "true",
  trigger: process.env.OB_BACKUP_TRIGGER ?? config.get("trigger") ?? "",
});

export const backupSet = backup.observed;
