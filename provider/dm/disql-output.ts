/**
 * Parsing what disql prints for the scripts of sql.ts: result sets between marker lines
 * (`SET HEADING ON`, `SET COLSEP '|'`), NULL as null, numbers as numbers, and DM's error lines
 * (`第1 行附近出现错误[-2111]:无效的列名[C1].`) as {code, message}.
 */
import { SECTION_END, SECTION_PREFIX } from "./sql";

export type Cell = string | number | null;
export type Row = Record<string, Cell>;
export type ColumnType = "int" | "string";

export interface DmError {
  /** DM's negative error code, e.g. -2111. */
  readonly code: number;
  readonly message: string;
  /** The whole line, for logs. */
  readonly line: string;
}

/**
 * Where disql prints an error: a whole line, either a statement's (`第1 行附近出现错误[-2111]:
 * 无效的列名[C1].`) or a login's / the connection's (`[-70028]:创建SOCKET连接失败.`), at the start
 * of the line. A `[-n]` anywhere else is data (a DESCRIPTION such as `moved per ticket [-42]` in a
 * result row) and must not be taken for DM's error.
 */
const ERROR_RE = /^(?:第\s*\d+\s*行附近出现错误)?\[(-\d+)\]\s*[:：]\s*(.*)$/;

/** Every DM error line in a text (stdout or stderr of disql, dmrman, dminit). */
export function parseDmErrors(text: string): DmError[] {
  const out: DmError[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = stripPrompt(raw).trim();
    const m = ERROR_RE.exec(line);
    if (m) out.push({ code: Number(m[1]), message: m[2].trim(), line: line.trim() });
  }
  return out;
}

/** A cell's text as a value: `NULL` → null; in an int column (or, untyped, any integer) → number. */
export function parseCell(text: string, type?: ColumnType): Cell {
  const t = text.trim();
  if (t === "NULL") return null;
  if (type === "string") return t;
  if (/^-?\d+$/.test(t)) {
    const n = Number(t);
    if (Number.isSafeInteger(n)) return n;
  }
  if (type === "int") throw new Error(`expected an integer, got ${JSON.stringify(t)}`);
  return t;
}

function isRule(line: string): boolean {
  return /^[\s|-]+$/.test(line) && line.includes("-");
}

/** disql's interactive prompt, in case a build prints it despite -S. */
function stripPrompt(line: string): string {
  return line.replace(/^SQL>\s?/, "");
}

/**
 * One result set: a header line, an optional rule of dashes, rows. The last column takes the
 * rest of the line, so free text there may contain the separator. A leading 行号 column
 * (LINESHOW ON) is dropped; repeated headers (a new page) are skipped.
 */
export function parseResultSet(lines: readonly string[], types: Record<string, ColumnType> = {}): Row[] {
  const body = lines.map(stripPrompt).filter((l) => l.trim() !== "");
  if (body.length === 0) return [];
  const headerLine = body[0];
  let header = headerLine.split("|").map((h) => h.trim());
  const dropFirst = header[0] === "行号" || header[0] === "LINEID";
  if (dropFirst) header = header.slice(1);
  const rows: Row[] = [];
  for (const line of body.slice(1)) {
    if (isRule(line) || line === headerLine) continue;
    let parts = line.split("|");
    if (dropFirst) parts = parts.slice(1);
    if (parts.length < header.length) throw new Error(`a row has ${parts.length} columns, the header ${header.length}: ${JSON.stringify(line)}`);
    const cells = [...parts.slice(0, header.length - 1), parts.slice(header.length - 1).join("|")];
    const row: Row = {};
    header.forEach((h, i) => {
      row[h] = parseCell(cells[i], types[h]);
    });
    rows.push(row);
  }
  return rows;
}

export interface DisqlOutput {
  readonly sections: Map<string, string[]>;
  readonly errors: DmError[];
  /** The end marker was seen: the script ran to its end. */
  readonly complete: boolean;
}

/** Splits disql's output at the marker lines printed by `PROMPT ##DPC:<name>`. */
export function splitSections(stdout: string): DisqlOutput {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  let complete = false;
  for (const raw of stdout.split(/\r?\n/)) {
    const line = stripPrompt(raw);
    const at = line.indexOf(SECTION_PREFIX);
    if (at >= 0 && line.slice(0, at).trim() === "") {
      const name = line.slice(at + SECTION_PREFIX.length).trim();
      if (name === SECTION_END) {
        complete = true;
        current = undefined;
        continue;
      }
      current = [];
      sections.set(name, current);
      continue;
    }
    current?.push(line);
  }
  return { sections, errors: parseDmErrors(stdout), complete };
}
