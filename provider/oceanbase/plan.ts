/**
 * The BackupPolicy planner (pure): desired policy + actual state → phases of operations.
 * 3.x, cluster level: backup_dest and backup_dest_option, archiving DOING, and on the job host
 * the script, the defaults file and the cron block. OceanBase refuses to change the destination
 * while archiving runs or a backup job runs; so does the plan, before any step, saying why.
 */
import type { Operation, Plan } from "../core/operation";
import { connectionKey, parseConnection } from "../core/connection";
import { crontabOp, jobDirOf, jobFileOp, removeJobFilesOp, sqlOp, storageReadOp, storageWriteOp, waitOp, type SqlEndpoint, type Target } from "./commands";
import type { PolicyActual } from "./read";
import type { BackupPolicySpec } from "./schema";
import { clientCnf, jobScript, sha256 } from "./script";
import { SQL3, destOption, fileUri, parseOption } from "./sql";

export class PlanRefusal extends Error {
  override readonly name = "PlanRefusal";
}

export const ARCHIVE_WAIT_SECONDS = 120;
export const COMPACTION_WAIT_SECONDS = 3600;
const STORAGE_MARKER = ".pulumi-dbcluster-storage-test";

export function targets(spec: BackupPolicySpec): { cluster: Target; job: Target } {
  const c = parseConnection(spec.cluster.connection);
  const j = parseConnection(spec.job.connection);
  return { cluster: { host: c.host, connKey: connectionKey(c) }, job: { host: j.host, connKey: connectionKey(j) } };
}

export const endpoint = (spec: BackupPolicySpec): SqlEndpoint => ({ host: spec.cluster.host, port: spec.cluster.port, password: spec.cluster.password });

export function desiredDest(spec: BackupPolicySpec): string {
  return fileUri(spec.storage.file!.path);
}

export function desiredOption(spec: BackupPolicySpec): Record<string, string> {
  return parseOption(destOption({ recoveryWindowDays: spec.cleanup.enabled ? spec.cleanup.expiryDays : 0, pieceSwitchDays: spec.logBackup.pieceSwitchDays }));
}

const sameOption = (a: Record<string, string>, b: Record<string, string>) => Object.keys(b).every((k) => a[k] === b[k]);

/** Week days 1..7 (Sunday 7, as cron reads it), month days 1..31: one cron line per mode. */
export function cronBlock(spec: BackupPolicySpec, begin: string, end: string): string {
  const run = (arg: string) => `"$HOME"/'${jobDirOf(spec.name)}/run.sh' ${arg} >> "$HOME"/'${jobDirOf(spec.name)}/cron.out' 2>&1`;
  const [hh, mm] = spec.schedule.time.split(":").map(Number);
  const lines = [begin, `CRON_TZ=${spec.schedule.timeZone}`];
  for (const mode of ["full", "incremental"] as const) {
    const days = spec.schedule.days.filter((d) => d.mode === mode).map((d) => d.day).sort((a, b) => a - b);
    if (days.length === 0) continue;
    lines.push(spec.schedule.period === "week" ? `${mm} ${hh} * * ${days.join(",")} ${run(mode)}` : `${mm} ${hh} ${days.join(",")} * * ${run(mode)}`);
  }
  if (spec.cleanup.enabled) {
    const [ch, cm] = spec.cleanup.time.split(":").map(Number);
    lines.push(`${cm} ${ch} * * * ${run("cleanup")}`);
  }
  lines.push(end);
  return lines.join("\n");
}

export function expectedJob(spec: BackupPolicySpec, version: string) {
  const script = jobScript({ policy: spec.name, version, recoveryWindowDays: spec.cleanup.enabled ? spec.cleanup.expiryDays : 0, compactionWaitSeconds: COMPACTION_WAIT_SECONDS });
  const cnf = clientCnf(endpoint(spec));
  return { script, cnf };
}

