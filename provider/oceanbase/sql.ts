import type { TargetSql } from "./script";

/**
 * Every piece of OceanBase SQL the product sends, in one place, and the one quoting rule for its
 * string literals. Statements and views as OceanBase's docs and source have them (spec:
 * oceanbase-source-check.md §A for 3.x, §B for 4.x).
 */

/**
 * A MySQL-mode string literal. Backslash is an escape character in OceanBase's MySQL mode (as in
 * MySQL without NO_BACKSLASH_ESCAPES), so it is doubled; a quote is doubled. NUL is refused: no
 * client line carries it.
 */
export function obString(value: string): string {
  if (value.includes("\0")) throw new Error("obString: a value contains a NUL byte, which no SQL literal here may carry");
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** `ObVersion` as read from `@@version_comment`: `OceanBase 3.2.4.0 (r...)` → "3.2.4.0". */
export function versionFrom(comment: string): string | undefined {
  return /OceanBase(?:_CE)?\s+(\d+\.\d+\.\d+(?:\.\d+)?)/.exec(comment)?.[1];
}

export const isV4 = (version: string): boolean => Number(version.split(".")[0]) >= 4;

export const READ = {
  version: "SELECT @@version_comment AS version_comment",
  /** 3.x: the cluster's backup parameters (one row per server; any one answers for the cluster). */
  params3: "SHOW PARAMETERS WHERE name IN ('backup_dest', 'backup_dest_option', 'backup_backup_dest', 'backup_backup_dest_option')",
  archive3: "SELECT tenant_id, status, log_archive_round, min_first_time FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1",
  /** COPY_ID 0 is the set itself; 1, 2, ... its copies made by backup of backups. */
  sets3: "SELECT bs_key, copy_id, backup_type, status, file_status, start_time, completion_time, output_bytes FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 ORDER BY bs_key, copy_id",
  running3: "SELECT bs_key, backup_type, start_time FROM oceanbase.CDB_OB_BACKUP_PROGRESS WHERE tenant_id = 1",
  /** 3.x compaction state: merge_status (IDLE when done) and when the last major compaction ended (µs). */
  zone3: "SELECT name, value, info FROM oceanbase.__all_zone WHERE zone = '' AND name IN ('merge_status', 'last_merged_time', 'frozen_version', 'last_merged_version')",
} as const;

export const SQL3 = {
  setBackupDest: (uri: string) => `ALTER SYSTEM SET backup_dest = ${obString(uri)}`,
  setBackupDestOption: (option: string) => `ALTER SYSTEM SET backup_dest_option = ${obString(option)}`,
  setBackupBackupDest: (uri: string) => `ALTER SYSTEM SET backup_backup_dest = ${obString(uri)}`,
  setBackupBackupDestOption: (option: string) => `ALTER SYSTEM SET backup_backup_dest_option = ${obString(option)}`,
  /** Backup of backups: every set and piece not yet copied once (the active piece too). */
  backupBackupset: "ALTER SYSTEM BACKUP BACKUPSET ALL NOT BACKED UP 1 TIMES",
  backupBackuppiece: "ALTER SYSTEM BACKUP BACKUPPIECE ALL NOT BACKED UP 1 TIMES WITH ACTIVE BACKUPPIECE",
  archivelog: "ALTER SYSTEM ARCHIVELOG",
  noarchivelog: "ALTER SYSTEM NOARCHIVELOG",
  backup: (mode: "full" | "incremental") => (mode === "full" ? "ALTER SYSTEM BACKUP DATABASE" : "ALTER SYSTEM BACKUP INCREMENTAL DATABASE"),
  deleteObsolete: "ALTER SYSTEM DELETE OBSOLETE BACKUP",
  majorFreeze: "ALTER SYSTEM MAJOR FREEZE",
  /** For the job script: how many backups run, whether a full exists, archiving and compaction. */
  runningCount: "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_PROGRESS",
  fullCount: "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = 0 AND backup_type = 'D' AND status = 'SUCCESS' AND file_status = 'AVAILABLE'",
  archiveStatus: "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1",
  mergeStatus: "SELECT info FROM oceanbase.__all_zone WHERE zone = '' AND name = 'merge_status'",
  lastMergedTime: "SELECT value FROM oceanbase.__all_zone WHERE zone = '' AND name = 'last_merged_time'",
  archiveStart: "SELECT min_first_time FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1",
  newestSet: "SELECT max(bs_key) FROM oceanbase.CDB_OB_BACKUP_PROGRESS WHERE tenant_id = 1",
} as const;

/** What the job script asks for the whole cluster on 3.x. */
export function targetSql3(): TargetSql {
  return {
    running: SQL3.runningCount,
    fulls: SQL3.fullCount,
    archiveStatus: SQL3.archiveStatus,
    lastMergedUs: SQL3.lastMergedTime,
    archiveStart: SQL3.archiveStart,
    freeze: SQL3.majorFreeze,
    mergeIdle: SQL3.mergeStatus,
    newestSet: SQL3.newestSet,
    backupFull: SQL3.backup("full"),
    backupInc: SQL3.backup("incremental"),
    runningBefore: "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_PROGRESS WHERE tenant_id = 1 AND start_time < '@CUTOFF@'",
    archiveStatusOne: "SELECT max(status) FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1",
    archiveCheckpoint: "SELECT max(max_next_time) FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1",
    lastSuccess: "SELECT max(completion_time) FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = 0 AND status = 'SUCCESS'",
    lastSet: "SELECT bs_key, backup_type, status, result FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = 0 ORDER BY bs_key DESC LIMIT 1",
  };
}

/** A name (tenant, cluster) as an unquoted identifier: only names of the form OceanBase prints are used. */
export function plainIdent(what: string, name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(name)) throw new Error(`${what} ${JSON.stringify(name)} is not a plain identifier; refusing to put it into SQL`);
  return name;
}

