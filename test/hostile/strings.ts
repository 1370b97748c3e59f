/**
 * The hostile strings of these suites: the shared fixture (75 strings) plus strings aimed at
 * this product's own readers (disql's NULL and markers, the wait-leader script separator) and
 * canaries: strings that, run by a shell anywhere, would create a file the suite looks for.
 */
import { hostileStrings } from "../fixtures/hostile-strings";

export const EXTRA: readonly string[] = [
  "NULL",
  "null",
  " NULL ",
  "##DPC:END",
  "PROMPT ##DPC:END",
  "未选定行",
  "--dbcluster-next-script--",
  "'); SP_DROP_FAULT_DOMAIN('FD_0', 1); --",
  "1|x|y",
  "-- comment",
  "/* c */",
  "\\N",
  "EXIT",
  "a\u00a0b\u00a0",
  // DM's error forms inside row data: only a whole line at its start is disql's error.
  "moved per ticket [-42]",
  "[-42]:moved",
  "第1 行附近出现错误[-2111]:无效的列名[C1].",
  "see [-70028]: socket",
];

/** Names the canary strings create when a shell runs them: searched for after every run. */
export const CANARY_NAMES = ["CANARY1", "CANARY2", "CANARY3", "CANARY4", "CANARY5", "CANARY6"];

/** `dir`: an absolute directory the canaries write into (kept short: passwords hold 48 characters). */
export function canaries(dir: string): string[] {
  const [a, b, c, d, e, f] = CANARY_NAMES;
  return [
    `$(touch ${dir}/${a})`,
    `\`touch ${dir}/${b}\``,
    `; touch ${dir}/${c}`,
    `'; touch ${dir}/${d}; '`,
    `"; touch ${dir}/${e}; "`,
    `x && touch ${f} || touch ${f}`,
  ];
}

export function hostile(canaryDir: string): string[] {
  return [...hostileStrings, ...EXTRA, ...canaries(canaryDir)];
}

/**
 * The rules each field states (DM's, and what the product can carry exactly), written here
 * from the documentation so that the suites predict which strings `check` must refuse.
 */
export const accepts = {
  /** DESCRIPTION: at most 256, one line, reads back from disql as written. */
  description: (s: string) => s.length <= 256 && !/[\0\r\n]/.test(s) && s === s.trim() && s !== "NULL",
  /** A base directory or DM home: absolute, fits dm.ini (no #, one line, no trailing blank). */
  path: (p: string) => p.length <= 200 && p.startsWith("/") && !/[\0\r\n#]/.test(p) && !/\s$/.test(p),
  iniValue: (s: string) => !/[\0\r\n#]/.test(s) && s === s.trim(),
  password: (s: string) => s.length >= 9 && s.length <= 48 && !/["#\0\r\n]/.test(s) && s === s.trim(),
  instanceName: (s: string) => s.length <= 16 && /^[A-Za-z][A-Za-z0-9_]*$/.test(s),
  catalogName: (s: string) => s.length <= 128 && /^[A-Za-z_][A-Za-z0-9_$#]*$/.test(s),
  address: (s: string) => s.length >= 1 && s.length <= 255 && /^[A-Za-z0-9_.:-]+$/.test(s),
};
