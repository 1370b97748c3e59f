/**
 * 3.x (cluster level) steps of a BackupPolicy: backup_dest and backup_dest_option, archiving
 * DOING. OceanBase refuses to change the destination while archiving runs or a backup job runs;
 * so does the plan, before any step, saying why and what to do.
 */
import type { Operation } from "../core/operation";
import { sqlOp, waitOp, type Target } from "./commands";
import { ARCHIVE_WAIT_SECONDS, PlanRefusal, stopOrInterrupted, copyWindowDays, desiredOption, endpoint, type ClusterSteps } from "./plan-common";
import { destUri, sameDest, withoutKeys } from "./storage";
import { keysVerdict, parseKeysFile, type KeyTarget } from "./keys";

const sameOption = (a: Record<string, string>, b: Record<string, string>) => Object.keys(b).every((k) => a[k] === b[k]);
import type { PolicyActual } from "./read";
import type { BackupPolicySpec } from "./schema";
import { SQL3, backupBackupDestOption, copyExpiryDays, destOption } from "./sql";

/** 3.x's destinations with OSS keys: backup_dest, and backup_backup_dest (set again whatever archiving does). */
export function keyTargets3(spec: BackupPolicySpec, a: PolicyActual): KeyTarget[] {
  const c = a.cluster;
  const dest = destUri(spec.storage);
  const out: KeyTarget[] = [{ target: "backup_dest", oss: spec.storage.oss, dest, set: c.backupDest !== "" && sameDest(c.backupDest, dest), settable: stopOrInterrupted(c.archiveStatus) && c.running.length === 0 }];
  if (spec.secondary) {
    const second = destUri(spec.secondary.storage);
    out.push({ target: "backup_backup_dest", oss: spec.secondary.storage.oss, dest: second, set: c.backupBackupDest !== "" && sameDest(c.backupBackupDest, second), settable: true });
  }
  return out;
}

