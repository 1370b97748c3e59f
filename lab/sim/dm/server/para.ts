/**
 * SP_SET_PARA_VALUE(scope, name, value) (DM8 SQL 语言使用手册 附录): scope 0 the value in memory,
 * 1 memory and dm.ini, 2 dm.ini only (taken at the next start). The lab models the parameters it
 * uses (BAK_USE_AP); any other integer parameter is written as asked and has no effect.
 */
import * as fs from "fs";
import { ERR, sqlError } from "../errors";
import type { Value } from "./catalog-data";

const P = "SP_SET_PARA_VALUE";

export function setParaValue(iniPath: string, args: Value[]): { name: string; value: number; memory: boolean } {
  // The other overloads (bro_flag first, or an instance name first) are DPC broadcasts the lab does not model.
  if (args.length !== 3) throw sqlError(ERR.argCount());
  const int = (v: Value, n: number) => {
    if (typeof v === "number") return v;
    if (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)) return Number(v);
    throw sqlError(ERR.argType(P, n));
  };
  const scope = int(args[0], 1);
  if (scope < 0 || scope > 2) throw sqlError(ERR.argType(P, 1));
  if (typeof args[1] !== "string" || args[1] === "") throw sqlError(ERR.argType(P, 2));
  const name = args[1].toUpperCase();
  const value = int(args[2], 3);
  if (name === "BAK_USE_AP" && value !== 1 && value !== 2) throw sqlError(ERR.argType(P, 3));
  if (scope >= 1) {
    const text = fs.readFileSync(iniPath, "utf8");
    const line = new RegExp(`^(\\s*${name}\\s*=\\s*)[^#\\r\\n]*`, "im");
    fs.writeFileSync(iniPath, line.test(text) ? text.replace(line, `$1${value}`) : `${text.replace(/\n?$/, "\n")}${name} = ${value}\n`);
  }
  return { name, value, memory: scope <= 1 };
}
