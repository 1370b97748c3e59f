/**
 * Quoting for DM SQL text. Every value that reaches disql goes through here, so hostile names,
 * descriptions or paths become literals, never SQL.
 */

function refuseNul(value: string, what: string): void {
  if (value.includes("\0")) throw new Error(`${what} cannot contain a NUL character`);
}

/** `'...'` with `'` doubled, as DM reads string constants. */
export function sqlString(value: string): string {
  refuseNul(value, "a DM string literal");
  return `'${value.replace(/'/g, "''")}'`;
}

/** `"..."` with `"` doubled: a delimited DM identifier (case kept as written). */
export function sqlIdent(value: string): string {
  refuseNul(value, "a DM identifier");
  if (value.length === 0) throw new Error("a DM identifier cannot be empty");
  return `"${value.replace(/"/g, '""')}"`;
}

/** Marks text as SQL already (a keyword such as NULL, or a fragment built by `dmsql`). */
const SQL = Symbol("sql");
export interface SqlFragment {
  readonly [SQL]: string;
}
export function sqlRaw(text: string): SqlFragment {
  return { [SQL]: text };
}
export const NULL: SqlFragment = sqlRaw("NULL");

function isFragment(v: unknown): v is SqlFragment {
  return typeof v === "object" && v !== null && SQL in v;
}

export type SqlValue = string | number | bigint | boolean | null | SqlFragment;

/** A literal for any value: strings quoted, numbers checked finite, null as NULL. */
export function sqlLiteral(v: SqlValue): string {
  if (v === null) return "NULL";
  if (isFragment(v)) return v[SQL];
  if (typeof v === "string") return sqlString(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  if (typeof v === "bigint") return v.toString();
  if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  return String(v);
}

/** Tagged template: every interpolation becomes a literal (strings quoted, NULL for null). */
export function dmsql(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let out = strings[0];
  values.forEach((v, i) => {
    out += sqlLiteral(v) + strings[i + 1];
  });
  return out;
}

/**
 * The first line of a disql script: log in as SYSDBA.
 *
 * disql takes the password between double quotes so that `@`, `/` and spaces in it are not read
 * as separators; it has no escape for a `"` inside, so such passwords are refused here (and by
 * the schemas, which reject them before any plan is made).
 */
export function connLine(password: string, ip: string, port: number, user = "SYSDBA"): string {
  refuseNul(password, "the password");
  if (password.includes('"')) throw new Error('the SYSDBA password must not contain a double quote (")');
  if (/[\r\n]/.test(password)) throw new Error("the SYSDBA password must not contain a line break");
  if (!/^[A-Za-z0-9_.:-]+$/.test(ip)) throw new Error(`not a host address: ${JSON.stringify(ip)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a port: ${port}`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(user)) throw new Error(`not a user name: ${JSON.stringify(user)}`);
  return `CONN ${user}/"${password}"@${ip}:${port}`;
}
