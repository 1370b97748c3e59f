/**
 * Seed 001's policy for an OceanBase 3.x cluster: weekly, a full backup on Sunday and an
 * incremental Monday to Saturday at 01:00, file storage on the shared (NFS) directory, log
 * backup on with daily pieces, expired backups cleaned after 7 days, OCP's alarm thresholds
 * with each alarm handed to a command; the schedule runs from the job host's cron, with no
 * Pulumi process. The seed's secondary backup (backup of backups) copies the sets and archive
 * pieces to a second shared directory every day at 05:00.
 */
import { oceanbase } from "pulumi-dbcluster";
import { obTarget } from "../shared/oceanbase";

const t = obTarget();

const policy = new oceanbase.BackupPolicy("weekly", {
  name: "weekly",
  // servers: the other OBServers' hosts, so that the storage test (OCP's 测试) runs on every one.
  cluster: { connection: t.sqlHost, host: t.observer, port: t.sqlPort, password: t.rootPassword, servers: t.servers },
  storage: { name: "nfs-backup", file: { path: t.backupDir }, capacityAlarmPercent: Number(process.env.OB_CAPACITY_PERCENT ?? 80) },
  schedule: {
    period: "week",
    days: [{ day: 7, mode: "full" }, ...[1, 2, 3, 4, 5, 6].map((day) => ({ day, mode: "incremental" as const }))],
    time: "01:00",
    timeZone: "UTC",
  },
  logBackup: { enabled: true, pieceSwitchDays: 1 },
  cleanup: { enabled: true, expiryDays: 7, time: "03:00" },
  alarms: { backupTimeoutHours: 6, logDelayMinutes: 60, daysWithoutBackup: 2 },
  // Each alarm, as it opens and as it clears, as JSON on stdin: a webhook would be
  // `curl -fsS -H 'Content-Type: application/json' --data-binary @- https://...`.
  alarmCommand: `cat >> "$HOME/ob-backup-alarms.jsonl"`,
  // OCP's 二次备份: its own storage (apart from the primary one) and schedule; the copies are kept
  // unless expiryDays (at least cleanup.expiryDays) asks OceanBase to delete them after that many days.
  secondary: t.secondaryDir ? { storage: { name: "nfs-backup-2", file: { path: t.secondaryDir } }, schedule: { period: "week", days: [1, 2, 3, 4, 5, 6, 7], time: "05:00" }, expiryDays: process.env.OB_SECONDARY_EXPIRY_DAYS ? Number(process.env.OB_SECONDARY_EXPIRY_DAYS) : undefined } : undefined,
  job: { connection: t.jobHost },
});

export const archiveStatus = policy.observed.apply((o) => o.archiveStatus);
export const backupDest = policy.observed.apply((o) => o.backupDest);
export const lastFull = policy.observed.apply((o) => o.lastFull);
export const alarms = policy.observed.apply((o) => o.alarms);
export const secondary = policy.observed.apply((o) => o.secondary);
