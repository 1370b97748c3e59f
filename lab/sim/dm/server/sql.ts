/**
 * The simulator's own SQL reader: procedure calls (`SP_X(...)` or `CALL SP_X(...)`) and a simple
 * SELECT (column list or *, FROM one table, WHERE col = literal [AND ...], ORDER BY col [ASC|DESC]).
 * `CREATE TABLESPACE name DATAFILE 'f' SIZE n [STORAGE (ON raft|bp_group)]` / `DROP TABLESPACE name`
 * (DM8 §8.3) and `CREATE TABLE name (columns) [TABLESPACE ts]` / `DROP TABLE name` stand for user
 * data (only what scale-in needs: which RAFT groups table objects use). `BACKUP DATABASE [FULL] [SHADOW] [TO name] BACKUPSET 'dir'` is the
 * online backup (SHADOW: the set restores as a shadow replica, seed 7.5.1 way 1) (no other backup form is modelled: incremental, compressed, default paths refuse). Keywords are case-insensitive; strings use '' escaping; NULL is a literal.
 */
import { ERR, sqlError } from "../errors";
import type { Value } from "./catalog-data";

interface Token {
  kind: "ident" | "string" | "number" | "punct";
  text: string;
  line: number;
}

export type Statement =
  | { kind: "call"; name: string; args: Value[] }
  | { kind: "ddl"; action: "create" | "drop"; table: string; tablespace?: string }
  | { kind: "tablespace"; action: "create" | "drop"; name: string; storage?: string }
  | { kind: "backup"; name?: string; dir: string; shadow: boolean }
  | { kind: "function"; name: string; args: Value[]; alias?: string }
  | { kind: "select"; columns: string[] | "*"; table: string; where: { column: string; value: Value; line: number }[]; orderBy?: { column: string; desc: boolean; line: number }; columnLines: number[] };

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "\n") {
      line++;
      i++;
    } else if (/\s/.test(ch)) i++;
    else if (ch === "-" && sql[i + 1] === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
    } else if (ch === "'") {
      let s = "";
      i++;
      for (;;) {
        if (i >= sql.length) throw sqlError(ERR.syntax(), line);
        if (sql[i] === "'" && sql[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (sql[i] === "'") {
          i++;
          break;
        } else {
          if (sql[i] === "\n") line++;
          s += sql[i++];
        }
      }
      out.push({ kind: "string", text: s, line });
    } else if (ch === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) throw sqlError(ERR.syntax(), line);
      out.push({ kind: "ident", text: sql.slice(i + 1, end), line });
      i = end + 1;
    } else if (/\d/.test(ch)) {
      const m = /^\d+/.exec(sql.slice(i))!;
      out.push({ kind: "number", text: m[0], line });
      i += m[0].length;
    } else if (/[A-Za-z_$#]/.test(ch)) {
      const m = /^[A-Za-z_$#][A-Za-z0-9_$#]*/.exec(sql.slice(i))!;
      out.push({ kind: "ident", text: m[0].toUpperCase(), line });
      i += m[0].length;
    } else if ("(),*=.-".includes(ch)) {
      out.push({ kind: "punct", text: ch, line });
      i++;
    } else throw sqlError(ERR.syntax(), line);
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  peek(): Token | undefined {
    return this.toks[this.pos];
  }
  line(): number {
    return (this.peek() ?? this.toks[this.toks.length - 1])?.line ?? 1;
  }
  next(): Token {
    const t = this.toks[this.pos++];
    if (!t) throw sqlError(ERR.syntax(), this.line());
    return t;
  }
  /** The text of the token `k` ahead. */
  peekText(k: number): string | undefined {
    return this.toks[this.pos + k]?.text;
  }
  /** The identifier `k` tokens ahead, if it is one. */
  peekWord(k: number): string | undefined {
    const t = this.toks[this.pos + k];
    return t && t.kind === "ident" ? t.text : undefined;
  }
  isWord(w: string): boolean {
    const t = this.peek();
    return !!t && t.kind === "ident" && t.text === w;
  }
  expectWord(w: string): void {
    if (!this.isWord(w)) throw sqlError(ERR.syntax(), this.line());
    this.pos++;
  }
  expectPunct(p: string): void {
    const t = this.next();
    if (t.kind !== "punct" || t.text !== p) throw sqlError(ERR.syntax(), t.line);
  }
  ident(): Token {
    const t = this.next();
    if (t.kind !== "ident") throw sqlError(ERR.syntax(), t.line);
    return t;
  }
  done(): boolean {
    return this.pos >= this.toks.length;
  }
  literal(): Value {
    const t = this.next();
    if (t.kind === "string") return t.text;
    if (t.kind === "number") return Number(t.text);
    if (t.kind === "punct" && t.text === "-") {
      const n = this.next();
      if (n.kind !== "number") throw sqlError(ERR.syntax(), n.line);
      return -Number(n.text);
    }
    if (t.kind === "ident" && t.text === "NULL") return null;
    throw sqlError(ERR.syntax(), t.line);
  }
  /** An object name, possibly qualified (SYSDBA.DPC_INSTANCE); the last part names it. */
  objectName(): string {
    let name = this.ident().text;
    while (this.peek()?.text === ".") {
      this.pos++;
      name = this.ident().text;
    }
    return name;
  }
}

export function parseStatement(sql: string): Statement {
  const toks = tokenize(sql);
  if (toks.length === 0) throw sqlError(ERR.syntax(), 1);
  const p = new Parser(toks);
  if (p.isWord("SELECT")) return parseSelect(p);
  if ((p.isWord("CREATE") || p.isWord("DROP")) && p.peekWord(1) === "TABLESPACE") return parseTablespaceDdl(p);
  if (p.isWord("CREATE") || p.isWord("DROP")) return parseTableDdl(p);
  if (p.isWord("BACKUP")) return parseBackup(p);
  if (p.isWord("CALL")) p.next();
  const name = p.objectName();
  const args: Value[] = [];
  if (!p.done()) {
    p.expectPunct("(");
    if (p.peek()?.text !== ")") {
      for (;;) {
        args.push(p.literal());
        if (p.peek()?.text === ",") {
          p.next();
          continue;
        }
        break;
      }
    }
    p.expectPunct(")");
  }
  if (!p.done()) throw sqlError(ERR.syntax(), p.line());
  return { kind: "call", name, args };
}

function parseBackup(p: Parser): Statement {
  p.expectWord("BACKUP");
  p.expectWord("DATABASE");
  if (p.isWord("FULL")) p.next();
  const shadow = p.isWord("SHADOW");
  if (shadow) p.next();
  let name: string | undefined;
  if (p.isWord("TO")) {
    p.next();
    name = p.ident().text;
  }
  p.expectWord("BACKUPSET");
  const t = p.next();
  if (t.kind !== "string" || t.text === "") throw sqlError(ERR.syntax(), t.line);
  if (!p.done()) throw sqlError(ERR.syntax(), p.line());
  return { kind: "backup", name, dir: t.text, shadow };
}

function parseTableDdl(p: Parser): Statement {
  const action = p.next().text === "CREATE" ? "create" : "drop";
  p.expectWord("TABLE");
  const table = p.objectName();
  if (action === "create") {
    // The column list is not modelled, only required and balanced.
    p.expectPunct("(");
    let depth = 1;
    while (depth > 0) {
      const t = p.next();
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")") depth--;
    }
  }
  let tablespace: string | undefined;
  if (action === "create" && p.isWord("TABLESPACE")) {
    p.next();
    tablespace = p.ident().text;
  }
  if (!p.done()) throw sqlError(ERR.syntax(), p.line());
  return { kind: "ddl", action, table, tablespace };
}

/** DM8 §8.3's CREATE TABLESPACE with its <STORAGE 子句>; DATAFILE and SIZE are required and not modelled. */
function parseTablespaceDdl(p: Parser): Statement {
  const action = p.next().text === "CREATE" ? "create" : "drop";
  p.expectWord("TABLESPACE");
  const name = p.ident().text;
  let storage: string | undefined;
  if (action === "create") {
    p.expectWord("DATAFILE");
    const f = p.next();
    if (f.kind !== "string" || f.text === "") throw sqlError(ERR.syntax(), f.line);
    p.expectWord("SIZE");
    if (p.next().kind !== "number") throw sqlError(ERR.syntax(), p.line());
    if (p.isWord("STORAGE")) {
      p.next();
      p.expectPunct("(");
      p.expectWord("ON");
      storage = p.ident().text;
      p.expectPunct(")");
    }
  }
  if (!p.done()) throw sqlError(ERR.syntax(), p.line());
  return { kind: "tablespace", action, name, storage };
}

function parseSelect(p: Parser): Statement {
  p.expectWord("SELECT");
  if (p.peekWord(0) !== undefined && p.peekText(1) === "(") return parseFunctionSelect(p);
  let columns: string[] | "*";
  const columnLines: number[] = [];
  if (p.peek()?.text === "*") {
    p.next();
    columns = "*";
  } else {
    columns = [];
    for (;;) {
      const t = p.ident();
      columns.push(t.text);
      columnLines.push(t.line);
      if (p.peek()?.text !== ",") break;
      p.next();
    }
  }
  p.expectWord("FROM");
  const table = p.objectName();
  const where: { column: string; value: Value; line: number }[] = [];
  if (p.isWord("WHERE")) {
    p.next();
    for (;;) {
      const col = p.ident();
      p.expectPunct("=");
      where.push({ column: col.text, value: p.literal(), line: col.line });
      if (!p.isWord("AND")) break;
      p.next();
    }
  }
  let orderBy: { column: string; desc: boolean; line: number } | undefined;
  if (p.isWord("ORDER")) {
    p.next();
    p.expectWord("BY");
    const col = p.ident();
    let desc = false;
    if (p.isWord("ASC")) p.next();
    else if (p.isWord("DESC")) {
      p.next();
      desc = true;
    }
    orderBy = { column: col.text, desc, line: col.line };
  }
  if (!p.done()) throw sqlError(ERR.syntax(), p.line());
  return { kind: "select", columns, table, where, orderBy, columnLines };
}

/** `SELECT f(literal, ...) [alias] [FROM DUAL]`: one system function's value (SF_GET_PARA_VALUE). */
function parseFunctionSelect(p: Parser): Statement {
  const name = p.ident().text;
  p.expectPunct("(");
  const args: Value[] = [];
  while (p.peekText(0) !== ")") {
    args.push(p.literal());
    if (p.peekText(0) !== ",") break;
    p.next();
  }
  p.expectPunct(")");
  let alias: string | undefined;
  if (!p.done() && !p.isWord("FROM")) alias = p.ident().text;
  if (p.isWord("FROM")) {
    p.next();
    p.expectWord("DUAL");
  }
  if (!p.done()) throw sqlError(ERR.syntax(), p.line());
  return { kind: "function", name, args, alias };
}
