import { ObError } from "./errors";
import { parseDays, parseDestOption, setRel } from "./progress";
import { ClusterState } from "./state";
import { copyFiles } from "./store";

/**
 * 3.x backup of backups (spec oceanbase-source-check.md §A; rs/backup/ob_backup_backupset_scheduler.cpp):
 * `BACKUP BACKUPSET ALL NOT BACKED UP n TIMES` / `BACKUP BACKUPSET = id` copy data backup sets,
 * `BACKUP BACKUPPIECE ALL NOT BACKED UP n TIMES [WITH ACTIVE BACKUPPIECE]` copy archive pieces,
 * from backup_dest to backup_backup_dest. A copy takes lab time and writes the same files under
 * the second destination; finished copies are rows of CDB_OB_BACKUP_SET_FILES /
 * CDB_OB_BACKUP_PIECE_FILES with COPY_ID 1, 2, ... (the original is 0).
 */
export interface CopyRecord {
  readonly kind: "set" | "piece";
  readonly tenantId: number;
  /** The set id (kind set) or the archive round (kind piece: one piece per round here). */
  readonly id: number;
  readonly copyId: number;
  status: "RUNNING" | "SUCCESS" | "FAILED";
  readonly start: number;
  end: number | null;
  readonly dest: string;
  comment: string;
}

export const BACKUP_BACKUP_MS = 1000;

const copiesOf = (s: ClusterState) => (s.copies ??= []);

function common(s: ClusterState, kind: CopyRecord["kind"]): string {
  const dest = s.params.backup_backup_dest ?? "";
  // Guess: no source shows the answer to a copy with no second destination set.
  if (dest === "") throw new ObError("destNotValid");
  if (dest === (s.params.backup_dest ?? "")) throw new ObError("noBackupData");
  if (copiesOf(s).some((c) => c.kind === kind && c.status === "RUNNING")) throw new ObError("tryAgain");
  return dest;
}

/** `ALTER SYSTEM BACKUP BACKUPSET ...` / `BACKUP BACKUPPIECE ...`; false when the statement is not one of them. */
export function backupBackup(s: ClusterState, stmt: string, now: number): boolean {
  let m: RegExpExecArray | null;
  if ((m = /^ALTER\s+SYSTEM\s+BACKUP\s+BACKUPSET\s+(?:ALL\s+NOT\s+BACKED\s+UP\s+(\d+)\s+TIMES|=?\s*(\d+))$/i.exec(stmt))) {
    const dest = common(s, "set");
    const times = m[1] ? Number(m[1]) : Number.POSITIVE_INFINITY;
    const live = s.sets.filter((x) => x.status === "SUCCESS" && x.fileStatus === "AVAILABLE");
    if (!live.some((x) => x.type === "full")) throw new ObError("noBackupData");
    const wanted = m[2] ? live.filter((x) => x.setId === Number(m![2])) : live;
    if (m[2] && wanted.length === 0) throw new ObError("noBackupData");
    const copied = (tenantId: number, id: number) => copiesOf(s).filter((c) => c.kind === "set" && c.tenantId === tenantId && c.id === id && c.status === "SUCCESS" && c.dest === dest).length;
    const todo = wanted.filter((x) => copied(x.tenantId, x.setId) < times && (m![2] === undefined || copied(x.tenantId, x.setId) === 0));
    if (todo.length === 0) throw new ObError("noBackupData");
    for (const x of todo) copiesOf(s).push({ kind: "set", tenantId: x.tenantId, id: x.setId, copyId: copied(x.tenantId, x.setId) + 1, status: "RUNNING", start: now, end: null, dest, comment: "" });
    return true;
  }
  if ((m = /^ALTER\s+SYSTEM\s+BACKUP\s+BACKUPPIECE\s+ALL\s+NOT\s+BACKED\s+UP\s+(\d+)\s+TIMES(\s+WITH\s+ACTIVE\s+BACKUPPIECE)?$/i.exec(stmt))) {
    const dest = common(s, "piece");
    // Guess (no source text): pieces exist only in piece mode (log_archive_piece_switch_interval > 0).
    const piece = parseDays(parseDestOption(s.params.backup_dest_option ?? "").log_archive_piece_switch_interval ?? "0");
    if (!(piece > 0)) throw new ObError("notSupported", "backup backuppiece without log archive piece switch is");
    const times = Number(m[1]);
    const copied = (tenantId: number, round: number) => copiesOf(s).filter((c) => c.kind === "piece" && c.tenantId === tenantId && c.id === round && c.status === "SUCCESS" && c.dest === dest).length;
    // The round being archived is the active piece: copied only WITH ACTIVE BACKUPPIECE.
    const pieces = Object.entries(s.archive).filter(([, a]) => a.startedAt !== null && (m![2] !== undefined || a.status !== "DOING")).map(([t, a]) => ({ tenantId: Number(t), round: a.round }));
    const todo = pieces.filter((p) => copied(p.tenantId, p.round) < times);
    if (todo.length === 0) throw new ObError("noBackupData");
    for (const p of todo) copiesOf(s).push({ kind: "piece", tenantId: p.tenantId, id: p.round, copyId: copied(p.tenantId, p.round) + 1, status: "RUNNING", start: now, end: null, dest, comment: "" });
    return true;
  }
  return false;
}

/** Finishes copies whose time is up: the files are read from the first destination and written to the second. */
export function settleCopies(s: ClusterState, now: number): void {
  for (const c of s.copies ?? []) {
    if (c.status !== "RUNNING" || now < c.start + BACKUP_BACKUP_MS) continue;
    c.end = c.start + BACKUP_BACKUP_MS;
    try {
      if (c.kind === "set") {
        const set = s.sets.find((x) => x.tenantId === c.tenantId && x.setId === c.id);
        if (!set) throw new Error(`backup set ${c.id} is gone`);
        const rel = setRel(s, c.tenantId, c.id, set.type);
        copyFiles(set.dest, c.dest, rel, ["macro_block_data", "backup_set_info"]);
      } else {
        const a = s.archive[String(c.tenantId)];
        const rel = [s.name, String(s.clusterId), "incarnation_1", String(c.tenantId), "clog", String(c.id)].join("/");
        copyFiles(a.dest, c.dest, rel, ["archive_key"]);
      }
      c.status = "SUCCESS";
    } catch (e) {
      c.status = "FAILED";
      c.comment = (e as Error).message;
    }
  }
}
