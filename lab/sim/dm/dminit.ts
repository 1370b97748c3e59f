/**
 * dminit: creates a database directory PATH/DB_NAME with dm.ini, dm.ctl and data file markers.
 *
 * AUTO_OVERWRITE (DM8 manual, dminit): 0 = never overwrite, refuse when the database files exist
 * (the default; real dminit would ask, the simulator is non-interactive and refuses); 1 = overwrite
 * only the files dminit itself creates (mp.ini, dmarch.ini and other files stay); 2 = empty the whole
 * database directory first.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { CTL_MAGIC, DbControl, DpcMode, hashPassword, newMagic, writeControl } from "./dbfiles";
import { takeInjectedFailure } from "./host";
import { iniLine } from "./ini";

interface InitOptions {
  path: string;
  dbName: string;
  instanceName: string;
  portNum: number;
  apPortNum?: number;
  dpcMode?: DpcMode;
  sysdbaPwd: string;
  autoOverwrite: 0 | 1 | 2;
  pageSize: number;
  extentSize: number;
  caseSensitive: number;
  charset: number;
}

class InitError extends Error {}

const KNOWN_KEYS = new Set([
  "PATH", "DB_NAME", "INSTANCE_NAME", "PORT_NUM", "AP_PORT_NUM", "DPC_MODE", "SYSDBA_PWD",
  "SYSAUDITOR_PWD", "AUTO_OVERWRITE", "PAGE_SIZE", "EXTENT_SIZE", "CASE_SENSITIVE", "CHARSET",
  "UNICODE_FLAG", "LOG_SIZE", "LOG_PATH", "TIME_ZONE", "LENGTH_IN_CHAR", "BLANK_PAD_MODE",
  "PAGE_CHECK", "HUGE_WITH_DELTA", "RLOG_GEN_FOR_HUGE", "CTL_PATH", "SYSTEM_PATH",
]);

/**
 * `CONTROL=<file>` (DM8 dminit 高级主题 §5): "CONTROL 参数只能单独使用", so no other argument may
 * come with it. The file holds dminit's parameters as `KEY = value` lines (`#` comments): global
 * keys, and for a single instance one `[node_instance]` section named after the instance, whose
 * keys count too (the manual's example puts them all there). `system_path` is PATH ("选择了此参数，
 * PATH 参数要省略": both is refused). Several sections are a DSC set-up, not modelled.
 */
function expandControl(argv: string[]): string[] {
  const control = argv.map((a) => /^control=(.*)$/i.exec(a)).find((m) => m !== null);
  if (!control) return argv;
  if (argv.length > 1) throw new InitError("CONTROL参数只能单独使用");
  const file = control[1].trim();
  let text: string;
  try {
    text = require("node:fs").readFileSync(file, "utf8");
  } catch {
    throw new InitError(`打开控制文件[${file}]失败`);
  }
  const out: string[] = [];
  let node: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      if (node !== undefined) throw new InitError(`控制文件中的节点[${header[1].trim()}]: 只支持一个[node_instance]节`);
      node = header[1].trim();
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) throw new InitError(`控制文件中的无效行[${line}]`);
    const key = line.slice(0, eq).trim();
    out.push(`${key.toUpperCase() === "SYSTEM_PATH" ? "PATH" : key}=${line.slice(eq + 1).trim()}`);
    if (key.toUpperCase() === "PATH" && /^\s*system_path\s*=/im.test(text)) throw new InitError("选择了参数[SYSTEM_PATH], 参数[PATH]要省略");
  }
  if (node !== undefined) {
    const named = out.find((a) => /^INSTANCE_NAME=/i.test(a));
    if (named && named.slice(named.indexOf("=") + 1).toUpperCase() !== node.toUpperCase())
      throw new InitError(`控制文件中的节点[${node}]与参数[INSTANCE_NAME]的值[${named.slice(named.indexOf("=") + 1)}]不一致`);
    if (!named) out.push(`INSTANCE_NAME=${node}`);
  }
  return out;
}

