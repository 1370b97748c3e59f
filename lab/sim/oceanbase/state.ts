import * as fs from "fs";
import * as path from "path";
import type { StandbyFields } from "./standby/model";

/**
 * The state one OceanBase cluster's OBServers share. On a real cluster it is replicated by
 * Paxos between the servers; here every OBServer stand-in of a cluster reads and writes one JSON
 * file under the lab directory, under a lock, so that any server answers for the whole cluster
 * (a client may connect to any of them), as on the real system.
 */
export type ObVersion = "3.2.4" | "4.2.1";
export const OB_VERSIONS: readonly ObVersion[] = ["3.2.4", "4.2.1"];

export const isV4 = (s: { version: string }): boolean => s.version.startsWith("4.");

export interface ObServerRecord {
  readonly host: string;
  readonly zone: string;
  readonly address: string;
  readonly sqlPort: number;
  readonly rpcPort: number;
}

export interface TenantRecord {
  readonly id: number;
  readonly name: string;
}

/** 3.x: STOP, BEGINNING, DOING, STOPPING, INTERRUPTED; 4.x adds PREPARE, SUSPEND... */
export type ArchiveStatus = "STOP" | "BEGINNING" | "DOING" | "STOPPING" | "INTERRUPTED";

export interface ArchiveRecord {
  status: ArchiveStatus;
  round: number;
  /** Lab ms of the last status change. */
  changedAt: number;
  /** When the current (or last) round reached DOING. */
  startedAt: number | null;
  /** The destination the round archives to (3.x backup_dest, 4.x LOG_ARCHIVE_DEST's LOCATION). */
  dest: string;
  pieceSwitchDays: number;
  /** Why the round went INTERRUPTED (4.x CDB_OB_ARCHIVELOG.COMMENT). */
  comment?: string;
  /** Lab ms the round last wrote to its destination (a DOING round writes every ARCHIVE_WRITE_MS). */
  wroteAt?: number;
}

export type JobStatus = "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED";
export type BackupKind = "full" | "inc";

export interface JobRecord {
  readonly id: number;
  readonly tenantId: number;
  readonly setId: number;
  readonly type: BackupKind;
  status: JobStatus;
  readonly start: number;
  end: number | null;
  readonly dest: string;
  comment: string;
  /** OceanBase's error number a failed job ended with (negative, as the views show it). */
  result?: number;
  /** Lab ms a hung job was let go (it finishes its work from then on). */
  resumedAt?: number;
}

export interface BackupSetRecord {
  readonly tenantId: number;
  readonly setId: number;
  readonly type: BackupKind;
  readonly status: "SUCCESS" | "FAILED";
  fileStatus: "AVAILABLE" | "DELETED";
  readonly start: number;
  readonly end: number;
  readonly bytes: number;
  readonly dest: string;
  readonly path: string;
  /** OceanBase's error number of a FAILED set (negative), 0 or absent for SUCCESS. */
  readonly result?: number;
}

export interface CleanRecord {
  readonly tenantId: number;
  readonly setId: number;
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

export interface MergeRecord {
  frozenVersion: number;
  lastMergedVersion: number;
  status: "IDLE" | "MERGING";
  startedAt: number;
  lastMergedAt: number;
}

export interface ClusterState extends StandbyFields {
  readonly name: string;
  readonly version: ObVersion;
  readonly clusterId: number;
  /** SHA1(SHA1(password)) of root@sys, hex: what mysql_native_password needs to verify a scramble. */
  readonly rootHash: string;
  readonly servers: ObServerRecord[];
  readonly tenants: TenantRecord[];
  /** Cluster-scope parameters (3.x `backup_dest`, `backup_dest_option`, ...). */
  params: Record<string, string>;
  /** Tenant-scope parameters by tenant id (4.x `log_archive_dest`, `data_backup_dest`, ...). */
  tenantParams: Record<string, Record<string, string>>;
  /** Archive state by tenant id (3.x: every tenant follows the cluster-wide command). */
  archive: Record<string, ArchiveRecord>;
  jobs: JobRecord[];
  sets: BackupSetRecord[];
  clean: CleanRecord[];
  /** 4.x delete policies: tenant id → recovery window in days. */
  deletePolicies: Record<string, { name: string; windowDays: number }>;
  /** Cluster-wide (3.x) or per tenant id (4.x; "0" for the cluster). */
  merge: Record<string, MergeRecord>;
  /** Lab ms of the last write to user data: a full backup wants a compaction after it (OCP's precheck). */
  lastDataChangeAt: number;
  nextJobId: number;
  nextSetId: number;
  /** 3.x backup of backups: copies of sets and pieces (backup-backup.ts). */
  copies?: import("./backup-backup").CopyRecord[];
  /** Faults the lab can set: data backups that never finish. */
  hangBackups?: boolean;
}

export function clusterDir(labDir: string, name: string): string {
  return path.join(labDir, "oceanbase", name);
}

export function stateFile(labDir: string, name: string): string {
  return path.join(clusterDir(labDir, name), "cluster.json");
}

export function readState(labDir: string, name: string): ClusterState {
  return JSON.parse(fs.readFileSync(stateFile(labDir, name), "utf8")) as ClusterState;
}

/** What a freshly bootstrapped cluster has of backups, jobs and parameters: none. */
export function freshFields() {
  return { params: {}, tenantParams: {}, archive: {}, jobs: [], sets: [], clean: [], deletePolicies: {}, nextJobId: 1, nextSetId: 1 } satisfies Partial<ClusterState>;
}

export function writeState(labDir: string, s: ClusterState, key = s.key ?? s.name): void {
  const file = stateFile(labDir, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 1) + "\n");
  fs.renameSync(tmp, file);
}

const STALE_LOCK_MS = 10_000;

/** Runs `body` on the cluster's state under an exclusive lock and saves what it changed. */
export function withState<T>(labDir: string, name: string, body: (s: ClusterState) => T): T {
  const lock = `${stateFile(labDir, name)}.lock`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, "wx"));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
      } catch { /* removed meanwhile */ }
      if (Date.now() > deadline) throw new Error(`cannot lock ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    const s = readState(labDir, name);
    const before = JSON.stringify(s);
    const out = body(s);
    if (JSON.stringify(s) !== before) writeState(labDir, s, name);
    return out;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export function tenantByName(s: ClusterState, name: string): TenantRecord | undefined {
  return s.tenants.find((t) => t.name.toLowerCase() === name.toLowerCase());
}

export const userTenants = (s: ClusterState): TenantRecord[] => s.tenants.filter((t) => t.id !== 1);
