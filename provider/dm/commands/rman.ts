/** dmrman: offline backup and restore, an online set's restore, UPDATE DB_MAGIC. */
import { bash, quote, sh } from "../../core/quote/sh";
import { RMAN } from "../sql";
import { files, tool, type InstanceLayout } from "./layout";

function rman(l: { dmHome?: string }, stmt: string): string {
  return sh`${tool(l, "dmrman")} ${"CTLSTMT=" + stmt} USE_AP=2`;
}

/** Offline full backup into `<path>/<name>` (seed 7.2.7.1); the name is new to this run, so no set is replaced. */
export function backupCommand(l: InstanceLayout, name: string, shadow = false): string {
  return rman(l, RMAN.backup(files.dmIni(l), name, files.backupSet(l, name), shadow));
}

export function restoreCommand(l: InstanceLayout, backupSet: string, toShadow = false): string {
  return rman(l, RMAN.restore(files.dmIni(l), backupSet, toShadow));
}

/** Where a statement takes the set's BAK_MAGIC, read at run time (the shell's $magic). */
const MAGIC = "\u0000BAK_MAGIC\u0000";

/** dmrman with a statement holding MAGIC: the statement quoted around a double-quoted "$magic". */
function rmanWithMagic(l: { dmHome?: string }, stmt: string): string {
  const word = ("CTLSTMT=" + stmt).split(MAGIC).map((part) => (part ? quote(part) : "")).join('"$magic"');
  return `${sh`${tool(l, "dmrman")}`} ${word} USE_AP=2`;
}

/**
 * An online set into a database, as MGT §8.2.2 does it: `SHOW BACKUPSET` for its BAK_MAGIC, then
 * `RESTORE ... USE BAK_MAGIC n` and `RECOVER ... FOR STANDBY FROM BACKUPSET ... USE BAK_MAGIC n
 * UNTIL END_LSN` (UPDATE DB_MAGIC is its own step). The BAK_MAGIC is taken from the first line
 * that starts with the word BAK_MAGIC, whatever the separator: dmrman echoes the statement, and
 * the set's path in it may hold "BAK_MAGIC1". None is a failure naming the set.
 */
export function restoreOnlineSetCommand(l: InstanceLayout, backupSet: string, toShadow = false): string {
  const ini = files.dmIni(l);
  return bash(
    `out=$(${rman(l, RMAN.showBackupSet(backupSet))}) || { printf '%s\\n' "$out" >&2; exit 1; }; printf '%s\\n' "$out"; ` +
    `magic=$(printf '%s\\n' "$out" | grep -i '^[[:space:]]*BAK_MAGIC[^0-9A-Z_]' | head -n 1 | grep -o '[0-9][0-9]*' | head -n 1); ` +
    sh`if [ -z "$magic" ]; then echo "dmrman SHOW BACKUPSET printed no BAK_MAGIC for "${backupSet} >&2; exit 1; fi; ` +
    `${rmanWithMagic(l, RMAN.restore(ini, backupSet, toShadow, MAGIC))} && ${rmanWithMagic(l, RMAN.recoverForStandby(ini, backupSet, MAGIC))}`,
  );
}

export function updateDbMagicCommand(l: InstanceLayout): string {
  return rman(l, RMAN.updateDbMagic(files.dmIni(l)));
}
