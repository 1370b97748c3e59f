/**
 * SP_SET_PARA_VALUE (DM8 SQL 语言使用手册 附录 3): (scope, name, value), (bro_flag, scope, name,
 * value) and (inst_name, scope, name, value). scope 0 the value in memory, 1 memory and dm.ini,
 * 2 dm.ini only (taken at the next start). bro_flag (0-3: none, MP, BP, SP) is accepted and the
 * value set here only (the lab broadcasts nothing); inst_name must be this instance (the lab
 * routes no call to another one). The lab models the parameters it uses (BAK_USE_AP); any other
 * parameter dm.ini has is written as asked and has no effect; one dm.ini lacks is refused.
 */
import * as fs from "fs";
import { ERR, sqlError } from "../errors";
import type { Value } from "./catalog-data";
import type { ResultSet } from "./tables";

const P = "SP_SET_PARA_VALUE";

const int = (v: Value, n: number, p = P) => {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  throw sqlError(ERR.argType(p, n));
};

/** The (scope, name, value) of any of the manual's three forms, as 1-based argument positions. */
function unpack(args: Value[], self: string): { scope: Value; name: Value; value: Value; at: number } {
  if (args.length === 3) return { scope: args[0], name: args[1], value: args[2], at: 1 };
  if (args.length !== 4) throw sqlError(ERR.argCount());
  if (typeof args[0] === "string" && !/^\s*-?\d+\s*$/.test(args[0])) {
    if (args[0].toUpperCase() !== self.toUpperCase()) throw sqlError(ERR.paraOtherInstance(args[0]));
  } else {
    const bro = int(args[0], 1);
    if (bro < 0 || bro > 3) throw sqlError(ERR.argType(P, 1));
  }
  return { scope: args[1], name: args[2], value: args[3], at: 2 };
}

/** A parameter's line in dm.ini (the name is checked to be a word first). */
const iniLine = (name: string) => new RegExp(`^(\\s*${name}\\s*=\\s*)([^#\\r\\n]*)`, "im");

/**
 * SF_GET_PARA_VALUE(scope, name) (附录 3): scope 1 dm.ini's value, 2 the value in memory; a name
 * dm.ini lacks is -3503 (FAQ 错误码 l.1019). `memory`: the values SP_SET_PARA_VALUE changed since the start.
 */
export function getParaValue(iniPath: string, args: Value[], memory: Readonly<Record<string, number>>, column: string): ResultSet {
  const F = "SF_GET_PARA_VALUE";
  if (args.length !== 2) throw sqlError(ERR.argCount());
  const scope = int(args[0], 1, F);
  if ((scope !== 1 && scope !== 2) || typeof args[1] !== "string" || !/^[A-Z0-9_]+$/i.test(args[1])) throw sqlError(ERR.unknownPara());
  const name = args[1].toUpperCase();
  const m = iniLine(name).exec(fs.readFileSync(iniPath, "utf8"));
  const file = m ? Number(m[2].trim()) : name === "BAK_USE_AP" ? 1 : undefined;
  if (file === undefined || !Number.isFinite(file)) throw sqlError(ERR.unknownPara());
  return { columns: [{ name: column, type: "BIGINT" }], rows: [[scope === 2 && name in memory ? memory[name] : file]] };
}

export function setParaValue(iniPath: string, args: Value[], self: string): { name: string; value: number; memory: boolean } {
  const a = unpack(args, self);
  const scope = int(a.scope, a.at);
  if (scope < 0 || scope > 2) throw sqlError(ERR.argType(P, a.at));
  if (typeof a.name !== "string" || !/^[A-Z0-9_]+$/i.test(a.name)) throw sqlError(ERR.argType(P, a.at + 1));
  const name = a.name.toUpperCase();
  const value = int(a.value, a.at + 2);
  if (name === "BAK_USE_AP" && value !== 1 && value !== 2) throw sqlError(ERR.argType(P, a.at + 2));
  const text = fs.readFileSync(iniPath, "utf8");
  const line = iniLine(name);
  const known = line.test(text);
  if (!known && name !== "BAK_USE_AP") throw sqlError(ERR.unknownPara());
  if (scope >= 1) fs.writeFileSync(iniPath, known ? text.replace(line, `$1${value}`) : `${text.replace(/\n?$/, "\n")}${name} = ${value}\n`);
  return { name, value, memory: scope <= 1 };
}
