/**
 * disql's result layout: a `行号` column, column names, a row of dashes, numbered rows; numeric
 * columns take their type's width (INT 11, BIGINT 20), text columns the widest of name and values,
 * measured in display columns (a Chinese character takes two, as in DM's GBK console).
 */
import type { Column } from "../server/tables";
import type { Value } from "../server/catalog-data";

export interface OutputSettings {
  heading: boolean;
  feedback: boolean;
  timing: boolean;
  lineshow: boolean;
  pagesize: number;
  colsep: string;
}

export function defaultSettings(): OutputSettings {
  return { heading: true, feedback: true, timing: true, lineshow: true, pagesize: 14, colsep: " " };
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\uffff]/.test(ch) && !/[\uff61-\uff9f]/.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - displayWidth(s)));
}

const TYPE_WIDTH: Record<string, number> = { INT: 11, BIGINT: 20 };

function show(v: Value): string {
  return v === null ? "NULL" : String(v);
}

export function formatRows(columns: Column[], rows: Value[][], s: OutputSettings): string {
  if (rows.length === 0) return "未选定行\n";
  const cells = rows.map((r) => r.map(show));
  const widths = columns.map((c, i) => {
    const data = Math.max(0, ...cells.map((r) => displayWidth(r[i])));
    const fixed = TYPE_WIDTH[c.type];
    if (fixed) return Math.max(fixed, displayWidth(c.name), data);
    return Math.max(c.type === "VARBINARY" ? 10 : 0, displayWidth(c.name), data);
  });
  const line = (parts: string[], rowNo: string | undefined) => {
    const all = s.lineshow ? [rowNo ?? "", ...parts] : parts;
    const ws = s.lineshow ? [10, ...widths] : widths;
    return all.map((p, i) => (i === all.length - 1 ? p : pad(p, ws[i]))).join(s.colsep).trimEnd();
  };
  const header = [line(columns.map((c) => c.name), "行号"), line(widths.map((w) => "-".repeat(w)), "-".repeat(10))];
  const out: string[] = [];
  const pageRows = s.pagesize > 0 ? s.pagesize : Infinity;
  cells.forEach((r, i) => {
    if (s.heading && s.pagesize > 0 && i % pageRows === 0) {
      if (i > 0) out.push("");
      out.push(...header);
    }
    out.push(line(r, String(i + 1)));
  });
  return out.join("\n") + "\n";
}
