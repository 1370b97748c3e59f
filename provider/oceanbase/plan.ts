/**
 * The BackupPolicy planner (pure): desired policy + actual state → phases of operations. The
 * cluster side comes from plan3.ts (3.x, cluster level) or plan4.ts (4.x, per tenant), chosen by
 * the version the server reports; the job host (script, defaults file, cron block) is the same.
 */
import type { Operation, Plan } from "../core/operation";
import { crontabOp, jobDirOf, jobFileOp, removeJobFilesOp, sqlOp, type Target } from "./commands";
import { COMPACTION_WAIT_SECONDS, PlanRefusal, endpoint, storageTest, targets, windowDays } from "./plan-common";
import { clusterSteps3, deleteSteps3, keyTargets3 } from "./plan3";
import { chosenTenants, clusterSteps4, deleteSteps4, keyTargets4 } from "./plan4";
import { KEYS_FILE, keysFile, keysVerdict, parseKeysFile, unverifiedText } from "./keys";
import { maskKeys } from "./storage";
import type { PolicyActual } from "./read";
import type { BackupPolicySpec } from "./schema";
import { clientCnf, jobScript, sha256 } from "./script";
import { SQL3, isV4, targetSql3, targetSql4 } from "./sql";

export { PlanRefusal, targets, endpoint };

/** Week days 1..7 (Sunday 7, as cron reads it), month days 1..31: one cron line per mode. */
export function cronBlock(spec: BackupPolicySpec, begin: string, end: string, withCleanup = true): string {
  const run = (arg: string) => `"$HOME"/'${jobDirOf(spec.name)}/run.sh' ${arg} >> "$HOME"/'${jobDirOf(spec.name)}/cron.out' 2>&1`;
  const [hh, mm] = spec.schedule.time.split(":").map(Number);
  const lines = [begin, `CRON_TZ=${spec.schedule.timeZone}`];
  for (const mode of ["full", "incremental"] as const) {
    const days = spec.schedule.days.filter((d) => d.mode === mode).map((d) => d.day).sort((a, b) => a - b);
    if (days.length === 0) continue;
    lines.push(spec.schedule.period === "week" ? `${mm} ${hh} * * ${days.join(",")} ${run(mode)}` : `${mm} ${hh} ${days.join(",")} * * ${run(mode)}`);
  }
  if (spec.cleanup.enabled && withCleanup) {
    const [ch, cm] = spec.cleanup.time.split(":").map(Number);
    lines.push(`${cm} ${ch} * * * ${run("cleanup")}`);
  }
  lines.push(`0 * * * * ${run("alarms")}`);
  if (spec.secondary) {
    // Backup of backups on its own schedule (and time zone: cron applies the CRON_TZ above a line).
    const b = spec.secondary.schedule;
    const [bh, bm] = b.time.split(":").map(Number);
    const days = [...b.days].sort((x, y) => x - y).join(",");
    lines.push(`CRON_TZ=${b.timeZone}`, b.period === "week" ? `${bm} ${bh} * * ${days} ${run("backup-backup")}` : `${bm} ${bh} ${days} * * ${run("backup-backup")}`);
  }
  lines.push(end);
  return lines.join("\n");
}

export function expectedJob(spec: BackupPolicySpec, a: PolicyActual) {
  const v4 = isV4(a.cluster.version);
  const script = jobScript({
    policy: spec.name,
    version: a.cluster.version,
    targets: v4 ? chosenTenants(spec, a).map((t) => ({ tenant: t.name, sql: targetSql4(t) })) : [{ tenant: null, sql: targetSql3() }],
    // 4.x: the server applies the delete policy itself (hourly), so no cleanup run is scheduled.
    cleanup: v4 ? undefined : { sql: SQL3.deleteObsolete, windowDays: windowDays(spec) },
    backupBackup: spec.secondary && !v4 ? [SQL3.backupBackupset, SQL3.backupBackuppiece] : undefined,
    compactionWaitSeconds: COMPACTION_WAIT_SECONDS,
    alarms: { ...spec.alarms, capacityPercent: spec.storage.capacityAlarmPercent, storageDir: spec.storage.file?.path ?? "", command: spec.alarmCommand ?? "" },
  });
  return { script, cnf: clientCnf(endpoint(spec)), withCleanup: !v4 };
}

const keyTargets = (spec: BackupPolicySpec, a: PolicyActual) => (isV4(a.cluster.version) ? keyTargets4(spec, a) : keyTargets3(spec, a));

/**
 * keys.fp as this policy's destinations want it once the cluster phase applied them: every OSS
 * destination but those whose keys cannot be verified now (set before any record, not settable).
 */