export const tenantIdent = (name: string): string => plainIdent("tenant name", name);

export const READ4 = {
  tenants: "SELECT tenant_id, tenant_name FROM oceanbase.DBA_OB_TENANTS WHERE tenant_type = 'USER' ORDER BY tenant_id",
  archiveDest: "SELECT tenant_id, name, value FROM oceanbase.CDB_OB_ARCHIVE_DEST",
  archive: "SELECT tenant_id, status, round_id, start_scn_display FROM oceanbase.CDB_OB_ARCHIVELOG",
  params: "SELECT tenant_id, name, value FROM oceanbase.CDB_OB_BACKUP_PARAMETER",
  jobs: "SELECT tenant_id, backup_set_id, backup_type, start_timestamp FROM oceanbase.CDB_OB_BACKUP_JOBS",
  sets: "SELECT tenant_id, backup_set_id, backup_type, status, file_status, start_timestamp, end_timestamp, data_bytes FROM oceanbase.CDB_OB_BACKUP_SET_FILES ORDER BY backup_set_id",
  deletePolicy: "SELECT tenant_id, policy_name, recovery_window FROM oceanbase.CDB_OB_BACKUP_DELETE_POLICY",
  compaction: "SELECT tenant_id, status, last_finish_time FROM oceanbase.CDB_OB_MAJOR_COMPACTION",
} as const;