function parseArgs(rawArgv: string[]): InitOptions {
  const argv = expandControl(rawArgv);
  const kv = new Map<string, string>();
  for (const arg of argv) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new InitError(`无效的参数[${arg}]`);
    const key = arg.slice(0, eq).trim().toUpperCase();
    if (!KNOWN_KEYS.has(key)) throw new InitError(`无效的参数[${arg.slice(0, eq)}]`);
    kv.set(key, arg.slice(eq + 1).trim());
  }
  const int = (key: string, dflt: number | undefined, ok: (n: number) => boolean): number | undefined => {
    const v = kv.get(key);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || !ok(Number(v))) throw new InitError(`参数[${key}]的值[${v}]无效`);
    return Number(v);
  };
  const dbPath = kv.get("PATH");
  if (!dbPath) throw new InitError("必须指定参数[PATH]");
  const instanceName = kv.get("INSTANCE_NAME") ?? "DMSERVER";
  if (!/^[A-Za-z_][A-Za-z0-9_$#]*$/.test(instanceName) || instanceName.length > 16) {
    throw new InitError(`参数[INSTANCE_NAME]的值[${instanceName}]无效,实例名最长16个字符,只能包含字母、数字、下划线`);
  }
  const dbName = kv.get("DB_NAME") ?? "DAMENG";
  if (!/^[A-Za-z_][A-Za-z0-9_$#]*$/.test(dbName) || dbName.length > 128) throw new InitError(`参数[DB_NAME]的值[${dbName}]无效`);
  const port = (n: number) => n >= 1024 && n <= 65534;
  const portNum = int("PORT_NUM", 5236, port)!;
  const apPortNum = int("AP_PORT_NUM", undefined, port);
  let dpcMode: DpcMode | undefined;
  const mode = kv.get("DPC_MODE");
  if (mode !== undefined) {
    const m = mode.toUpperCase();
    if (m !== "MP" && m !== "SP" && m !== "BP") throw new InitError(`参数[DPC_MODE]的值[${mode}]无效`);
    dpcMode = m;
    if (apPortNum === undefined) throw new InitError("DPC模式下必须指定参数[AP_PORT_NUM]");
  }
  if (apPortNum !== undefined && apPortNum === portNum) throw new InitError(`参数[AP_PORT_NUM]的值[${apPortNum}]与PORT_NUM冲突`);
  const sysdbaPwd = kv.get("SYSDBA_PWD") ?? "SYSDBA001";
  if (sysdbaPwd.length < 9 || sysdbaPwd.length > 48) throw new InitError("参数[SYSDBA_PWD]的值无效,口令长度应为9~48个字符");
  const autoOverwrite = int("AUTO_OVERWRITE", 0, (n) => n <= 2) as 0 | 1 | 2;
  const pageSize = int("PAGE_SIZE", 8, (n) => [4, 8, 16, 32].includes(n))!;
  const extentSize = int("EXTENT_SIZE", 16, (n) => [16, 32, 64].includes(n))!;
  const cs = (kv.get("CASE_SENSITIVE") ?? "1").toUpperCase();
  if (!["Y", "N", "1", "0"].includes(cs)) throw new InitError(`参数[CASE_SENSITIVE]的值[${cs}]无效`);
  const charset = int("CHARSET", 0, (n) => n <= 2)!;
  return {
    path: dbPath, dbName, instanceName, portNum, apPortNum, dpcMode, sysdbaPwd, autoOverwrite,
    pageSize, extentSize, caseSensitive: cs === "Y" || cs === "1" ? 1 : 0, charset,
  };
}

function dmIniText(o: InitOptions, dbDir: string): string {
  const lines = [
    "#DaMeng Database Server Configuration file",
    "#this is comments",
    "",
    "#file location of dm.ctl",
    iniLine("CTL_PATH", path.join(dbDir, "dm.ctl"), "ctl file path"),
    iniLine("CTL_BAK_PATH", path.join(dbDir, "ctl_bak"), "dm.ctl backup path"),
    iniLine("CTL_BAK_NUM", 10, "backup number of dm.ctl, allowed to keep one more backup file besides specified number."),
    iniLine("SYSTEM_PATH", dbDir, "system path"),
    iniLine("CONFIG_PATH", dbDir, "config path"),
    iniLine("TEMP_PATH", dbDir, "temporary file path"),
    iniLine("BAK_PATH", path.join(dbDir, "bak"), "backup file path"),
    "",
    "#instance name",
    iniLine("INSTANCE_NAME", o.instanceName, "Instance name"),
    "",
    "#service",
    iniLine("PORT_NUM", o.portNum, "Port number on which the database server will listen"),
  ];
  if (o.apPortNum !== undefined) lines.push(iniLine("AP_PORT_NUM", o.apPortNum, "Port number of the DMDPC inter-node (XMAL) listener"));
  lines.push(
    iniLine("MAX_SESSIONS", 10000, "Maximum number of concurrent sessions"),
    "",
    "#DMDPC",
    iniLine("DPC_MODE", o.dpcMode ?? 0, "DMDPC role: 0 none, MP, SP or BP"),
    "",
    "#archive",
    iniLine("ARCH_INI", 0, "dmarch.ini"),
    iniLine("ALTER_MODE_STATUS", 1, "Whether to allow ALTER DATABASE MOUNT/OPEN/PRIMARY/STANDBY/NORMAL"),
    "",
    "#memory pool",
    iniLine("MEMORY_POOL", 500, "Memory Pool Size In Megabyte"),
    iniLine("BUFFER", 1000, "Initial System Buffer Size In Megabytes"),
    "",
  );
  return lines.join("\n");
}

function run(argv: string[]): number {
  if (takeInjectedFailure("dminit")) {
    process.stderr.write("[-1]:初始化数据库失败: 创建数据库文件失败.\n");
    return 1;
  }
  if (argv.length === 0 || argv.some((a) => /^(-h|help|--help)$/i.test(a))) {
    process.stdout.write("initdb V8\nformat: ./dminit KEYWORD=value\nexample: ./dminit PATH=/public/dmdb/dmData PAGE_SIZE=16\n");
    return argv.length === 0 ? 1 : 0;
  }
  const o = parseArgs(argv);
  const dbDir = path.resolve(o.path, o.dbName);
  const existing = ["dm.ctl", "SYSTEM.DBF", "dm.ini"].map((f) => path.join(dbDir, f)).find((f) => fs.existsSync(f));
  if (existing) {
    if (o.autoOverwrite === 0) throw new InitError(`数据库文件[${existing}]已存在,初始化失败(AUTO_OVERWRITE=0)`);
    if (o.autoOverwrite === 2) fs.rmSync(dbDir, { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(dbDir, "bak"), { recursive: true });
  fs.mkdirSync(path.join(dbDir, "ctl_bak"), { recursive: true });
  for (const f of ["SYSTEM.DBF", "MAIN.DBF", "ROLL.DBF", "TEMP.DBF"]) {
    fs.writeFileSync(path.join(dbDir, f), `DM8 simulated data file ${f} page_size=${o.pageSize}K\n`);
  }
  for (const f of ["DAMENG01.log", "DAMENG02.log"]) fs.writeFileSync(path.join(dbDir, `${o.dbName}${f.slice(6)}`), "");
  fs.rmSync(path.join(dbDir, "dpc_catalog.json"), { force: true });
  const salt = crypto.randomBytes(8).toString("hex");
  const ctl: DbControl = {
    magic: CTL_MAGIC, instanceName: o.instanceName, dbName: o.dbName, dpcMode: o.dpcMode ?? ("" as DpcMode),
    pageSize: o.pageSize, extentSize: o.extentSize, caseSensitive: o.caseSensitive, charset: o.charset,
    pwdSalt: salt, pwdHash: hashPassword(salt, o.sysdbaPwd), lineage: crypto.randomUUID(), dbMagic: newMagic(),
    magicPending: false, shadow: false, state: "CLEAN", openedOnce: false, createdAt: new Date().toISOString(),
  };
  writeControl(dbDir, ctl);
  fs.writeFileSync(path.join(dbDir, "dm.ini"), dmIniText(o, dbDir));
  const out = [
    "initdb V8",
    "db version: 0x7000c",
    "file dm.key not found, use default license!",
    "License will expire on 2026-12-31",
    "Normal of FAST",
    "Normal of DEFAULT",
    "Normal of RECYCLE",
    "Normal of KEEP",
    "Normal of ROLL",
    "",
    ` log file path: ${path.join(dbDir, `${o.dbName}01.log`)}`,
    "",
    ` log file path: ${path.join(dbDir, `${o.dbName}02.log`)}`,
    "",
    `write to dir [${dbDir}].`,
    `create dm database success. ${new Date().toISOString().replace("T", " ").slice(0, 19)}`,
    "",
  ];
  process.stdout.write(out.join("\n"));
  return 0;
}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof InitError)) throw err;
  process.stdout.write("initdb V8\ndb version: 0x7000c\n");
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
