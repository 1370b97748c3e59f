/**
 * gs_ddr's command line as openGauss-OM parses it (optparse with conflict_handler='resolve' and
 * interspersed arguments off; long options may be abbreviated) and the checks of
 * params_handler.get_valid_params, in the source's order.
 */
import * as fs from "fs";

export class ParseError extends Error {}
/** A refusal printed on stdout with exit status 1 (GaussLog.logExit). */
export class LogExit extends Error {}

export interface Options {
  task?: string;
  mode?: string;
  xml?: string;
  json?: string;
  log?: string;
  timeOut: string;
  stage?: string;
  restart: boolean;
  force: boolean;
  mix: boolean;
  disasterType: string;
  storageType?: string;
  version: boolean;
  help: boolean;
  autoHelp: boolean;
}

const LONG: Record<string, { key: keyof Options; value: boolean }> = {
  "--version": { key: "version", value: false },
  "--help": { key: "help", value: false },
  "--json": { key: "json", value: true },
  "--time-out": { key: "timeOut", value: true },
  "--stage": { key: "stage", value: true },
  "--restart": { key: "restart", value: false },
  "--mix": { key: "mix", value: false },
  "--disaster_type": { key: "disasterType", value: true },
  "--disaster_storage_type": { key: "storageType", value: true },
};
const SHORT: Record<string, { key: keyof Options; value: boolean }> = {
  "-V": { key: "version", value: false },
  "-?": { key: "help", value: false },
  "-h": { key: "autoHelp", value: false },
  "-t": { key: "task", value: true },
  "-m": { key: "mode", value: true },
  "-X": { key: "xml", value: true },
  "-l": { key: "log", value: true },
  "-r": { key: "restart", value: false },
  "-f": { key: "force", value: false },
};

export function parseArgs(argv: string[]): Options {
  const o: Options = { timeOut: "1200", restart: false, force: false, mix: false, disasterType: "dorado", version: false, help: false, autoHelp: false };
  const set = (spec: { key: keyof Options; value: boolean }, value?: string) => {
    (o as unknown as Record<string, unknown>)[spec.key] = spec.value ? value : true;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") break;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(0, eq) : a;
      const matches = Object.keys(LONG).filter((k) => k.startsWith(name));
      const exact = LONG[name] ? name : undefined;
      if (!exact && matches.length === 0) throw new ParseError(`no such option: ${name}`);
      if (!exact && matches.length > 1) throw new ParseError(`ambiguous option: ${name} (${matches.sort().join(", ")}?)`);
      const key = exact ?? matches[0];
      const spec = LONG[key];
      if (spec.value) {
        let v = eq > 0 ? a.slice(eq + 1) : undefined;
        if (v === undefined) {
          if (i + 1 >= argv.length) throw new ParseError(`${key} option requires 1 argument`);
          v = argv[++i];
        }
        set(spec, v);
      } else {
        if (eq > 0) throw new ParseError(`${key} option does not take a value`);
        set(spec);
      }
    } else if (a.startsWith("-") && a.length > 1) {
      const flag = a.slice(0, 2);
      const spec = SHORT[flag];
      if (!spec) throw new ParseError(`no such option: ${flag}`);
      if (spec.value) {
        let v = a.length > 2 ? a.slice(2) : undefined;
        if (v === undefined) {
          if (i + 1 >= argv.length) throw new ParseError(`${flag} option requires 1 argument`);
          v = argv[++i];
        }
        set(spec, v);
      } else {
        set(spec);
        if (a.length > 2) argv.splice(i + 1, 0, `-${a.slice(2)}`);
      }
    } else {
      break; // interspersed arguments are off: parsing stops at the first positional
    }
  }
  return o;
}

export const TASKS = ["start", "stop", "switchover", "failover", "query"] as const;

export const HELP = `
gs_ddr is a utility for dorado disaster recovery fully options.

Usage:
  gs_ddr -? | --help
  gs_ddr -V | --version
  gs_ddr -t start -m [primary|disaster_standby] --disaster_type [dorado|stream] [-X XMLFILE] [--json JSONFILE] [--time-out=SECS] [-l LOGFILE]
  gs_ddr -t stop [-X XMLFILE] [--json JSONFILE] [-l LOGFILE]
  gs_ddr -t switchover -m [primary|disaster_standby] [--time-out=SECS] [-l LOGFILE]
  gs_ddr -t failover [-l LOGFILE]
  gs_ddr -t query [-l LOGFILE]
General options:
  -t                                Task name, it could be:
                                    "start", "stop", "switchover", "failover", "query".
  -m                                Option mode, it could be:
                                    "primary", "disaster_standby".
  -U                                Disaster recovery user name.
  -W                                Disaster recovery user password.
  -X                                Path of the XML configuration file.
  -l                                Path of log file.
  -?, --help                        Show help information for this utility, and exit the command line mode.
  -V, --version                     Show version information.
  --json                            Path of params file for disaster recovery.
  --time-out=SECS                   Maximum waiting time when Main standby connect to the primary dn,
                                    default value is 1200s.
  --disaster_type                   Disaster type, it could be: "dorado", "stream", default value is dorado.
`;

