import * as fs from "fs";
import * as path from "path";
import { ObError } from "../errors";
import { filePath, newJob, parseDays } from "../progress";
import { ClusterState, TenantRecord, tenantByName, userTenants } from "../state";
import { majorFreeze } from "./alter3";
import { parseArchiveDest } from "./views";
import { displayDest, parseOssDest } from "../oss/signature";
import { OssRefused } from "../oss/sync-client";
import { putFiles } from "../store";

/**
 * 4.x tenant-level backup statements from the sys tenant (spec oceanbase-source-check.md §B:
 * ob_backup_config.cpp, ob_tenant_archive_scheduler.cpp, ob_backup_data_scheduler.cpp).
 */
const STR = String.raw`'((?:[^'\\]|\\.|'')*)'`;
const TENANT = String.raw`(?:\s+TENANT\s*=?\s*([A-Za-z0-9_,\s]+?))?`;
const unquote = (s: string) => s.replace(/''/g, "'").replace(/\\(.)/g, "$1");

function tenantsOf(s: ClusterState, list: string | undefined, allowAll: boolean): TenantRecord[] {
  if (list === undefined || (allowAll && /^all(_user)?$/i.test(list.trim()))) return userTenants(s);
  return list.split(",").map((n) => {
    const t = tenantByName(s, n.trim());
    if (!t) throw new ObError("unknownTenant", n.trim());
    return t;
  });
}

function oneTenant(s: ClusterState, list: string | undefined): TenantRecord {
  // Guess: from sys without TENANT the statement would address sys, which takes no backup dest.
  if (list === undefined) throw new ObError("notSupported", "set backup dest for sys tenant is");
  const ts = tenantsOf(s, list, false);
  if (ts.length !== 1) throw new ObError("parse", list);
  return ts[0];
}

const params = (s: ClusterState, t: TenantRecord) => (s.tenantParams[String(t.id)] ??= {});
const archiveOf = (s: ClusterState, t: TenantRecord) => s.archive[String(t.id)];
const running = (s: ClusterState, t: TenantRecord) => s.jobs.some((j) => j.tenantId === t.id && j.status === "RUNNING");

