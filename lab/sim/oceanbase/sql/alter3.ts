import * as fs from "fs";
import * as path from "path";
import { ObError } from "../errors";
import { cleanObsolete, filePath, newJob, parseDays, parseDestOption } from "../progress";
import { ClusterState } from "../state";
import { backupBackup, checkBackupBackupDestOption } from "../backup-backup";
import { displayDest } from "../oss/signature";

/**
 * 3.x cluster-level backup statements, run by root@sys (spec oceanbase-source-check.md §A:
 * ob_alter_system_resolver.cpp check_backup_dest / check_backup_dest_opt, the log archive and
 * backup schedulers).
 */
const STR = String.raw`'((?:[^'\\]|\\.|'')*)'`;
const unquote = (s: string) => s.replace(/''/g, "'").replace(/\\(.)/g, "$1");

export function alterSystem3(s: ClusterState, stmt: string, now: number): boolean {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+SET\s+([A-Za-z_]+)\s*=\s*${STR}$`, "i").exec(stmt))) {
    setParameter(s, m[1].toLowerCase(), unquote(m[2]), now);
    return true;
  }
  if (/^ALTER\s+SYSTEM\s+ARCHIVELOG$/i.test(stmt)) return archivelog(s, now);
  if (/^ALTER\s+SYSTEM\s+NOARCHIVELOG$/i.test(stmt)) return noarchivelog(s, now);
  if ((m = /^ALTER\s+SYSTEM\s+BACKUP\s+(INCREMENTAL\s+)?DATABASE$/i.exec(stmt))) return backup(s, m[1] ? "inc" : "full", now);
  if (/^ALTER\s+SYSTEM\s+CANCEL\s+BACKUP$/i.test(stmt)) {
    const running = s.jobs.filter((j) => j.status === "RUNNING");
    if (running.length === 0) throw new ObError("cancelNotAllowed");
    for (const j of running) { j.status = "CANCELED"; j.end = now; }
    return true;
  }
  if (/^ALTER\s+SYSTEM\s+MAJOR\s+FREEZE$/i.test(stmt)) return majorFreeze(s, "0", now);
  if (backupBackup(s, stmt, now)) return true;
  if (/^ALTER\s+SYSTEM\s+DELETE\s+OBSOLETE\s+BACKUP$/i.test(stmt)) {
    const opt = parseDestOption(s.params.backup_dest_option ?? "");
    if (!(parseDays(opt.recovery_window ?? "0") > 0)) return true; // window 0: nothing ever expires
    cleanObsolete(s, now, true);
    return true;
  }
  return false;
}

function archiveRows(s: ClusterState) {
  return s.tenants.map((t) => s.archive[String(t.id)]);
}

function clusterArchiveStatus(s: ClusterState): string {
  return s.archive["1"]?.status ?? "STOP";
}

function archivelog(s: ClusterState, now: number): boolean {
  if (clusterArchiveStatus(s) !== "STOP") throw new ObError("cannotStartArchive");
  const dest = s.params.backup_dest ?? "";
  if (dest === "") throw new ObError("destNotValid");
  const pieceSwitchDays = parseDays(parseDestOption(s.params.backup_dest_option ?? "").log_archive_piece_switch_interval ?? "0") || 0;
  for (const t of s.tenants) {
    const prev = s.archive[String(t.id)];
    s.archive[String(t.id)] = { status: "BEGINNING", round: (prev?.round ?? 0) + 1, changedAt: now, startedAt: null, dest, pieceSwitchDays };
  }
  return true;
}

function noarchivelog(s: ClusterState, now: number): boolean {
  const st = clusterArchiveStatus(s);
  if (st === "STOP" || st === "STOPPING") throw new ObError("archiveAlreadyDisabled");
  for (const a of archiveRows(s)) if (a) { a.status = "STOPPING"; a.changedAt = now; }
  return true;
}

function backup(s: ClusterState, type: "full" | "inc", now: number): boolean {
  const st = clusterArchiveStatus(s);
  if (st !== "DOING") throw new ObError("backupCannotStart", `log archive is not doing. log archive status : ${st}.`);
  if (s.jobs.some((j) => j.status === "RUNNING")) throw new ObError("backupInProgress");
  const dest = s.params.backup_dest ?? "";
  // Sets belong to a destination by its root path, not its keys (ObBackupDest::is_root_path_equal).
  if (type === "inc" && !s.sets.some((x) => x.type === "full" && x.status === "SUCCESS" && x.fileStatus === "AVAILABLE" && displayDest(x.dest) === displayDest(dest))) {
    // Guess (no source shows 3.x's answer): the scheduler has no base set to build on.
    throw new ObError("backupCannotStart", "prev full backup set is not exist.");
  }
  const setId = s.nextSetId++;
  for (const t of s.tenants) newJob(s, t.id, type, dest, now, setId);
  return true;
}

export function majorFreeze(s: ClusterState, key: string, now: number): boolean {
  const m = s.merge[key];
  if (m.status === "MERGING") throw new ObError("tryAgain");
  m.frozenVersion++;
  m.status = "MERGING";
  m.startedAt = now;
  return true;
}

function setParameter(s: ClusterState, name: string, value: string, _now: number): void {
  if (name === "backup_dest") checkBackupDest(s, value);
  else if (name === "backup_dest_option") checkDestOption(s, value);
  else if (name === "backup_backup_dest") checkBackupBackupDest(s, value);
  else if (name === "backup_backup_dest_option") checkBackupBackupDestOption(value);
  s.params[name] = value;
}

function checkUri(value: string): void {
  if (value === "") return;
  if (value.startsWith("file://")) {
    const p = filePath(value)!;
    if (p.includes("?")) throw new ObError("notSupported", "backup device is nfs, setting '?' is");
    if (!p.startsWith("/")) throw new ObError("destNotValid");
    return;
  }
  if (value.startsWith("oss://")) return;
  throw new ObError("destNotValid");
}

function checkBackupDest(s: ClusterState, value: string): void {
  if (s.jobs.some((j) => j.status === "RUNNING")) throw new ObError("backupInProgress");
  // One stored 3.x version also refuses while archiving runs (the spec keeps the stricter one).
  if (clusterArchiveStatus(s) !== "STOP") throw new ObError("backupInProgress");
  if ((s.params.backup_backup_dest ?? "") !== "" && value !== (s.params.backup_dest ?? "")) {
    throw new ObError("notSupported", "set backup dest with backup backup dest not empty is");
  }
  checkUri(value);
}

function checkDestOption(s: ClusterState, value: string): void {
  const o = parseDestOption(value);
  if (o.log_archive_checkpoint_interval !== undefined) {
    const m = /^(\d+)(s|m|h)$/.exec(o.log_archive_checkpoint_interval);
    const secs = m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"] : Number.NaN;
    if (!(secs >= 5 && secs <= 3600)) throw new ObError("notSupported", "invalid log_archive_checkpoint_interval out of range [5s,1h] is");
  }
  if (o.recovery_window !== undefined && !(parseDays(o.recovery_window) >= 0)) throw new ObError("notSupported", "invalid recovery_window less than 0 is");
  const piece = parseDays(o.log_archive_piece_switch_interval ?? "0");
  if (!(piece === 0 || (piece >= 1 && piece <= 7))) throw new ObError("notSupported", "invalid piece_switch_interval out of range [1d,7d] is");
  const before = parseDays(parseDestOption(s.params.backup_dest_option ?? "").log_archive_piece_switch_interval ?? "0") || 0;
  if (clusterArchiveStatus(s) !== "STOP" && (before === 0) !== (piece === 0)) throw new ObError("notSupported", "change switch piece mode during log archive running is");
}

function checkBackupBackupDest(s: ClusterState, value: string): void {
  if ((s.copies ?? []).some((c) => c.status === "RUNNING")) throw new ObError("backupInProgress");
  if (value === "") return;
  if (value.startsWith("cos://")) throw new ObError("notSupported", "backup backup dest is cos,");
  const dir = filePath(value);
  // A directory that already holds something else is not a backup destination (9026).
  if (dir !== undefined && value !== (s.params.backup_backup_dest ?? "") && fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !fs.existsSync(path.join(dir, s.name))) throw new ObError("destNotValid");
  if ((s.params.backup_dest ?? "") === "") throw new ObError("notSupported", "backup dest is empty, set backup backup dest is");
  if (value === s.params.backup_dest) throw new ObError("destNotValid");
  checkUri(value);
}
