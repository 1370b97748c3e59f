/** What the catalog procedures share: DM's refusal as a thrown SqlError, name rules, argument coercion. */
import { DmError, ERR, sqlError } from "../errors";
import type { Catalog } from "./catalog";
import type { Value } from "./catalog-data";

export type ArgKind = "str" | "str?" | "int" | "int?" | "keep";

export interface Procedure {
  args: ArgKind[];
  run(c: Catalog, a: Value[], self: string): void;
}

export const fail = (err: DmError): never => {
  throw sqlError(err);
};

export const eqName = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

export function coerce(proc: string, n: number, kind: ArgKind, v: Value): Value {
  if (kind === "keep") return v;
  const nullable = kind.endsWith("?");
  if (v === null) return nullable ? null : fail(ERR.argType(proc, n));
  if (kind.startsWith("int")) {
    if (typeof v === "number") return v;
    if (/^\s*-?\d+\s*$/.test(v)) return Number(v);
    return fail(ERR.argType(proc, n));
  }
  return String(v);
}

export function str(v: Value): string {
  return v as string;
}

export function keepOr<T>(v: Value, current: T, asInt: boolean, proc: string, n: number): T {
  if (v === null || v === "") return current;
  if (!asInt) return String(v) as unknown as T;
  if (typeof v === "number") return v as unknown as T;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) as unknown as T;
  return fail(ERR.argType(proc, n));
}

export function checkName(n: string, max: number): void {
  if (n.length === 0 || n.length > max) fail(ERR.nameTooLong(n));
}
