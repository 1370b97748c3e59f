/**
 * 4.x (tenant level) steps of a BackupPolicy, for each chosen user tenant: LOG_ARCHIVE_DEST and
 * DATA_BACKUP_DEST under `<dir>/<tenant>/`, archiving DOING, the delete policy for cleanup.
 * OceanBase refuses to change an archive destination unless archiving is STOP, and a data
 * destination while a backup job runs; so does the plan, before any step.
 */
import type { Operation } from "../core/operation";
import { sqlOp, waitOp, type Target } from "./commands";
import { ARCHIVE_WAIT_SECONDS, PlanRefusal, stopOrInterrupted, endpoint, windowDays, type ClusterSteps } from "./plan-common";
import { destUri, sameDest, withoutKeys } from "./storage";
import { keysVerdict, parseKeysFile, type KeyTarget } from "./keys";
import type { PolicyActual, TenantBackupState } from "./read";
import type { BackupPolicySpec } from "./schema";
import { SQL4 } from "./sql";

export const archiveUri = (spec: BackupPolicySpec, tenant: string) => destUri(spec.storage, `/${tenant}/log_archive`);
export const dataUri = (spec: BackupPolicySpec, tenant: string) => destUri(spec.storage, `/${tenant}/data`);

/** The user tenants the policy covers: the listed ones (each must exist) or all of them. */
export function chosenTenants(spec: BackupPolicySpec, a: PolicyActual): TenantBackupState[] {
  const all = a.cluster.tenants ?? [];
  if (spec.tenants === undefined) return all;
  return spec.tenants.map((name) => {
    const t = all.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!t) throw new PlanRefusal(`tenant ${name} is not a user tenant of this cluster (DBA_OB_TENANTS has ${all.map((x) => x.name).join(", ") || "none"})`);
    return t;
  });
}

/** 4.x's destinations with OSS keys: one per tenant (its two destinations share the storage's keys). */
export function keyTargets4(spec: BackupPolicySpec, a: PolicyActual): KeyTarget[] {
  return chosenTenants(spec, a).map((x) => {
    const dest = dataUri(spec, x.name);
    const set = x.dataDest !== "" && sameDest(x.dataDest, dest) && sameDest(x.archiveDest.path ?? "", archiveUri(spec, x.name));
    return { target: x.name, oss: spec.storage.oss, dest, set, settable: stopOrInterrupted(x.archiveStatus) && x.running.length === 0 };
  });
}

