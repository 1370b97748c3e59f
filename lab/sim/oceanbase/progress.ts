import * as fs from "fs";
import * as path from "path";
import { ArchiveRecord, BackupKind, ClusterState, JobRecord, isV4 } from "./state";
import { filePath, putFiles, removeFiles } from "./store";
import { expireCopies, settleCopies } from "./backup-backup";
import { displayDest } from "./oss/signature";
import { OB_ERRORS } from "./errors";
import { hostWithoutMount } from "./mount";

export { filePath };

/**
 * How the cluster moves on with lab time: archive rounds reach DOING, data backups finish and
 * write their backup set, compactions end, obsolete sets are cleaned. Applied lazily whenever a
 * server reads the state, so that nothing waits in real time: advancing the lab clock finishes
 * what was due.
 */
export const DURATIONS = {
  archiveStartMs: 1500,
  archiveStopMs: 1000,
  fullBackupMs: 2500,
  incBackupMs: 1200,
  mergeMs: 1500,
  /** How often a DOING round writes to its destination: 4.x archive_lag_target's and 3.x log_archive_checkpoint_interval's default, 120 s. */
  archiveWriteMs: 120_000,
} as const;

/** `labDir`: where the hosts' faults are (a running server meets the shared directory's unmount). */
export function settle(s: ClusterState, now: number, labDir?: string): void {
  for (const [tenantId, a] of Object.entries(s.archive)) settleArchive(s, Number(tenantId), a, now, labDir);
  for (const j of s.jobs) if (j.status === "RUNNING" && !s.hangBackups) settleJob(s, j, now, labDir);
  for (const m of Object.values(s.merge)) {
    if (m.status === "MERGING" && now >= m.startedAt + DURATIONS.mergeMs) {
      m.status = "IDLE";
      m.lastMergedVersion = m.frozenVersion;
      m.lastMergedAt = m.startedAt + DURATIONS.mergeMs;
    }
  }
  settleCopies(s, now);
  cleanObsolete(s, now);
  if (!isV4(s)) expireCopies(s, now);
}

function settleArchive(s: ClusterState, tenantId: number, a: ArchiveRecord, now: number, labDir: string | undefined): void {
  if (a.status === "BEGINNING" && now >= a.changedAt + DURATIONS.archiveStartMs) {
    a.status = "DOING";
    a.changedAt += DURATIONS.archiveStartMs;
    a.startedAt = a.changedAt;
    a.comment = undefined;
    writeArchivePiece(s, tenantId, a, a.changedAt);
  } else if (a.status === "STOPPING" && now >= a.changedAt + DURATIONS.archiveStopMs) {
    a.status = "STOP";
    a.changedAt += DURATIONS.archiveStopMs;
  }
  if (a.status !== "DOING") return;
  const dir = filePath(a.dest);
  // Archiving into a directory that vanished (an unmounted NFS) stops with INTERRUPTED.
  if (dir !== undefined && !fs.existsSync(dir)) return interrupt(a, now, `${OB_ERRORS.archiveIoError.text}: ${dir} is not there`);
  if (now < (a.wroteAt ?? a.startedAt ?? a.changedAt) + DURATIONS.archiveWriteMs) return;
  if (dir === undefined) {
    // OSS: the round writes with the keys it started with; once they are revoked its next write fails.
    writeArchivePiece(s, tenantId, a, now);
  } else {
    // 4.x: each log stream's leader archives its own logs, so its next write from a server host
    // without the mount fails (3.x: not modelled, see the README).
    const lost = isV4(s) && labDir !== undefined ? hostWithoutMount(labDir, s, dir) : undefined;
    if (lost !== undefined) return interrupt(a, now, `${OB_ERRORS.archiveIoError.text}: ${dir} is not mounted on the server host ${lost}`);
    a.wroteAt = now;
  }
}

function interrupt(a: ArchiveRecord, now: number, comment: string): void {
  a.status = "INTERRUPTED";
  a.changedAt = now;
  a.comment = comment;
}

const durationOf = (type: BackupKind) => (type === "full" ? DURATIONS.fullBackupMs : DURATIONS.incBackupMs);

function settleJob(s: ClusterState, j: JobRecord, now: number, labDir: string | undefined): void {
  const end = Math.max(j.start, j.resumedAt ?? 0) + durationOf(j.type);
  if (now < end) return;
  const rel = setRel(s, j.tenantId, j.setId, j.type);
  const dir = filePath(j.dest);
  const unmounted = dir !== undefined && labDir !== undefined ? hostWithoutMount(labDir, s, dir) : undefined;
  if (unmounted !== undefined) {
    const e = isV4(s) ? OB_ERRORS.backupPermissionDenied : OB_ERRORS.backupMountFileNotValid;
    j.status = "FAILED";
    j.end = end;
    j.result = -e.code;
    j.comment = `${e.text} (server on ${unmounted})`;
    s.sets.push({ tenantId: j.tenantId, setId: j.setId, type: j.type, status: "FAILED", fileStatus: "AVAILABLE", start: j.start, end, bytes: 0, dest: j.dest, path: rel, result: j.result });
    return;
  }
  let bytes = 0;
  try {
    bytes = writeBackupSet(rel, s, j);
  } catch (e) {
    j.status = "FAILED";
    j.end = end;
    j.comment = `write ${rel}: ${(e as Error).message}`;
    s.sets.push({ tenantId: j.tenantId, setId: j.setId, type: j.type, status: "FAILED", fileStatus: "AVAILABLE", start: j.start, end, bytes: 0, dest: j.dest, path: rel });
    return;
  }
  j.status = "COMPLETED";
  j.end = end;
  s.sets.push({ tenantId: j.tenantId, setId: j.setId, type: j.type, status: "SUCCESS", fileStatus: "AVAILABLE", start: j.start, end, bytes, dest: j.dest, path: rel });
}

