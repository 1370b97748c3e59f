import { ObError } from "./errors";
import { liveDest, parseDays, parseDestOption, setRel } from "./progress";
import { ClusterState } from "./state";
import { copyFiles, removeFiles } from "./store";

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
  /** DELETED once backup_backup_dest_option's recovery window expired it (expireCopies). */
  fileStatus?: "AVAILABLE" | "DELETED";
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
    // An expired copy still counts as a copy made (guess: no source shows whether an expired copy is
    // made again; the product declares no copy window shorter than the sets', so it does not rely on it).
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

/**
 * `backup_backup_dest_option` as 3.x takes it for the second destination: ObBackupDestOpt::init
 * parses it (its unit test, share/backup/test_backup_struct.cpp: `key=value` pairs joined by `&`,
 * no blanks, no empty value, no unknown key, values that parse, else OB_INVALID_ARGUMENT; auto
 * delete with auto touch OB_NOT_SUPPORTED), then the root service's check_backup_dest_opt checks
 * the ranges and, for the second destination, refuses a piece interval and copies with
 * OB_NOT_SUPPORTED (their texts as it sets them). Not shown: what ObBackupDestOpt::init itself does
 * with these keys on the second destination (the unit tests that refuse a piece interval and
 * copies there with OB_INVALID_ARGUMENT hold log_archive_checkpoint_interval too), so the lab
 * refuses log_archive_checkpoint_interval in init and lets the others through to the check:
 * both marked guesses in errors.ts.
 */
export function checkBackupBackupDestOption(value: string): void {
  if (value === "") return;
  const pairs = value.split("&").map((part) => /^([a-z_]+)=(\S+)$/i.exec(part));
  if (/\s/.test(value) || pairs.some((m) => m === null)) throw new ObError("invalidArgument");
  const opt: Record<string, string> = {};
  for (const m of pairs as RegExpExecArray[]) opt[m[1].toLowerCase()] = m[2];
  const known = ["recovery_window", "auto_delete_obsolete_backup", "auto_update_reserved_backup_timestamp", "log_archive_piece_switch_interval", "backup_copies", "log_archive_checkpoint_interval"];
  if (Object.keys(opt).some((key) => !known.includes(key))) throw new ObError("invalidArgument");
  if (opt.log_archive_checkpoint_interval !== undefined) throw new ObError("backupBackupCheckpointInterval");
  const bool = (v: string | undefined) => (v === undefined ? false : /^(true|on|yes|1)$/i.test(v) ? true : /^(false|off|no|0)$/i.test(v) ? false : undefined);
  const window = opt.recovery_window === undefined ? 0 : intervalMs(opt.recovery_window);
  const piece = opt.log_archive_piece_switch_interval === undefined ? 0 : intervalMs(opt.log_archive_piece_switch_interval);
  const copies = opt.backup_copies === undefined ? 0 : /^-?\d+$/.test(opt.backup_copies) ? Number(opt.backup_copies) : Number.NaN;
  const autoDelete = bool(opt.auto_delete_obsolete_backup);
  const autoTouch = bool(opt.auto_update_reserved_backup_timestamp);
  if ([window, piece, copies].some(Number.isNaN) || autoDelete === undefined || autoTouch === undefined) throw new ObError("invalidArgument");
  if (autoDelete && autoTouch) throw new ObError("notSupported", "auto delete and touch backup at same time is");
  // check_backup_dest_opt, in its order.
  if (piece !== 0 && (piece < 86_400_000 || piece > 7 * 86_400_000)) throw new ObError("backupBackupOptNotSupported", "invalid piece_switch_interval out of range [1d,7d] is");
  if (copies !== 0) throw new ObError("backupBackupOptNotSupported", "backup_copies out of range [0,8] is");
  if (piece !== 0) throw new ObError("backupBackupOptNotSupported", "set piece_switch_interval for backup backup dest is");
}

/** A config time interval (`14d`, `12h`, `30m`, `90s`, `500ms`; a bare number is µs) in ms; NaN when not one. */
export function intervalMs(text: string): number {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/i.exec(text.trim());
  if (!m) return Number.NaN;
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "us").toLowerCase() as "us"];
  return Number(m[1]) * unit;
}

/**
 * What the root service's auto delete does for the second destination when
 * backup_backup_dest_option has auto_delete_obsolete_backup=true (ObBackupDataClean, clean type
 * DELETE OBSOLETE BACKUP BACKUP): copies there older than its recovery_window expire, by the rule
 * the first destination's sets follow (the newest full copy outside the window and every copy
 * after it stay); their files are removed from the second destination, the sets themselves (COPY_ID
 * 0) are not touched. A piece copy expires once its round is over and the oldest kept full copy
 * began after the piece copy was made.
 */
export function expireCopies(s: ClusterState, now: number): number {
  const opt = parseDestOption(s.params.backup_backup_dest_option ?? "");
  const window = intervalMs(opt.recovery_window ?? "0");
  if (opt.auto_delete_obsolete_backup?.toLowerCase() !== "true" || !(window > 0)) return 0;
  const horizon = now - window;
  let removed = 0;
  const live = (c: CopyRecord) => c.status === "SUCCESS" && c.fileStatus !== "DELETED" && c.end !== null;
  const expire = (c: CopyRecord, rel: string, names: readonly string[], setId: number) => {
    try {
      removeFiles(liveDest(s, c.tenantId, c.dest), rel, names);
    } catch {
      return; // the storage refused: the copy stays for a later pass
    }
    c.fileStatus = "DELETED";
    s.clean.push({ tenantId: c.tenantId, setId, start: now, end: now, type: "DELETE OBSOLETE BACKUP BACKUP" });
    removed++;
  };
  for (const tenantId of new Set(copiesOf(s).map((c) => c.tenantId))) {
    const typeOf = (c: CopyRecord) => s.sets.find((x) => x.tenantId === tenantId && x.setId === c.id)?.type;
    const sets = copiesOf(s).filter((c) => c.kind === "set" && c.tenantId === tenantId && live(c)).sort((a, b) => a.id - b.id);
    const anchor = [...sets].reverse().find((c) => typeOf(c) === "full" && c.end! <= horizon);
    if (!anchor) continue;
    for (const c of sets) if (c.id < anchor.id) expire(c, setRel(s, tenantId, c.id, typeOf(c) ?? "full"), ["macro_block_data", "backup_set_info"], c.id);
    const round = s.archive[String(tenantId)]?.round ?? 0;
    for (const c of copiesOf(s).filter((p) => p.kind === "piece" && p.tenantId === tenantId && live(p) && p.id < round && p.end! < anchor.start)) {
      expire(c, [s.name, String(s.clusterId), "incarnation_1", String(tenantId), "clog", String(c.id)].join("/"), ["archive_key"], 0);
    }
  }
  return removed;
}
