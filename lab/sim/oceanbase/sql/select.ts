import { ObError } from "../errors";

/**
 * The small part of SELECT the stand-in answers: one table or view, or none; a list of columns,
 * `*`, aliases, `@@variables`, scalar functions and COUNT/MAX/MIN; a WHERE of comparisons, IN,
 * LIKE and IS [NOT] NULL joined by AND/OR; ORDER BY; LIMIT. Enough for what DBAs and tools
 * send about backups; anything else is a syntax error, as an unknown construct would be.
 */
export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

export interface SelectContext {
  table(name: string): Table | undefined;
  variable(name: string): Cell | undefined;
  func(name: string, args: Cell[]): Cell | undefined;
}

export interface ResultSet {
  readonly columns: string[];
  readonly rows: Cell[][];
}

type Tok = { t: "id" | "str" | "num" | "sym" | "var"; v: string };

export function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'" || c === '"') {
      let v = "";
      i++;
      for (;;) {
        if (i >= sql.length) throw new ObError("parse", sql.slice(-20));
        const d = sql[i];
        if (d === "\\" && i + 1 < sql.length) { v += unescape(sql[i + 1]); i += 2; continue; }
        if (d === c) {
          if (sql[i + 1] === c) { v += c; i += 2; continue; }
          i++;
          break;
        }
        v += d;
        i++;
      }
      out.push({ t: "str", v });
      continue;
    }
    if (c === "`") {
      const j = sql.indexOf("`", i + 1);
      if (j < 0) throw new ObError("parse", sql.slice(i, i + 20));
      out.push({ t: "id", v: sql.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const m = /^(@@[A-Za-z_.]+|[A-Za-z_$][A-Za-z0-9_$#]*(?:\.[A-Za-z_$][A-Za-z0-9_$#]*)?|\d+(?:\.\d+)?|<=|>=|!=|<>|[(),*=<>;])/.exec(sql.slice(i));
    if (!m) throw new ObError("parse", sql.slice(i, i + 20));
    const v = m[0];
    out.push({ t: v.startsWith("@@") ? "var" : /^\d/.test(v) ? "num" : /^[A-Za-z_$]/.test(v) ? "id" : "sym", v });
    i += v.length;
  }
  while (out.length > 0 && out[out.length - 1].v === ";") out.pop();
  return out;
}

function unescape(c: string): string {
  return ({ n: "\n", t: "\t", r: "\r", "0": "\0", b: "\b", Z: "\x1a" } as Record<string, string>)[c] ?? c;
}

type Expr =
  | { k: "col"; name: string }
  | { k: "lit"; v: Cell }
  | { k: "var"; name: string }
  | { k: "fn"; name: string; args: Expr[]; star?: boolean }
  | { k: "cmp"; op: string; a: Expr; b: Expr }
  | { k: "in"; a: Expr; list: Expr[]; not: boolean }
  | { k: "null"; a: Expr; not: boolean }
  | { k: "like"; a: Expr; b: Expr; not: boolean }
  | { k: "and" | "or"; a: Expr; b: Expr };

const AGGREGATES = new Set(["COUNT", "MAX", "MIN", "SUM"]);

class Parser {
  i = 0;
  constructor(readonly toks: Tok[], readonly sql: string) {}
  peek(): Tok | undefined { return this.toks[this.i]; }
  kw(word: string): boolean {
    const t = this.peek();
    if (t && t.t === "id" && t.v.toUpperCase() === word) { this.i++; return true; }
    return false;
  }
  sym(s: string): boolean {
    const t = this.peek();
    if (t && t.t === "sym" && t.v === s) { this.i++; return true; }
    return false;
  }
  fail(): never {
    const t = this.peek();
    throw new ObError("parse", t ? this.sql.slice(this.sql.indexOf(t.v)).slice(0, 40) : "");
  }
  need(cond: boolean): void { if (!cond) this.fail(); }

  primary(): Expr {
    const t = this.peek();
    if (!t) this.fail();
    this.i++;
    if (t.t === "str") return { k: "lit", v: t.v };
    if (t.t === "num") return { k: "lit", v: Number(t.v) };
    if (t.t === "var") return { k: "var", name: t.v.slice(2).toLowerCase().replace(/^(global|session)\./, "") };
    if (t.t === "sym" && t.v === "(") { const e = this.or(); this.need(this.sym(")")); return e; }
    if (t.t === "id") {
      if (t.v.toUpperCase() === "NULL") return { k: "lit", v: null };
      if (this.sym("(")) {
        const name = t.v.toUpperCase();
        if (this.sym("*")) { this.need(this.sym(")")); return { k: "fn", name, args: [], star: true }; }
        const args: Expr[] = [];
        if (!this.sym(")")) {
          do args.push(this.or()); while (this.sym(","));
          this.need(this.sym(")"));
        }
        return { k: "fn", name, args };
      }
      return { k: "col", name: t.v.toUpperCase() };
    }
    return this.fail();
  }

  predicate(): Expr {
    const a = this.primary();
    const t = this.peek();
    if (t?.t === "sym" && ["=", "!=", "<>", "<", ">", "<=", ">="].includes(t.v)) { this.i++; return { k: "cmp", op: t.v, a, b: this.primary() }; }
    if (this.kw("IS")) { const not = this.kw("NOT"); this.need(this.kw("NULL")); return { k: "null", a, not }; }
    const not = this.kw("NOT");
    if (this.kw("IN")) {
      this.need(this.sym("("));
      const list: Expr[] = [];
      do list.push(this.primary()); while (this.sym(","));
      this.need(this.sym(")"));
      return { k: "in", a, list, not };
    }
    if (this.kw("LIKE")) return { k: "like", a, b: this.primary(), not };
    if (not) this.fail();
    return a;
  }
  and(): Expr { let e = this.predicate(); while (this.kw("AND")) e = { k: "and", a: e, b: this.predicate() }; return e; }
  or(): Expr { let e = this.and(); while (this.kw("OR")) e = { k: "or", a: e, b: this.and() }; return e; }
}

function cmp(a: Cell, b: Cell): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number" && typeof b === "string" && b.trim() !== "" && !Number.isNaN(Number(b))) return a - Number(b);
  if (typeof b === "number" && typeof a === "string" && a.trim() !== "" && !Number.isNaN(Number(a))) return Number(a) - b;
  // MySQL's default collation compares text case-insensitively.
  return String(a).toLowerCase() < String(b).toLowerCase() ? -1 : String(a).toLowerCase() > String(b).toLowerCase() ? 1 : 0;
}

export function likeToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`, "is");
}

export function evaluate(e: Expr, row: Row | undefined, ctx: SelectContext): Cell {
  switch (e.k) {
    case "lit": return e.v;
    case "col": {
      if (!row || !(e.name in row)) throw new ObError("unknownColumn", e.name.toLowerCase());
      return row[e.name];
    }
    case "var": {
      const v = ctx.variable(e.name);
      if (v === undefined) throw new ObError("unknownColumn", `@@${e.name}`);
      return v;
    }
    case "fn": {
      const v = ctx.func(e.name, e.args.map((a) => evaluate(a, row, ctx)));
      if (v === undefined) throw new ObError("parse", `${e.name.toLowerCase()}(`);
      return v;
    }
    case "cmp": {
      const a = evaluate(e.a, row, ctx), b = evaluate(e.b, row, ctx);
      if (a === null || b === null) return null;
      const c = cmp(a, b);
      return ({ "=": c === 0, "!=": c !== 0, "<>": c !== 0, "<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0 } as Record<string, boolean>)[e.op] ? 1 : 0;
    }
    case "in": {
      const a = evaluate(e.a, row, ctx);
      const hit = e.list.some((x) => { const b = evaluate(x, row, ctx); return a !== null && b !== null && cmp(a, b) === 0; });
      return hit !== e.not ? 1 : 0;
    }
    case "null": return (evaluate(e.a, row, ctx) === null) !== e.not ? 1 : 0;
    case "like": {
      const a = evaluate(e.a, row, ctx), b = evaluate(e.b, row, ctx);
      if (a === null || b === null) return null;
      return likeToRegExp(String(b)).test(String(a)) !== e.not ? 1 : 0;
    }
    case "and": return truthy(evaluate(e.a, row, ctx)) && truthy(evaluate(e.b, row, ctx)) ? 1 : 0;
    case "or": return truthy(evaluate(e.a, row, ctx)) || truthy(evaluate(e.b, row, ctx)) ? 1 : 0;
  }
}

const truthy = (c: Cell): boolean => c !== null && c !== 0 && c !== "0" && c !== "";

function label(e: Expr, sql: string): string {
  switch (e.k) {
    case "col": return e.name;
    case "var": return `@@${e.name}`;
    case "lit": return e.v === null ? "NULL" : String(e.v);
    case "fn": return `${e.name.toLowerCase()}(${e.star ? "*" : e.args.map((a) => label(a, sql)).join(",")})`;
    default: return sql;
  }
}

function aggregate(e: Expr, rows: readonly Row[], ctx: SelectContext): Cell {
  if (e.k !== "fn") return rows.length > 0 ? evaluate(e, rows[0], ctx) : null;
  if (e.name === "COUNT") return e.star ? rows.length : rows.filter((r) => evaluate(e.args[0], r, ctx) !== null).length;
  const vals = rows.map((r) => evaluate(e.args[0], r, ctx)).filter((v): v is string | number => v !== null);
  if (vals.length === 0) return null;
  if (e.name === "SUM") return vals.reduce<number>((a, b) => a + Number(b), 0);
  return vals.reduce((a, b) => ((e.name === "MAX" ? cmp(b, a) > 0 : cmp(b, a) < 0) ? b : a));
}

/** Runs one SELECT. */
export function runSelect(sql: string, ctx: SelectContext): ResultSet {
  const p = new Parser(tokenize(sql), sql);
  p.need(p.kw("SELECT"));
  const items: { e: Expr | "*"; as: string }[] = [];
  do {
    if (p.sym("*")) { items.push({ e: "*", as: "*" }); continue; }
    const start = p.i;
    const e = p.or();
    let as = label(e, p.toks.slice(start, p.i).map((t) => t.v).join(""));
    if (p.kw("AS")) { const t = p.peek(); p.need(t?.t === "id" || t?.t === "str"); p.i++; as = t!.v; }
    else if (p.peek()?.t === "id" && !["FROM", "WHERE", "ORDER", "LIMIT"].includes(p.peek()!.v.toUpperCase())) { as = p.peek()!.v; p.i++; }
    items.push({ e, as });
  } while (p.sym(","));
  let table: Table | undefined;
  if (p.kw("FROM")) {
    const t = p.peek();
    p.need(t?.t === "id");
    p.i++;
    table = ctx.table(t!.v);
    if (!table) throw new ObError("unknownTable", t!.v.includes(".") ? t!.v : `oceanbase.${t!.v}`);
  }
  let where: Expr | undefined;
  if (p.kw("WHERE")) where = p.or();
  const order: { e: Expr; desc: boolean }[] = [];
  if (p.kw("ORDER")) {
    p.need(p.kw("BY"));
    do { const e = p.primary(); const desc = p.kw("DESC"); if (!desc) p.kw("ASC"); order.push({ e, desc }); } while (p.sym(","));
  }
  let limit: number | undefined;
  if (p.kw("LIMIT")) { const t = p.peek(); p.need(t?.t === "num"); p.i++; limit = Number(t!.v); }
  if (p.i < p.toks.length) p.fail();

  let rows: Row[] = table ? [...table.rows] : [{}];
  if (where) rows = rows.filter((r) => truthy(evaluate(where!, r, ctx)));
  for (const o of [...order].reverse()) rows.sort((a, b) => { const c = cmp(evaluate(o.e, a, ctx) ?? "", evaluate(o.e, b, ctx) ?? ""); return o.desc ? -c : c; });
  const columns: string[] = [];
  for (const it of items) if (it.e === "*") columns.push(...(table?.columns ?? [])); else columns.push(it.as);
  const isAgg = items.some((it) => it.e !== "*" && it.e.k === "fn" && AGGREGATES.has(it.e.name));
  let out: Cell[][];
  if (isAgg) out = [items.flatMap((it) => (it.e === "*" ? [] : [aggregate(it.e, rows, ctx)]))];
  else out = rows.map((r) => items.flatMap((it) => (it.e === "*" ? (table?.columns ?? []).map((c) => r[c] ?? null) : [evaluate(it.e, table ? r : undefined, ctx)])));
  if (limit !== undefined) out = out.slice(0, limit);
  return { columns, rows: out };
}
