/**
 * The simulated database files of one instance. `dm.ctl` (DM's control file name) holds the
 * database's identity as JSON: the properties fixed by dminit, the data lineage that RAFT members
 * must share (`lineage`, set by dminit and carried by backup/restore), DB_MAGIC, and whether the last
 * run ended cleanly. `SYSTEM.DBF` is a marker that the database exists.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { globalValue, IniFile, readIni } from "./ini";

export const CTL_MAGIC = "DMSIM-CTL-1";

export type DpcMode = "MP" | "SP" | "BP";

export interface DbControl {
  magic: typeof CTL_MAGIC;
  instanceName: string;
  dbName: string;
  dpcMode: DpcMode;
  pageSize: number;
  extentSize: number;
  caseSensitive: number;
  charset: number;
  pwdSalt: string;
  pwdHash: string;
  /** Shared by a database and everything restored from its backups. */
  lineage: string;
  dbMagic: number;
  /** Set by RESTORE, cleared by RECOVER ... UPDATE DB_MAGIC. */
  magicPending: boolean;
  /** Set by RESTORE of an online backup set, cleared by RECOVER ... FROM BACKUPSET (its REDO). */
  recoverPending?: boolean;
  restoredFrom?: string;
  /** Restored from an online set and not yet recovered FOR STANDBY: it cannot join a multi-replica group (BAK: "确保启动后能正确加入 … DM 多副本系统"). */
  notStandby?: boolean;
  shadow: boolean;
  /** "CLEAN" after a clean exit or dminit; "RUNNING" while up; a crash leaves "RUNNING". */
  state: "CLEAN" | "RUNNING" | "HALTED";
  pid?: number;
  openedOnce: boolean;
  createdAt: string;
}

export function hashPassword(salt: string, pwd: string): string {
  return crypto.createHash("sha256").update(`${salt}:${pwd}`).digest("hex");
}

export function newMagic(): number {
  return crypto.randomInt(1, 0x7fffffff);
}

export function ctlPath(dbDir: string): string {
  return path.join(dbDir, "dm.ctl");
}

export function readControl(dbDir: string): DbControl | undefined {
  try {
    const ctl = JSON.parse(fs.readFileSync(ctlPath(dbDir), "utf8")) as DbControl;
    return ctl.magic === CTL_MAGIC ? ctl : undefined;
  } catch {
    return undefined;
  }
}

export function writeControl(dbDir: string, ctl: DbControl): void {
  const tmp = `${ctlPath(dbDir)}.tmp${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(ctl, null, 1));
  fs.renameSync(tmp, ctlPath(dbDir));
}

export function updateControl(dbDir: string, change: (ctl: DbControl) => void): DbControl | undefined {
  const ctl = readControl(dbDir);
  if (!ctl) return undefined;
  change(ctl);
  writeControl(dbDir, ctl);
  return ctl;
}

/** The database directory named by a dm.ini: SYSTEM_PATH, else the ini's own directory. */
export function dbDirOf(iniPath: string, ini?: IniFile): string {
  const parsed = ini ?? readIni(iniPath);
  return globalValue(parsed, "SYSTEM_PATH") || path.dirname(path.resolve(iniPath));
}

export const CATALOG_FILE = "dpc_catalog.json";

/** Files that make up the database's content, copied by backup and restore. */
export const DATA_FILES = ["SYSTEM.DBF", "MAIN.DBF", "ROLL.DBF", CATALOG_FILE];

/** What `backupset.json` records: enough for RESTORE to check the target and carry the identity. */
export interface BackupSetMeta {
  name: string;
  shadow: boolean;
  /** Taken from a running database (BACKUP through disql): the restore needs RECOVER ... FROM BACKUPSET. */
  online?: boolean;
  /** 0 for an offline set or a BP-mode / LOCAL direct backup; a cluster backup (MP, BS-mode BP) has its own (MGT §8.8.3.3). */
  bakMagic?: number;
  sourceIni: string;
  sourceInstance: string;
  control: DbControl;
  time: string;
}

/** Writes a backup set directory (data files, `backupset.json`, a piece file); the caller checks the source. */
export function writeBackupSet(dbDir: string, dir: string, meta: BackupSetMeta): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of DATA_FILES) {
    const src = path.join(dbDir, f);
    if (fs.existsSync(src)) fs.copyFileSync(src, path.join(dir, f));
  }
  fs.writeFileSync(path.join(dir, "backupset.json"), JSON.stringify(meta, null, 1));
  fs.writeFileSync(path.join(dir, `${meta.name}.bak`), `DM8 simulated backup piece of ${meta.control.instanceName}\n`);
}

/** A backup set directory must be absent or empty (DM never writes over a set). */
export function backupSetDirBusy(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
}