export function clusterSteps4(spec: BackupPolicySpec, a: PolicyActual, t: Target): ClusterSteps {
  const ep = endpoint(spec);
  const statements: string[] = [];
  const why: string[] = [];
  const wait: Operation[] = [];
  if (spec.secondary) throw new PlanRefusal(`secondary (backup of backups) is OceanBase 3.x's: ${a.cluster.version} has none (OceanBase 4.0 dropped BACKUP BACKUPSET / BACKUPPIECE). Remove secondary, or copy the backup storage with the storage's own tools`);
  const tenants = chosenTenants(spec, a);
  if (tenants.length === 0) throw new PlanRefusal("the cluster has no user tenant to back up (4.x backs up tenants, not sys)");
  const piece = `${spec.logBackup.pieceSwitchDays}d`;
  const applied = parseKeysFile(a.job.keys);
  const keys = keyTargets4(spec, a);
  const restart: string[] = [];
  const restartWhy: string[] = [];
  const interrupted = tenants.filter((x) => x.archiveStatus === "INTERRUPTED");
  tenants.forEach((x, i) => {
    const arch = archiveUri(spec, x.name);
    const data = dataUri(spec, x.name);
    const verdict = keysVerdict(applied, keys[i]);
    const reapply = verdict === "reapply";
    const rotated = verdict === "rotated" || reapply;
    const archOk = sameDest(x.archiveDest.path ?? "", arch) && (x.archiveDest.piece_switch_interval ?? "1d") === piece && !rotated;
    if (!archOk) {
      if (!stopOrInterrupted(x.archiveStatus)) {
        const what = rotated ? `the OSS keys of LOG_ARCHIVE_DEST ${withoutKeys(arch)} are not the ones declared (rotated)` : `LOG_ARCHIVE_DEST is ${JSON.stringify(withoutKeys(x.archiveDest.path ?? ""))} (piece ${x.archiveDest.piece_switch_interval ?? "-"})`;
        throw new PlanRefusal(`tenant ${x.name}: ${what} and archiving is ${x.archiveStatus}: OceanBase refuses to change the archive destination while archiving runs (1235), new keys too. Stop it (ALTER SYSTEM NOARCHIVELOG TENANT = ${x.name}, wait for STOP in CDB_OB_ARCHIVELOG), then run up again`);
      }
      statements.push(SQL4.setArchiveDest(arch, spec.logBackup.pieceSwitchDays, x.name));
      why.push(reapply ? `${x.name}: the archive destination was set before its OSS keys were recorded: set again with the declared keys` : rotated ? `${x.name}: the archive destination gets the rotated OSS keys` : `${x.name}: archive destination ${JSON.stringify(withoutKeys(x.archiveDest.path ?? ""))}, want ${withoutKeys(arch)}`);
    }
    if (!sameDest(x.dataDest, data) || rotated) {
      if (x.running.length > 0) throw new PlanRefusal(`tenant ${x.name}: ${rotated ? "the OSS keys of DATA_BACKUP_DEST changed" : `DATA_BACKUP_DEST is ${JSON.stringify(withoutKeys(x.dataDest))}`} and backup set ${x.running[0].setId} is running: OceanBase refuses to change it during a backup (9036). Wait for CDB_OB_BACKUP_JOBS to empty, then run up again`);
      statements.push(SQL4.setDataDest(data, x.name));
      why.push(reapply ? `${x.name}: the data destination is set again with the declared OSS keys` : rotated ? `${x.name}: the data destination gets the rotated OSS keys` : `${x.name}: data destination ${JSON.stringify(withoutKeys(x.dataDest))}, want ${withoutKeys(data)}`);
    }
    if (stopOrInterrupted(x.archiveStatus)) {
      restart.push(SQL4.archivelog(x.name));
      restartWhy.push(`${x.name}: archiving is ${x.archiveStatus}`);
    } else if (x.archiveStatus === "STOPPING") {
      throw new PlanRefusal(`tenant ${x.name}: log archiving is STOPPING (NOARCHIVELOG ran: by hand, or an up cut while it restarted an INTERRUPTED round): wait for STOP in CDB_OB_ARCHIVELOG, then run up again to turn it back on`);
    } else if (x.archiveStatus !== "DOING" && x.archiveStatus !== "BEGINNING" && x.archiveStatus !== "PREPARE") {
      throw new PlanRefusal(`tenant ${x.name}: log archiving is ${x.archiveStatus}: check that ${x.archiveDest.path ?? "the destination"} is mounted and writable on every OBServer; ALTER SYSTEM NOARCHIVELOG TENANT = ${x.name}, wait for STOP, then run up again`);
    }
    if (x.archiveStatus !== "DOING") {
      wait.push(waitOp(t, ep, SQL4.archiveStatus(x.id), "DOING", ARCHIVE_WAIT_SECONDS, { describe: `wait for tenant ${x.name}'s log archiving to be DOING`, reason: "a data backup may start only once archiving is DOING", hint: "see CDB_OB_ARCHIVELOG" }));
    }
    const want = windowDays(spec);
    if (want === 0 && x.recoveryWindowDays !== null) {
      statements.push(SQL4.dropDeletePolicy(x.name));
      why.push(`${x.name}: cleanup is off`);
    } else if (want > 0 && x.recoveryWindowDays !== want) {
      if (x.recoveryWindowDays !== null) statements.push(SQL4.dropDeletePolicy(x.name));
      statements.push(SQL4.addDeletePolicy(want, x.name));
      why.push(`${x.name}: delete policy window ${x.recoveryWindowDays ?? "none"}, want ${want}d`);
    }
  });
  // An interrupted round is restarted only once the storage works again from every OBServer host (keys, mounts).
  const testStorage = statements.some((s) => /_DEST =/.test(s)) || interrupted.length > 0 ? [spec.storage] : [];
  const stop = interrupted.length === 0 ? [] : [
    sqlOp(t, ep, interrupted.map((x) => SQL4.noarchivelog(x.name)), { describe: interrupted.map((x) => SQL4.noarchivelog(x.name)).join("; "), reason: `log archiving is INTERRUPTED for ${interrupted.map((x) => x.name).join(", ")} (see CDB_OB_ARCHIVELOG's COMMENT) and the storage test passed from every OBServer host: the round is stopped, then restarted (OceanBase starts a new round)` }),
    ...interrupted.map((x) => waitOp(t, ep, SQL4.archiveStatus(x.id), "STOP", ARCHIVE_WAIT_SECONDS, { describe: `wait for tenant ${x.name}'s log archiving to be STOP`, reason: "an interrupted round is started again from STOP", hint: "see CDB_OB_ARCHIVELOG" })),
  ];
  return { testStorage, statements, why, restart, restartWhy, wait, stop };
}

/**
 * Deleting the policy drops the tenants' delete policies (else the server would go on deleting
 * backups with no policy declaring it) and stops archiving only when asked. Backups stay.
 */
export function deleteSteps4(spec: BackupPolicySpec, a: PolicyActual, t: Target): Operation[] {
  const tenants = chosenTenants(spec, a);
  const statements = [
    ...tenants.filter((x) => x.recoveryWindowDays !== null).map((x) => SQL4.dropDeletePolicy(x.name)),
    ...(spec.stopArchivingOnDelete ? tenants.filter((x) => x.archiveStatus === "DOING" || x.archiveStatus === "BEGINNING").map((x) => SQL4.noarchivelog(x.name)) : []),
  ];
  if (statements.length === 0) return [];
  return [sqlOp(t, endpoint(spec), statements, { describe: statements.join("; "), reason: "the policy is deleted: the server stops expiring backups" + (spec.stopArchivingOnDelete ? "; stopArchivingOnDelete is set" : "") })];
}