export interface ShardNode {
  readonly ip: string;
  readonly dataIp: string;
}
export interface SideConf {
  readonly port: number;
  readonly shards: ShardNode[][];
}
export interface DrConf {
  readonly localClusterConf: SideConf;
  readonly remoteClusterConf: SideConf;
}

/** SecurityChecker.INJECTION_CHAR_LIST, in its order (the first one found is the one named). */
const ILLEGAL = ["|", ";", "&", "$", "<", ">", "`", "\\", "'", '"', "{", "}", "(", ")", "[", "]", "~", "*", "?", " ", "!", "\n"];

export function checkPath(p: string, what: string): void {
  for (const c of ILLEGAL) if (p.includes(c)) throw new LogExit(`[GAUSS-50025] : There is illegal character '${c}' in parameter ${what}.`);
  if (p.includes("..")) throw new LogExit(`[GAUSS-50025] : There is illegal character '..' in parameter ${what}.`);
}

function pairs(text: string): ShardNode[] {
  return [...text.matchAll(/\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)/g)].map((m) => ({ ip: m[1], dataIp: m[2] }));
}

/** The DR configuration: `--json` when given (it wins), else the XML's extra fields. */
export function readConf(o: Options): DrConf {
  if (o.json !== undefined) {
    if (!fs.existsSync(o.json)) throw new LogExit("[GAUSS-50010] : Failed to check --json parameter. Json file is not exist.");
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(fs.readFileSync(o.json, "utf8")) as Record<string, unknown>;
    } catch {
      throw new LogExit("[GAUSS-50026] : Failed to check dorado DR parameters in the json file.");
    }
    const side = (v: unknown): SideConf => {
      const s = v as { port?: unknown; shards?: unknown } | undefined;
      const shards = Array.isArray(s?.shards) ? (s!.shards as unknown[]).map((sh) => (Array.isArray(sh) ? (sh as ShardNode[]) : [])) : [];
      return { port: Number(s?.port), shards };
    };
    return { localClusterConf: side(parsed.localClusterConf), remoteClusterConf: side(parsed.remoteClusterConf) };
  }
  if (o.xml === undefined || !fs.existsSync(o.xml)) throw new LogExit("[GAUSS-50010] : Failed to check -X parameter. XML file and json file are all not exist.");
  const xml = fs.readFileSync(o.xml, "utf8");
  const param = (name: string) => new RegExp(`<PARAM\\s+name="${name}"\\s+value="([^"]*)"`).exec(xml)?.[1];
  return {
    localClusterConf: { port: Number(param("dataPortBase")), shards: [pairs(param("localStreamIpmap1") ?? "")] },
    remoteClusterConf: { port: Number(param("remotedataPortBase")), shards: [pairs(param("remoteStreamIpmap1") ?? "")] },
  };
}

export function checkConf(conf: DrConf): void {
  const r = conf.remoteClusterConf.shards;
  const l = conf.localClusterConf.shards;
  if (r.length === 0 || r.some((s) => s.length === 0) || r.length !== l.length || !Number.isInteger(conf.remoteClusterConf.port)) {
    throw new LogExit("[GAUSS-50026] : Failed to check dorado DR parameters in the XML file.");
  }
}

/** SecurityChecker.IP_PATTERN: dotted IPv4 without leading zeros, a full (uncompressed) IPv6, `::1` or `::`. */
const IP_PATTERN = /^(?:(?:25[0-5]|2[0-4]\d|1\d{2}|[1-9]?\d)(?:\.(?!$)|$)){4}$|^(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}$|^::1$|^::$/;

/** check_local_cluster_conf / check_remote_cluster_conf: each side's port, then every shard node's ip and dataIp. */
export function checkConfValues(conf: DrConf): void {
  for (const [key, side] of [["localClusterConf", conf.localClusterConf], ["remoteClusterConf", conf.remoteClusterConf]] as const) {
    if (!Number.isInteger(side.port) || side.port < 0 || side.port > 65535) throw new LogExit(`[GAUSS-50022] : The parameter 'port of ${key}' should be between 0 and 65535.`);
    for (const node of side.shards.flat()) {
      for (const [field, v] of [["ip", node.ip], ["dataIp", node.dataIp]] as const) {
        if (typeof v !== "string" || !IP_PATTERN.test(v)) throw new LogExit(`[GAUSS-50024] : The parameter '${field} of ${key}' is invalid.`);
      }
    }
  }
}