export function clusterSteps3(spec: BackupPolicySpec, a: PolicyActual, t: Target): ClusterSteps {
  const ep = endpoint(spec);
  const c = a.cluster;
  const dest = destUri(spec.storage);
  const option = desiredOption(spec);
  const statements: string[] = [];
  const testStorage: ClusterSteps["testStorage"] = [];
  const second = spec.secondary ? destUri(spec.secondary.storage) : "";
  let secondNow = c.backupBackupDest;
  const why: string[] = [];
  if (spec.tenants !== undefined) throw new PlanRefusal(`tenants is for OceanBase 4.x (tenant-level backup); ${a.cluster.version} backs up the whole cluster: remove tenants`);
  const applied = parseKeysFile(a.job.keys);
  const [primaryKeys, secondaryKeys] = keyTargets3(spec, a).map((k) => keysVerdict(applied, k));
  const moved = !sameDest(c.backupDest, dest);
  if (moved || primaryKeys === "rotated" || primaryKeys === "reapply") {
    const what = moved ? `backup_dest is ${JSON.stringify(withoutKeys(c.backupDest))}` : `the OSS keys of backup_dest ${withoutKeys(dest)} are not the ones declared (rotated)`;
    const todo = moved ? "To move the backups" : "To give it the new keys";
    if (c.running.length > 0) throw new PlanRefusal(`${what} and backup set ${c.running[0].setId} is running: OceanBase refuses to change the destination during a backup (9036). Wait for it to finish (CDB_OB_BACKUP_PROGRESS), then run up again`);
    if (!stopOrInterrupted(c.archiveStatus)) throw new PlanRefusal(`${what} and log archiving is ${c.archiveStatus} (round ${c.archiveRound}): OceanBase refuses to change the destination while archiving runs. ${todo}, stop archiving (ALTER SYSTEM NOARCHIVELOG, wait for STOP in CDB_OB_BACKUP_ARCHIVELOG), then run up again`);
    // OceanBase refuses a new backup_dest while backup_backup_dest is set (1235): clear it first.
    if (secondNow !== "") statements.push(SQL3.setBackupBackupDest(""));
    secondNow = "";
    statements.push(SQL3.setBackupDest(dest));
    why.push(moved ? `backup_dest is ${JSON.stringify(withoutKeys(c.backupDest))}, want ${withoutKeys(dest)}` : primaryKeys === "rotated" ? "backup_dest gets the rotated OSS keys" : "backup_dest was set before its OSS keys were recorded: set again with the declared keys");
    testStorage.push(spec.storage);
  }
  if (!sameOption(c.backupDestOption, option)) {
    const pieceOn = (o: Record<string, string>) => (o.log_archive_piece_switch_interval ?? "0").replace(/d$/, "") !== "0";
    if (!stopOrInterrupted(c.archiveStatus) && pieceOn(c.backupDestOption) !== pieceOn(option)) {
      throw new PlanRefusal(`turning log pieces on needs archiving stopped (OceanBase refuses to change the piece mode while it runs; archiving is ${c.archiveStatus}): ALTER SYSTEM NOARCHIVELOG, wait for STOP, then run up again`);
    }
    statements.push(SQL3.setBackupDestOption(destOption({ recoveryWindowDays: Number(option.recovery_window.replace(/d$/, "")), pieceSwitchDays: Number(option.log_archive_piece_switch_interval.replace(/d$/, "")) })));
    why.push(`backup_dest_option differs`);
  }
  if (!sameDest(secondNow, second) || (secondNow !== "" && (secondaryKeys === "rotated" || secondaryKeys === "reapply"))) {
    // Backup of backups (secondary): its own destination, tested like the primary one.
    statements.push(SQL3.setBackupBackupDest(second));
    if (spec.secondary) testStorage.push(spec.secondary.storage);
    why.push(`backup_backup_dest is ${JSON.stringify(withoutKeys(c.backupBackupDest))}, want ${JSON.stringify(withoutKeys(second))}`);
  }
  // The copies' expiry (backup_backup_dest_option): the server deletes expired copies itself. Without
  // a secondary nothing may go on deleting copies, so an auto-delete left there is turned off.
  const copyDays = copyExpiryDays(c.backupBackupDestOption);
  const wantDays = copyWindowDays(spec);
  if (copyDays !== wantDays && (spec.secondary || copyDays !== 0)) {
    statements.push(SQL3.setBackupBackupDestOption(backupBackupDestOption(wantDays)));
    why.push(`the copies of backup of backups ${copyDays > 0 ? `expire after ${copyDays} days` : Number.isNaN(copyDays) ? "expire by a window not in days" : "never expire"}, want ${wantDays > 0 ? `${wantDays} days` : "never"}`);
  }
  const wait: Operation[] = [];
  const archiveQuery = SQL3.archiveStatus;
  const restart: string[] = [];
  const stop: Operation[] = [];
  if (stopOrInterrupted(c.archiveStatus)) {
    restart.push(SQL3.archivelog);
  } else if (c.archiveStatus === "STOPPING") {
    throw new PlanRefusal("log archiving is STOPPING (NOARCHIVELOG ran: by hand, or an up cut while it restarted an INTERRUPTED round): wait for STOP in CDB_OB_BACKUP_ARCHIVELOG and run up again to turn it back on");
  }
  if (c.archiveStatus === "INTERRUPTED") {
    // Restarted only once the storage works again from every OBServer host (keys, mounts).
    if (testStorage.length === 0) testStorage.push(spec.storage);
    stop.push(
      sqlOp(t, ep, [SQL3.noarchivelog], { describe: SQL3.noarchivelog, reason: `log archiving is INTERRUPTED (round ${c.archiveRound}) and the storage test of ${withoutKeys(dest)} passed from every OBServer host: the round is stopped, then restarted (OceanBase starts a new round)` }),
      waitOp(t, ep, SQL3.archiveStatus, "STOP", ARCHIVE_WAIT_SECONDS, { describe: "wait for log archiving to be STOP", reason: "an interrupted round is started again from STOP", hint: "see CDB_OB_BACKUP_ARCHIVELOG" }),
    );
  }
  if (restart.length > 0 || c.archiveStatus === "BEGINNING") {
    wait.push(waitOp(t, ep, archiveQuery, "DOING", ARCHIVE_WAIT_SECONDS, { describe: "wait for log archiving to be DOING", reason: "a data backup may start only once archiving is DOING", hint: "see CDB_OB_BACKUP_ARCHIVELOG; the destination must be writable from every OBServer" }));
  }
  return { testStorage, statements, why, restart, restartWhy: restart.length > 0 ? [`log archiving is ${c.archiveStatus}`] : [], wait, stop };
}


export function deleteSteps3(spec: BackupPolicySpec, a: PolicyActual, t: Target): Operation[] {
  // Like 4.x's delete policies: once the policy is gone nothing goes on expiring its copies.
  const statements = copyExpiryDays(a.cluster.backupBackupDestOption) !== 0 ? [SQL3.setBackupBackupDestOption("")] : [];
  if (spec.stopArchivingOnDelete && (a.cluster.archiveStatus === "DOING" || a.cluster.archiveStatus === "BEGINNING")) statements.push(SQL3.noarchivelog);
  if (statements.length === 0) return [];
  const reason = [statements[0] !== SQL3.noarchivelog ? "the policy is deleted: the server stops expiring the copies" : "", spec.stopArchivingOnDelete ? "stopArchivingOnDelete is set" : ""].filter((x) => x !== "").join("; ");
  return [sqlOp(t, endpoint(spec), statements, { describe: statements.join("; "), reason })];
}