/** 4.x tenant-level statements from the sys tenant. */
export const SQL4 = {
  setArchiveDest: (uri: string, pieceSwitchDays: number, tenant: string) => `ALTER SYSTEM SET LOG_ARCHIVE_DEST = ${obString(`LOCATION=${uri} PIECE_SWITCH_INTERVAL=${pieceSwitchDays}d`)} TENANT = ${tenantIdent(tenant)}`,
  setDataDest: (uri: string, tenant: string) => `ALTER SYSTEM SET DATA_BACKUP_DEST = ${obString(uri)} TENANT = ${tenantIdent(tenant)}`,
  archivelog: (tenant: string) => `ALTER SYSTEM ARCHIVELOG TENANT = ${tenantIdent(tenant)}`,
  noarchivelog: (tenant: string) => `ALTER SYSTEM NOARCHIVELOG TENANT = ${tenantIdent(tenant)}`,
  addDeletePolicy: (days: number, tenant: string) => `ALTER SYSTEM ADD DELETE BACKUP POLICY 'default' RECOVERY_WINDOW '${days}d' TENANT = ${tenantIdent(tenant)}`,
  dropDeletePolicy: (tenant: string) => `ALTER SYSTEM DROP DELETE BACKUP POLICY 'default' TENANT = ${tenantIdent(tenant)}`,
  archiveStatus: (id: number) => `SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = ${id}`,
  backup: (mode: "full" | "incremental", tenant: string) => `ALTER SYSTEM BACKUP ${mode === "full" ? "" : "INCREMENTAL "}TENANT = ${tenantIdent(tenant)}`,
} as const;

export function targetSql4(t: { id: number; name: string }): TargetSql {
  return {
    running: `SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_JOBS WHERE tenant_id = ${t.id}`,
    fulls: `SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = ${t.id} AND backup_type = 'FULL' AND status = 'SUCCESS' AND file_status = 'AVAILABLE'`,
    archiveStatus: SQL4.archiveStatus(t.id),
    lastMergedUs: `SELECT last_finish_time FROM oceanbase.CDB_OB_MAJOR_COMPACTION WHERE tenant_id = ${t.id}`,
    archiveStart: `SELECT start_scn_display FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = ${t.id}`,
    freeze: `ALTER SYSTEM MAJOR FREEZE TENANT = ${tenantIdent(t.name)}`,
    mergeIdle: `SELECT status FROM oceanbase.CDB_OB_MAJOR_COMPACTION WHERE tenant_id = ${t.id}`,
    newestSet: `SELECT max(backup_set_id) FROM oceanbase.CDB_OB_BACKUP_JOBS WHERE tenant_id = ${t.id}`,
    backupFull: SQL4.backup("full", t.name),
    backupInc: SQL4.backup("incremental", t.name),
    runningBefore: `SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_JOBS WHERE tenant_id = ${t.id} AND start_timestamp < '@CUTOFF@'`,
    archiveStatusOne: `SELECT max(status) FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = ${t.id}`,
    archiveCheckpoint: `SELECT max(checkpoint_scn_display) FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = ${t.id}`,
    lastSuccess: `SELECT max(end_timestamp) FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = ${t.id} AND status = 'SUCCESS'`,
    lastSet: `SELECT backup_set_id, backup_type, status, result FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY WHERE tenant_id = ${t.id} ORDER BY job_id DESC LIMIT 1`,
  };
}

/** `backup_dest_option` as this product sets it (3.x); cleanup runs from the job at its own time. */
export function destOption(o: { recoveryWindowDays: number; pieceSwitchDays: number }): string {
  return `recovery_window=${o.recoveryWindowDays}d&auto_delete_obsolete_backup=false&log_archive_piece_switch_interval=${o.pieceSwitchDays}d`;
}

/**
 * 3.x backup_backup_dest_option: the copies' own expiry, which the server applies itself
 * (auto_delete_obsolete_backup=true); "" when they never expire. The second destination takes
 * no piece interval or copies (OceanBase refuses them there).
 */
export function backupBackupDestOption(expiryDays: number): string {
  return expiryDays > 0 ? `recovery_window=${expiryDays}d&auto_delete_obsolete_backup=true` : "";
}

/** The copies' expiry in days that a backup_backup_dest_option gives (0: they never expire). */
export function copyExpiryDays(option: Record<string, string>): number {
  if (option.auto_delete_obsolete_backup?.toLowerCase() !== "true") return 0;
  const m = /^(\d+)d$/i.exec(option.recovery_window ?? "");
  return m ? Number(m[1]) : Number.NaN;
}

/** `a=1&b=2` → {a: "1", b: "2"} (keys lower-case). */
export function parseOption(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split("&")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    out[(eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase()] = eq < 0 ? "" : part.slice(eq + 1).trim();
  }
  return out;
}