export function expectedKeys(spec: BackupPolicySpec, a: PolicyActual): string {
  const applied = parseKeysFile(a.job.keys);
  const keep = keyTargets(spec, a).map((k) => (keysVerdict(applied, k) === "unverified" ? { ...k, oss: undefined } : k));
  // An unverified destination keeps whatever line it has (none): nothing is claimed for it.
  return keysFile(keep);
}

/** Refresh's `unverifiedKeys`: each destination whose OSS keys are not known, and what to do. */
export function unverifiedKeys(spec: BackupPolicySpec, a: PolicyActual): string[] {
  const applied = parseKeysFile(a.job.keys);
  const stop = (target: string) => (isV4(a.cluster.version) ? `stop archiving (ALTER SYSTEM NOARCHIVELOG TENANT = ${target})` : "stop archiving (ALTER SYSTEM NOARCHIVELOG)");
  return keyTargets(spec, a).filter((k) => keysVerdict(applied, k) === "unverified").map((k) => unverifiedText(k.target, stop(k.target)));
}

function keysOp(spec: BackupPolicySpec, a: PolicyActual, t: Target): Operation[] {
  const keys = expectedKeys(spec, a);
  if (keys === "" || a.job.keys === keys) return [];
  return [jobFileOp(t, a.job.home, spec.name, KEYS_FILE, keys, 0o600, a.job.keys === "" ? "record which OSS keys the destinations have" : "the destinations got other OSS keys")];
}

function jobSteps(spec: BackupPolicySpec, a: PolicyActual, t: Target, begin: string, end: string): Operation[] {
  const ops: Operation[] = [];
  const { script, cnf, withCleanup } = expectedJob(spec, a);
  const home = a.job.home;
  if (a.job.scriptSha256 !== sha256(script)) ops.push(jobFileOp(t, home, spec.name, "run.sh", script, 0o700, a.job.scriptSha256 ? "the job script differs from the policy's" : "no job script"));
  if (a.job.cnfSha256 !== sha256(cnf) || a.job.cnfMode !== "600") ops.push(jobFileOp(t, home, spec.name, "client.cnf", cnf, 0o600, a.job.cnfSha256 ? "the job's connection settings differ" : "no defaults file for the job"));
  const block = cronBlock(spec, begin, end, withCleanup);
  if (a.job.cron !== block) ops.push(crontabOp(t, spec.name, block + "\n", a.job.cron === "" ? "no cron entries for the policy" : "the cron entries differ from the schedule"));
  return ops;
}

export function planPolicy(spec: BackupPolicySpec, a: PolicyActual, begin: string, end: string): Plan {
  const t = targets(spec);
  const c = isV4(a.cluster.version) ? clusterSteps4(spec, a, t.cluster) : clusterSteps3(spec, a, t.cluster);
  const tests = c.testStorage.map((st) => storageTest(spec, st));
  const test = { write: tests.flatMap((x) => x.write), read: tests.flatMap((x) => x.read), remove: tests.flatMap((x) => x.remove) };
  const sql = (statements: string[], why: string[]) => (statements.length === 0 ? [] : [sqlOp(t.cluster, endpoint(spec), statements, { describe: maskKeys(statements.join("; ")), reason: why.join("; ") })]);
  const keys = keysOp(spec, a, t.job);
  // With keys to record, archiving restarts only once they are: an up cut before the record leaves
  // archiving STOP, so the next up may set the destinations again (OceanBase refuses it while DOING).
  const apart = keys.length > 0 && c.statements.length > 0;
  return [
    { title: "test the backup storage", operations: test.write },
    { title: "test the backup storage (read from the other hosts)", operations: test.read },
    { title: "stop the interrupted log archiving", operations: c.stop },
    { title: "backup destination and log archiving", operations: [...test.remove, ...(apart ? sql(c.statements, c.why) : sql([...c.statements, ...c.restart], [...c.why, ...c.restartWhy]))] },
    { title: "record the destinations' OSS keys", operations: keys },
    { title: "restart log archiving", operations: apart ? sql(c.restart, c.restartWhy) : [] },
    { title: "wait for archiving", operations: c.wait },
    { title: "job host: script, defaults file, cron", operations: jobSteps(spec, a, t.job, begin, end) },
  ];
}

export function planPolicyDelete(spec: BackupPolicySpec, a: PolicyActual): Plan {
  const t = targets(spec);
  const job: Operation[] = [];
  if (a.job.cron !== "") job.push(crontabOp(t.job, spec.name, "", "the policy is deleted"));
  if (a.job.scriptSha256 !== null || a.job.cnfSha256 !== null) job.push(removeJobFilesOp(t.job, a.job.home, spec.name, "the policy is deleted (backup data is kept)"));
  return [
    { title: "job host: remove the schedule", operations: job },
    { title: "stop log archiving", operations: isV4(a.cluster.version) ? deleteSteps4(spec, a, t.cluster) : deleteSteps3(spec, a, t.cluster) },
  ];
}
