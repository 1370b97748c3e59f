/**
 * What one cluster looks like from its first node, parsed from the state read's sections (pure).
 * Roles come from `cm_ctl query` and the DR state from `gs_ddr -t query`'s last-line dict, never
 * from banner text.
 */
import { MARK } from "./commands";

export interface DnState {
  readonly host: string;
  readonly ip: string;
  readonly port: number;
  readonly instanceId: number;
  readonly dataPath: string;
  /** Primary, Standby, Main Standby, Cascade Standby, Down, ... */
  readonly role: string;
  readonly state: string;
}

export interface SideState {
  readonly reachable: true;
  readonly user: string;
  readonly envLoaded: boolean;
  /** ddr_cluster_stat, or undefined when gs_ddr could not answer. */
  readonly drState?: string;
  readonly failoverProgress: string;
  readonly switchoverProgress: string;
  readonly queryError?: string;
  readonly cmAvailable: boolean;
  readonly clusterState?: string;
  readonly dns: DnState[];
  readonly version?: string;
  readonly stepFiles: string[];
  readonly upgrading: boolean;
  readonly gucs: Record<string, string[]>;
  readonly initialUser?: string;
  readonly drUserExists?: boolean;
  readonly sqlError?: string;
  /** The credentials record (`scrypt$salt$hash`) written when the pair was built, if any. */
  readonly credentials?: string;
  /** gs_ddr lock files in $PGHOST (`ddr_lock_<trace id>`). */
  readonly locks: string[];
  /** Read only when there are locks: whether a gs_ddr process runs on the node. */
  readonly ddrRunning?: boolean;
  /** Those processes (`pid command`), for the refusal. */
  readonly ddrProcesses?: string[];
}

export interface Unreachable {
  readonly reachable: false;
  readonly error: string;
}

export type Side = SideState | Unreachable;

function sections(stdout: string): Map<string, { text: string; rc: number }> {
  const out = new Map<string, { text: string; rc: number }>();
  const parts = stdout.split(MARK);
  for (let i = 1; i < parts.length; i++) {
    const nl = parts[i].indexOf("\n");
    const name = parts[i].slice(0, nl < 0 ? undefined : nl).trim();
    if (name === "rc") continue;
    const body = nl < 0 ? "" : parts[i].slice(nl + 1);
    const rc = Number.parseInt((parts[i + 1] ?? "").replace(/^rc\s*/, ""), 10);
    out.set(name, { text: body.replace(/\n$/, ""), rc: Number.isNaN(rc) ? -1 : rc });
  }
  return out;
}

/** `{'ddr_cluster_stat': 'archive', ...}`: the last line of gs_ddr -t query. */
export function parseQueryDict(text: string): Record<string, string> | undefined {
  const last = text.trim().split("\n").pop() ?? "";
  if (!/^\{.*\}$/.test(last.trim())) return undefined;
  const out: Record<string, string> = {};
  for (const m of last.matchAll(/'(\w+)':\s*'([^']*)'/g)) out[m[1]] = m[2];
  return "ddr_cluster_stat" in out ? out : undefined;
}

/** `[  Datanode State   ]` rows of cm_ctl query -Cvidp (one line, instances split by `|`, or one per line). */
export function parseCmQuery(text: string): { clusterState?: string; dns: DnState[] } {
  const clusterState = /cluster_state\s*:\s*(\S+)/.exec(text)?.[1];
  const at = text.indexOf("[  Datanode State   ]");
  const dns: DnState[] = [];
  if (at >= 0) {
    for (const line of text.slice(at).split("\n")) {
      for (const part of line.split("|")) {
        const t = part.trim().split(/\s+/);
        if (t.length < 9 || !/^\d+$/.test(t[0]) || !/^\d+$/.test(t[3]) || !/^\d+$/.test(t[4])) continue;
        dns.push({ host: t[1], ip: t[2], port: Number(t[3]), instanceId: Number(t[4]), dataPath: t[5], role: t.slice(7, -1).join(" "), state: t[t.length - 1] });
      }
    }
  }
  return { clusterState, dns };
}

/** `gs_guc check: <node>: <name>=<value>: [file]` lines, values by parameter. */
export function parseGucCheck(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of text.matchAll(/^gs_guc check: \S+: (\w+)=(.*?): \[/gm)) (out[m[1]] ??= []).push(m[2]);
  return out;
}

export function parseSide(stdout: string): SideState {
  const s = sections(stdout);
  const get = (k: string) => s.get(k) ?? { text: "", rc: -1 };
  const query = get("query");
  const dict = parseQueryDict(query.text);
  const cm = get("cm");
  const parsedCm = cm.rc === 0 ? parseCmQuery(cm.text) : { clusterState: undefined, dns: [] };
  const sqlOut = get("sql");
  const kv = new Map<string, string>();
  for (const line of sqlOut.text.split("\n")) {
    const m = /^(\w+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1], m[2]);
  }
  return {
    reachable: true,
    user: get("user").text.trim(),
    envLoaded: get("env").rc === 0,
    drState: dict?.ddr_cluster_stat,
    failoverProgress: dict?.ddr_failover_stat ?? "",
    switchoverProgress: dict?.ddr_switchover_stat ?? "",
    queryError: dict ? undefined : query.text.trim().split("\n").slice(-3).join(" / ") || `gs_ddr -t query exited ${query.rc}`,
    cmAvailable: cm.rc === 0,
    clusterState: parsedCm.clusterState,
    dns: parsedCm.dns,
    version: /openGauss OM (\S+)/.exec(get("version").text)?.[1] ?? (get("version").text.trim() || undefined),
    stepFiles: get("steps").text.split("\n").map((l) => l.trim()).filter((l) => l !== ""),
    upgrading: get("upgrade").text.trim() !== "",
    gucs: parseGucCheck(get("guc").text),
    initialUser: kv.get("initial_user"),
    drUserExists: kv.has("dr_user") ? Number(kv.get("dr_user")) > 0 : undefined,
    sqlError: sqlOut.rc === 0 ? undefined : sqlOut.text.trim().split("\n").slice(-2).join(" / "),
    credentials: get("credentials").text.trim() || undefined,
    locks: get("locks").text.split("\n").map((l) => l.trim()).filter((l) => l !== ""),
  };
}

const PRIMARY_STATES = new Set(["full_backup", "archive", "backup_fail", "archive_fail"]);
const STANDBY_STATES = new Set(["restore", "restore_fail", "recovery", "recovery_fail", "promote", "promote_fail"]);

/** The DR role a side plays now: from the DN roles CM reports, the DR state as tie-breaker. */
export function drRole(side: Side): "primary" | "standby" | "none" | "unknown" {
  if (!side.reachable) return "unknown";
  if (side.dns.some((d) => d.role === "Main Standby")) return "standby";
  if (side.drState && STANDBY_STATES.has(side.drState)) return "standby";
  if (side.drState && PRIMARY_STATES.has(side.drState)) return "primary";
  return "none";
}