/** A backup set's place below its destination (3.x: cluster/id/incarnation/tenant/data; 4.x: the tenant's dest). */
export function setRel(s: ClusterState, tenantId: number, setId: number, type: BackupKind): string {
  if (isV4(s)) return `backup_set_${setId}_${type}`;
  return [s.name, String(s.clusterId), "incarnation_1", String(tenantId), "data", `backup_set_${setId}`].join("/");
}

const SET_FILES = ["macro_block_data", "backup_set_info"] as const;

function writeBackupSet(rel: string, s: ClusterState, j: JobRecord): number {
  // Stand-in data: a real set holds macro blocks; size grows with the cluster's history.
  const data = Buffer.alloc(j.type === "full" ? 64 * 1024 : 8 * 1024, 65 + (j.setId % 26));
  const info = { cluster: s.name, clusterId: s.clusterId, tenantId: j.tenantId, backupSetId: j.setId, type: j.type, start: new Date(j.start).toISOString() };
  return putFiles(j.dest, rel, [[SET_FILES[0], data], [SET_FILES[1], JSON.stringify(info) + "\n"]]);
}

function writeArchivePiece(s: ClusterState, tenantId: number, a: ArchiveRecord, at: number): void {
  const rel = isV4(s) ? `piece_d1r${a.round}p1` : [s.name, String(s.clusterId), "incarnation_1", String(tenantId), "clog", String(a.round)].join("/");
  const first = a.wroteAt === undefined;
  try {
    putFiles(a.dest, rel, first ? [["archive_key", JSON.stringify({ tenantId, round: a.round, start: new Date(a.changedAt).toISOString() }) + "\n"]] : [["checkpoint_info", JSON.stringify({ tenantId, round: a.round, checkpoint: new Date(at).toISOString() }) + "\n"]]);
    a.wroteAt = at;
  } catch (e) {
    interrupt(a, at, `${OB_ERRORS.archiveIoError.text}: ${(e as Error).message}`);
  }
}

/**
 * The recovery window (days) of a tenant's sets, or 0 when nothing expires. `automatic`: only a
 * window the server enforces on its own (3.x auto_delete_obsolete_backup, 4.x a delete policy);
 * otherwise the window an explicit DELETE OBSOLETE BACKUP applies.
 */
function windowDays(s: ClusterState, tenantId: number, automatic: boolean): number {
  if (isV4(s)) return s.deletePolicies[String(tenantId)]?.windowDays ?? 0;
  const opt = parseDestOption(s.params.backup_dest_option ?? "");
  if (automatic && opt.auto_delete_obsolete_backup !== "true") return 0;
  const days = parseDays(opt.recovery_window ?? "0");
  return Number.isFinite(days) ? days : 0;
}

/**
 * A destination as the cluster holds it now: a set written under a root path is reached with
 * that path's current keys (OceanBase keeps one storage info per root path, so new keys for the
 * same path serve the old sets too).
 */
export function liveDest(s: ClusterState, tenantId: number, dest: string): string {
  const current = isV4(s) ? [s.tenantParams[String(tenantId)]?.data_backup_dest ?? ""] : [s.params.backup_dest ?? "", s.params.backup_backup_dest ?? ""];
  return current.find((d) => d !== "" && displayDest(d) === displayDest(dest)) ?? dest;
}

/**
 * Sets older than the recovery window are obsolete, but the newest full set outside the window
 * and every set after it stay: a restore to any point inside the window needs them.
 */
export function cleanObsolete(s: ClusterState, now: number, explicit = false): number {
  let removed = 0;
  const tenants = new Set(s.sets.map((x) => x.tenantId));
  for (const tenantId of tenants) {
    const days = windowDays(s, tenantId, !explicit);
    if (days <= 0) continue;
    const horizon = now - days * 86_400_000;
    const live = s.sets.filter((x) => x.tenantId === tenantId && x.fileStatus === "AVAILABLE" && x.status === "SUCCESS").sort((a, b) => a.setId - b.setId);
    const anchor = [...live].reverse().find((x) => x.type === "full" && x.end <= horizon);
    if (!anchor) continue;
    for (const x of live) {
      if (x.setId >= anchor.setId) break;
      try {
        removeFiles(liveDest(s, x.tenantId, x.dest), setRel(s, x.tenantId, x.setId, x.type), SET_FILES);
      } catch {
        // The storage refused (OSS keys rotated away from under the server): the set stays for a later clean.
        continue;
      }
      x.fileStatus = "DELETED";
      s.clean.push({ tenantId, setId: x.setId, start: now, end: now, type: isV4(s) ? "AUTO DELETE OBSOLETE BACKUP" : "DELETE OBSOLETE BACKUP" });
      removed++;
    }
  }
  return removed;
}

export function parseDestOption(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split("&")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    out[(eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase()] = eq < 0 ? "" : part.slice(eq + 1).trim();
  }
  return out;
}

/** `7d` → 7; `0` → 0; anything else NaN. */
export function parseDays(text: string): number {
  const m = /^(\d+)d?$/i.exec(text.trim());
  return m ? Number(m[1]) : Number.NaN;
}

/** A running data backup; 3.x backs up every tenant of the cluster under one set id (`setId`). */
export function newJob(s: ClusterState, tenantId: number, type: BackupKind, dest: string, now: number, setId = s.nextSetId++): JobRecord {
  const j: JobRecord = { id: s.nextJobId++, tenantId, setId, type, status: "RUNNING", start: now, end: null, dest, comment: "" };
  s.jobs.push(j);
  return j;
}
