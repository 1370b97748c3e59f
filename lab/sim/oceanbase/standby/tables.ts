/**
 * A user tenant's own tables, as far as a standby needs them: CREATE TABLE, INSERT ... VALUES,
 * SELECT (the stand-in's SELECT subset), DROP TABLE. Every write is stamped with an SCN (lab µs):
 * that is the redo a standby applies. On a standby, writes and strong reads are refused with
 * 4688 ("standby cluster support weak read only"); weak reads (`SET ob_read_consistency = WEAK`
 * or the `READ_CONSISTENCY(WEAK)` hint) see what has been applied.
 */
import { ObError, type ObErrorName } from "../errors";
import { runSelect, tokenize, type Cell, type ResultSet, type SelectContext } from "../sql/select";
import type { ClusterState } from "../state";
import { scnOf, type UserTable } from "./model";

type Reply = { kind: "ok"; affectedRows: number } | { kind: "rows"; result: ResultSet };

/** Session variables per connection of this OBServer process. */
const weakReads = new Map<number, boolean>();

const bare = (name: string) => name.split(".").pop()!.toLowerCase();

function tablesOf(s: ClusterState, tenantId: number): Record<string, UserTable> {
  s.data ??= {};
  return (s.data[String(tenantId)] ??= {});
}

function nextScn(s: ClusterState, now: number): number {
  const scn = Math.max(scnOf(now), (s.lastWriteScn ?? 0) + 1);
  s.lastWriteScn = scn;
  s.lastDataChangeAt = now;
  return scn;
}

function splitTopLevel(toks: ReturnType<typeof tokenize>): ReturnType<typeof tokenize>[] {
  const parts: ReturnType<typeof tokenize>[] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.t === "sym" && t.v === "(") depth++;
    if (t.t === "sym" && t.v === ")") depth--;
    if (depth === 0 && t.t === "sym" && t.v === ",") parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts;
}

function literal(toks: ReturnType<typeof tokenize>): Cell {
  if (toks.length === 1 && toks[0].t === "str") return toks[0].v;
  if (toks.length === 1 && toks[0].t === "num") return Number(toks[0].v);
  if (toks.length === 1 && toks[0].t === "id" && toks[0].v.toUpperCase() === "NULL") return null;
  if (toks.length === 2 && toks[0].v === "-" && toks[1].t === "num") return -Number(toks[1].v);
  throw new ObError("parse", toks.map((t) => t.v).join(" ").slice(0, 40));
}

function parenGroups(toks: ReturnType<typeof tokenize>, from: number): ReturnType<typeof tokenize>[] {
  const groups: ReturnType<typeof tokenize>[] = [];
  let i = from;
  while (i < toks.length) {
    if (toks[i].v !== "(") throw new ObError("parse", toks.slice(i, i + 3).map((t) => t.v).join(" "));
    let depth = 0;
    const start = i;
    for (; i < toks.length; i++) {
      if (toks[i].v === "(") depth++;
      if (toks[i].v === ")" && --depth === 0) break;
    }
    groups.push(toks.slice(start + 1, i));
    i++;
    if (toks[i]?.v === ",") i++;
  }
  return groups;
}

/** One statement in user tenant `tenantId`'s session. `raw` still has its comments (hints). */
export function executeTenant(s: ClusterState, tenantId: number, connectionId: number, raw: string, sql: string, now: number, base: SelectContext, readOnly: ObErrorName | null): Reply {
  const standby = readOnly !== null;
  let m: RegExpExecArray | null;
  if ((m = /^SET (?:SESSION |@@SESSION\.|@@)?ob_read_consistency ?= ?'?(WEAK|STRONG|FROZEN)'?$/i.exec(sql))) {
    weakReads.set(connectionId, m[1].toUpperCase() === "WEAK");
    return { kind: "ok", affectedRows: 0 };
  }
  if (/^(SET\s|USE\s|BEGIN$|COMMIT$|ROLLBACK$|CREATE DATABASE\s)/i.test(sql)) return { kind: "ok", affectedRows: 0 };
  const tables = tablesOf(s, tenantId);
  if (/^SELECT\b/i.test(sql)) {
    const weak = weakReads.get(connectionId) === true || /READ_CONSISTENCY\s*\(\s*WEAK\s*\)/i.test(raw);
    const usesTable = /\bFROM\b/i.test(sql);
    if (standby && usesTable && !weak) throw new ObError(readOnly!);
    return {
      kind: "rows",
      result: runSelect(sql, {
        ...base,
        table: (name) => {
          const t = tables[bare(name)];
          if (!t) return undefined;
          return { columns: t.columns, rows: t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r.values[i]]))) };
        },
      }),
    };
  }
  if (standby && /^(CREATE|INSERT|UPDATE|DELETE|DROP|ALTER|REPLACE|TRUNCATE)\b/i.test(sql)) throw new ObError(readOnly!);
  const toks = tokenize(sql);
  const word = (i: number) => (toks[i]?.t === "id" ? toks[i].v.toUpperCase() : "");
  if (word(0) === "CREATE" && word(1) === "TABLE") {
    let i = 2;
    const ifNot = word(2) === "IF" && word(3) === "NOT" && word(4) === "EXISTS";
    if (ifNot) i = 5;
    const name = toks[i]?.t === "id" ? bare(toks[i].v) : undefined;
    if (!name || toks[i + 1]?.v !== "(") throw new ObError("parse", sql.slice(0, 40));
    if (tables[name]) {
      if (ifNot) return { kind: "ok", affectedRows: 0 };
      throw Object.assign(new ObError("parse", ""), { code: 1050, sqlState: "42S01", message: `Table '${name}' already exists` });
    }
    const defs = splitTopLevel(parenGroups(toks, i + 1)[0]);
    const columns = defs.filter((d) => d[0]?.t === "id" && !["PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT"].includes(d[0].v.toUpperCase())).map((d) => d[0].v.toUpperCase());
    tables[name] = { name, columns, createdScn: nextScn(s, now), rows: [] };
    return { kind: "ok", affectedRows: 0 };
  }
  if (word(0) === "INSERT" && word(1) === "INTO") {
    const t = toks[2]?.t === "id" ? tables[bare(toks[2].v)] : undefined;
    if (!t) throw new ObError("unknownTable", toks[2]?.v ?? "");
    let i = 3;
    let cols = t.columns;
    if (toks[i]?.v === "(") {
      cols = splitTopLevel(parenGroups(toks.slice(0, toks.findIndex((x, j) => j > i && x.v === ")") + 1), i)[0]).map((c) => c[0].v.toUpperCase());
      i = toks.findIndex((x, j) => j > i && x.v === ")") + 1;
    }
    if (word(i) !== "VALUES") throw new ObError("parse", sql.slice(0, 40));
    const groups = parenGroups(toks, i + 1);
    const scn = nextScn(s, now);
    for (const g of groups) {
      const vals = splitTopLevel(g).map(literal);
      if (vals.length !== cols.length) throw Object.assign(new ObError("parse", ""), { code: 1136, sqlState: "21S01", message: "Column count doesn't match value count at row 1" });
      t.rows.push({ scn, values: t.columns.map((c) => { const k = cols.indexOf(c); return k < 0 ? null : vals[k]; }) });
    }
    return { kind: "ok", affectedRows: groups.length };
  }
  if (word(0) === "DROP" && word(1) === "TABLE") {
    const name = bare(toks[toks.length - 1].v);
    if (!tables[name]) throw new ObError("unknownTable", name);
    delete tables[name];
    nextScn(s, now);
    return { kind: "ok", affectedRows: 0 };
  }
  throw new ObError("parse", sql.slice(0, 40));
}