function clusterSteps(spec: BackupPolicySpec, a: PolicyActual, t: Target): { storage: Operation[]; sql: Operation[]; wait: Operation[] } {
  const ep = endpoint(spec);
  const c = a.cluster;
  const dest = desiredDest(spec);
  const option = desiredOption(spec);
  const statements: string[] = [];
  const storage: Operation[] = [];
  const why: string[] = [];
  if (spec.secondary !== undefined) throw new PlanRefusal("secondary (backup of backups) is not built yet");
  if (c.backupDest !== dest) {
    if (c.running.length > 0) throw new PlanRefusal(`backup_dest is ${JSON.stringify(c.backupDest)} and backup set ${c.running[0].setId} is running: OceanBase refuses to change the destination during a backup (9036). Wait for it to finish (CDB_OB_BACKUP_PROGRESS), then run up again`);
    if (c.archiveStatus !== "STOP") throw new PlanRefusal(`backup_dest is ${JSON.stringify(c.backupDest)} and log archiving is ${c.archiveStatus} (round ${c.archiveRound}): OceanBase refuses to change the destination while archiving runs. To move the backups, stop archiving (ALTER SYSTEM NOARCHIVELOG, wait for STOP in CDB_OB_BACKUP_ARCHIVELOG), then run up again`);
    statements.push(SQL3.setBackupDest(dest));
    why.push(`backup_dest is ${JSON.stringify(c.backupDest)}, want ${dest}`);
    storage.push(storageWriteOp(t, spec.storage.file!.path, STORAGE_MARKER, spec.name));
  }
  if (!sameOption(c.backupDestOption, option)) {
    const pieceOn = (o: Record<string, string>) => (o.log_archive_piece_switch_interval ?? "0").replace(/d$/, "") !== "0";
    if (c.archiveStatus !== "STOP" && pieceOn(c.backupDestOption) !== pieceOn(option)) {
      throw new PlanRefusal(`turning log pieces on needs archiving stopped (OceanBase refuses to change the piece mode while it runs; archiving is ${c.archiveStatus}): ALTER SYSTEM NOARCHIVELOG, wait for STOP, then run up again`);
    }
    statements.push(SQL3.setBackupDestOption(destOption({ recoveryWindowDays: Number(option.recovery_window.replace(/d$/, "")), pieceSwitchDays: Number(option.log_archive_piece_switch_interval.replace(/d$/, "")) })));
    why.push(`backup_dest_option differs`);
  }
  const wait: Operation[] = [];
  const archiveQuery = SQL3.archiveStatus;
  if (c.archiveStatus === "STOP") {
    statements.push(SQL3.archivelog);
    why.push("log archiving is STOP");
  } else if (c.archiveStatus === "STOPPING") {
    throw new PlanRefusal("log archiving is STOPPING (someone ran NOARCHIVELOG): wait for STOP in CDB_OB_BACKUP_ARCHIVELOG and run up again to turn it back on");
  } else if (c.archiveStatus === "INTERRUPTED") {
    throw new PlanRefusal(`log archiving is INTERRUPTED: check that ${c.backupDest} is mounted and writable on every OBServer, then run ALTER SYSTEM NOARCHIVELOG, wait for STOP, and run up again`);
  }
  if (statements.includes(SQL3.archivelog) || c.archiveStatus === "BEGINNING") {
    wait.push(waitOp(t, ep, archiveQuery, "DOING", ARCHIVE_WAIT_SECONDS, { describe: "wait for log archiving to be DOING", reason: "a data backup may start only once archiving is DOING", hint: "see CDB_OB_BACKUP_ARCHIVELOG; the destination must be writable from every OBServer" }));
  }
  const sql = statements.length === 0 ? [] : [sqlOp(t, ep, statements, { describe: statements.join("; "), reason: why.join("; ") })];
  return { storage, sql, wait };
}

function jobSteps(spec: BackupPolicySpec, a: PolicyActual, t: Target, begin: string, end: string): Operation[] {
  const ops: Operation[] = [];
  const { script, cnf } = expectedJob(spec, a.cluster.version);
  const home = a.job.home;
  if (a.job.scriptSha256 !== sha256(script)) ops.push(jobFileOp(t, home, spec.name, "run.sh", script, 0o700, a.job.scriptSha256 ? "the job script differs from the policy's" : "no job script"));
  if (a.job.cnfSha256 !== sha256(cnf) || a.job.cnfMode !== "600") ops.push(jobFileOp(t, home, spec.name, "client.cnf", cnf, 0o600, a.job.cnfSha256 ? "the job's connection settings differ" : "no defaults file for the job"));
  const block = cronBlock(spec, begin, end);
  if (a.job.cron !== block) ops.push(crontabOp(t, spec.name, block + "\n", a.job.cron === "" ? "no cron entries for the policy" : "the cron entries differ from the schedule"));
  return ops;
}

export function planPolicy(spec: BackupPolicySpec, a: PolicyActual, begin: string, end: string): Plan {
  const t = targets(spec);
  const c = clusterSteps(spec, a, t.cluster);
  const storageRead = c.storage.length > 0 ? [storageReadOp(t.job, spec.storage.file!.path, STORAGE_MARKER, spec.name, t.cluster.host)] : [];
  return [
    { title: "test the backup storage (write)", operations: c.storage },
    { title: "test the backup storage (read from the job host)", operations: storageRead },
    { title: "backup destination and log archiving", operations: c.sql },
    { title: "wait for archiving", operations: c.wait },
    { title: "job host: script, defaults file, cron", operations: jobSteps(spec, a, t.job, begin, end) },
  ];
}

export function planPolicyDelete(spec: BackupPolicySpec, a: PolicyActual): Plan {
  const t = targets(spec);
  const job: Operation[] = [];
  if (a.job.cron !== "") job.push(crontabOp(t.job, spec.name, "", "the policy is deleted"));
  if (a.job.scriptSha256 !== null || a.job.cnfSha256 !== null) job.push(removeJobFilesOp(t.job, a.job.home, spec.name, "the policy is deleted (backup data is kept)"));
  const sql: Operation[] = [];
  if (spec.stopArchivingOnDelete && (a.cluster.archiveStatus === "DOING" || a.cluster.archiveStatus === "BEGINNING")) {
    sql.push(sqlOp(t.cluster, endpoint(spec), [SQL3.noarchivelog], { describe: SQL3.noarchivelog, reason: "stopArchivingOnDelete is set" }));
  }
  return [
    { title: "job host: remove the schedule", operations: job },
    { title: "stop log archiving", operations: sql },
  ];
}