export function alterSystem4(s: ClusterState, stmt: string, now: number): boolean {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+SET\s+LOG_ARCHIVE_DEST\s*=\s*${STR}${TENANT}$`, "i").exec(stmt))) {
    const t = oneTenant(s, m[2]);
    const value = unquote(m[1]);
    const a = archiveOf(s, t);
    if (a && a.status !== "STOP") throw new ObError("notSupported", "change archive dest when archive is running is");
    const d = parseArchiveDest(value);
    if (!d.LOCATION) throw new ObError("notSupported", "set archive dest without location is");
    const piece = parseDays(d.PIECE_SWITCH_INTERVAL ?? "1d");
    if (!(piece >= 1 && piece <= 7)) throw new ObError("notSupported", "invalid piece_switch_interval out of range [1d,7d] is");
    checkDest(s, t, d.LOCATION);
    params(s, t).log_archive_dest = value;
    return true;
  }
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+SET\s+LOG_ARCHIVE_DEST_STATE\s*=\s*${STR}${TENANT}$`, "i").exec(stmt))) {
    const v = unquote(m[1]).toUpperCase();
    if (v !== "ENABLE" && v !== "DEFER") throw new ObError("notSupported", `log_archive_dest_state ${v} is`);
    params(s, oneTenant(s, m[2])).log_archive_dest_state = v;
    return true;
  }
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+SET\s+DATA_BACKUP_DEST\s*=\s*${STR}${TENANT}$`, "i").exec(stmt))) {
    const t = oneTenant(s, m[2]);
    if (running(s, t)) throw new ObError("backupInProgress");
    const value = unquote(m[1]);
    if (value !== "") checkDest(s, t, value);
    params(s, t).data_backup_dest = value;
    return true;
  }
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+(NO)?ARCHIVELOG${TENANT}$`, "i").exec(stmt))) {
    for (const t of tenantsOf(s, m[2], true)) (m[1] ? noarchivelog : archivelog)(s, t, now, m[2] === undefined || /^all$/i.test(m[2].trim()));
    return true;
  }
  if ((m = /^ALTER\s+SYSTEM\s+BACKUP\s+(INCREMENTAL\s+)?(DATABASE|TENANT\s*=?\s*([A-Za-z0-9_,\s]+?))(\s+PLUS\s+ARCHIVELOG)?(\s+DESCRIPTION\s+'[^']*')?$/i.exec(stmt))) {
    const ts = m[2].toUpperCase() === "DATABASE" ? userTenants(s) : tenantsOf(s, m[3], false);
    for (const t of ts) backup(s, t, m[1] ? "inc" : "full", now);
    return true;
  }
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+CANCEL\s+BACKUP${TENANT}$`, "i").exec(stmt))) {
    for (const t of tenantsOf(s, m[1], false)) for (const j of s.jobs) if (j.tenantId === t.id && j.status === "RUNNING") { j.status = "CANCELED"; j.end = now; }
    return true;
  }
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+ADD\s+DELETE\s+BACKUP\s+POLICY\s*=?\s*${STR}(?:\s+RECOVERY_WINDOW\s*=?\s*${STR})?${TENANT}$`, "i").exec(stmt))) {
    const t = oneTenant(s, m[3]);
    if (unquote(m[1]) !== "default") throw new ObError("notSupported", `policy name ${unquote(m[1])} is`);
    if (s.deletePolicies[String(t.id)]) throw new ObError("entryExist");
    const days = parseDays(unquote(m[2] ?? "0d"));
    if (!(days >= 0)) throw new ObError("notSupported", "invalid recovery_window is");
    s.deletePolicies[String(t.id)] = { name: "default", windowDays: days };
    return true;
  }
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+DROP\s+DELETE\s+BACKUP\s+POLICY\s*=?\s*${STR}${TENANT}$`, "i").exec(stmt))) {
    const t = oneTenant(s, m[2]);
    if (!s.deletePolicies[String(t.id)]) throw new ObError("entryNotExist");
    delete s.deletePolicies[String(t.id)];
    return true;
  }
  if ((m = new RegExp(String.raw`^ALTER\s+SYSTEM\s+MAJOR\s+FREEZE${TENANT}$`, "i").exec(stmt))) {
    for (const t of tenantsOf(s, m[1], true)) majorFreeze(s, String(t.id), now);
    return true;
  }
  // Backup of backups was dropped in 4.0 (ObBackupBackupsetExecutor returns OB_NOT_SUPPORTED).
  if (/^ALTER\s+SYSTEM\s+(BACKUP\s+BACKUPSET|BACKUP\s+BACKUPPIECE|SET\s+BACKUP_BACKUP_DEST)\b/i.test(stmt)) throw new ObError("notSupported", "backup backup data is");
  return false;
}

/** A destination directory that holds someone else's data (no format file of ours) is refused. */
function checkDest(s: ClusterState, t: TenantRecord, uri: string): void {
  const dir = filePath(uri);
  if (dir === undefined) return checkOssDest(s, t, uri);
  if (!dir.startsWith("/") || dir.includes("?")) throw new ObError("destNotValid");
  const format = path.join(dir, "format");
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    fs.mkdirSync(dir, { recursive: true });
    entries = [];
  }
  if (entries.length > 0 && !entries.includes("format")) throw new ObError("formatFileMissing");
  if (!entries.includes("format")) fs.writeFileSync(format, JSON.stringify({ cluster: s.name, clusterId: s.clusterId, tenantId: t.id }) + "\n");
}

/**
 * An OSS destination is checked as a directory is: the server writes its format file there
 * (and so finds out at once whether OSS takes its keys); what OSS refused is the error.
 */
function checkOssDest(s: ClusterState, t: TenantRecord, uri: string): void {
  const d = parseOssDest(uri);
  if (!d || d.bucket === "" || d.host === "" || d.accessId === "" || d.accessKey === "") throw new ObError("destNotValid");
  try {
    putFiles(uri, "", [["format", JSON.stringify({ cluster: s.name, clusterId: s.clusterId, tenantId: t.id }) + "\n"]]);
  } catch (e) {
    throw new ObError("ossError", e instanceof OssRefused ? `${e.response.code}: ${e.response.message}` : (e as Error).message);
  }
}

function archivelog(s: ClusterState, t: TenantRecord, now: number, quietForAll: boolean): void {
  const a = archiveOf(s, t);
  if (a && a.status !== "STOP") {
    // From sys with TENANT=all, per-tenant errors are swallowed (source TODO).
    if (quietForAll) return;
    throw new ObError("alreadyArchivelog");
  }
  const d = parseArchiveDest(params(s, t).log_archive_dest ?? "");
  if (!d.LOCATION) throw new ObError("cannotStartArchive");
  s.archive[String(t.id)] = { status: "BEGINNING", round: (a?.round ?? 0) + 1, changedAt: now, startedAt: null, dest: d.LOCATION, pieceSwitchDays: parseDays(d.PIECE_SWITCH_INTERVAL ?? "1d") };
}

function noarchivelog(s: ClusterState, t: TenantRecord, now: number): void {
  const a = archiveOf(s, t);
  if (!a || a.status === "STOP" || a.status === "STOPPING") throw new ObError("alreadyNoarchivelog");
  a.status = "STOPPING";
  a.changedAt = now;
}

function backup(s: ClusterState, t: TenantRecord, type: "full" | "inc", now: number): void {
  const dest = params(s, t).data_backup_dest ?? "";
  if (dest === "") throw new ObError("backupCannotStart", "backup dest is not set.");
  if (archiveOf(s, t)?.status !== "DOING") throw new ObError("backupCannotStart", "log archive status is not doing.");
  if (running(s, t)) throw new ObError("backupInProgress");
  // A 4.x incremental with no full to build on runs as a full.
  const hasFull = s.sets.some((x) => x.tenantId === t.id && x.type === "full" && x.status === "SUCCESS" && x.fileStatus === "AVAILABLE" && displayDest(x.dest) === displayDest(dest));
  newJob(s, t.id, type === "inc" && !hasFull ? "full" : type, dest, now);
}
