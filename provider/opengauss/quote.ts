/**
 * Quoting for openGauss SQL (PostgreSQL's rules, standard_conforming_strings on): every value
 * that reaches gsql goes through here.
 */

function refuseNul(value: string, what: string): void {
  if (value.includes("\0")) throw new Error(`${what} cannot contain a NUL character`);
}

/** `'...'` with `'` doubled. */
export function ogLiteral(value: string): string {
  refuseNul(value, "an openGauss string literal");
  return `'${value.replace(/'/g, "''")}'`;
}

/** `"..."` with `"` doubled: a delimited identifier (case kept). */
export function ogIdent(value: string): string {
  refuseNul(value, "an openGauss identifier");
  if (value.length === 0) throw new Error("an openGauss identifier cannot be empty");
  return `"${value.replace(/"/g, '""')}"`;
}
