/**
 * Every command the DR resource sends, built with `sh` (values quoted) and `ogLiteral`/`ogIdent`
 * (SQL values). Secrets never appear here: the DR password travels on gsql's stdin.
 */
import { sh } from "../core/quote/sh";
import { ogIdent, ogLiteral } from "./quote";
import type { ClusterSpec, DrSpec } from "./schema";

/** A remote path as one shell word; `~/x` becomes `"$HOME"/'x'` (a quoted ~ would not expand). */
export function pathWord(p: string): string {
  return p.startsWith("~/") ? `"$HOME"/${sh`${p.slice(2)}`}` : sh`${p}`;
}

/** Loads the cluster user's environment (GAUSSHOME, PGHOST, PATH) before an openGauss tool. */
export function withEnv(spec: Pick<DrSpec, "envFile">, command: string): string {
  return `. ${pathWord(spec.envFile)} && ${command}`;
}

/** Section markers of the state read (constants, never user text). */
export const MARK = "@@dbcluster-og@@";

/**
 * One round trip per cluster: everything the planner needs from the cluster's first node,
 * each tool's output under its own marker. One SQL statement (the catalog read) per node.
 */
export function readStateCommand(spec: DrSpec, cluster: ClusterSpec): string {
  const sql = [
    "select 'initial_user=' || rolname from pg_catalog.pg_roles where oid = 10",
    `union all select 'dr_user=' || count(*) from pg_catalog.pg_roles where rolname = ${ogLiteral(spec.drUser)}`,
    "union all select 'in_recovery=' || pg_catalog.pg_is_in_recovery()",
  ].join(" ");
  const section = (name: string, command: string) => `echo ${sh`${MARK}${name}`}; ${command}; echo ${sh`${MARK}rc`} $?`;
  return [
    section("user", `printf '%s\\n' "$USER"`),
    section("env", `. ${pathWord(spec.envFile)} >/dev/null 2>&1`),
    section("query", "gs_ddr -t query 2>&1"),
    section("cm", "cm_ctl query -Cvidp 2>&1"),
    section("version", "gs_om -V 2>&1"),
    section("steps", `ls -A "$PGHOST/ddr_cabin" 2>/dev/null | grep '^\\.ddr_.*\\.step$'`),
    section("upgrade", `ls -A "$PGHOST/binary_upgrade" 2>/dev/null`),
    section("guc", "gs_guc check -Z datanode -N all -I all -c most_available_sync -c synchronous_commit -c ss_disaster_mode 2>&1"),
    section("sql", sh`gsql -d postgres -p ${cluster.port} -t -A -X -c ${sql} 2>&1`),
    section("credentials", `cat ${pathWord(credentialsFile(spec))} 2>/dev/null`),
    section("locks", `ls -A "$PGHOST" 2>/dev/null | grep '^ddr_lock_'`),
  ].join("; ");
}

/** The `--json` file gs_ddr reads on one side: this cluster local, the other remote. */
export function drConfigJson(local: ClusterSpec, remote: ClusterSpec): string {
  const side = (c: ClusterSpec) => ({ port: c.port, shards: [c.nodes.map((n) => ({ ip: n.ip, dataIp: n.dataIp }))] });
  return JSON.stringify({ remoteClusterConf: side(remote), localClusterConf: side(local) }, null, 2) + "\n";
}

/** Beside the config: a salted scrypt of the DR user and password the pair was built with. */
export function credentialsFile(spec: Pick<DrSpec, "configFile">): string {
  return `${spec.configFile}.credentials`;
}

/** Writes stdin to `file` whole, never readable by others on the way (0600). */
export function writeFileCommand(file: string): string {
  const f = pathWord(file);
  return `f=${f}; t="$f.tmp.$$"; ( umask 077; cat > "$t" ) && chmod 0600 "$t" && mv -f "$t" "$f" || { rc=$?; rm -f "$t"; exit $rc; }`;
}

export function writeConfigCommand(spec: DrSpec): string {
  return writeFileCommand(spec.configFile);
}

/** Changes the DR user's password (on gsql's stdin). */
export function alterDrUserSql(spec: DrSpec): string {
  return `ALTER USER ${ogIdent(spec.drUser)} WITH REPLICATION PASSWORD ${ogLiteral(spec.drPassword)};\n`;
}

/**
 * gs_ddr prints its failure message on stdout and a Python traceback on stderr; both go to
 * stdout so that a failed step's output tail shows the message before the traceback.
 */
const MERGED = " 2>&1";

export function startCommand(spec: DrSpec, mode: "primary" | "disaster_standby"): string {
  return withEnv(spec, `gs_ddr -t start -m ${sh`${mode}`} --disaster_type ${sh`${spec.type}`} --json ${pathWord(spec.configFile)} ${sh`--time-out=${spec.timeoutSeconds}`}${MERGED}`);
}

export function switchoverCommand(spec: DrSpec, mode: "primary" | "disaster_standby"): string {
  return withEnv(spec, `gs_ddr -t switchover -m ${sh`${mode}`} ${sh`--time-out=${spec.timeoutSeconds}`}${MERGED}`);
}

export function failoverCommand(spec: DrSpec): string {
  return withEnv(spec, `gs_ddr -t failover${MERGED}`);
}

export function stopCommand(spec: DrSpec): string {
  return withEnv(spec, `gs_ddr -t stop --json ${pathWord(spec.configFile)}${MERGED}`);
}

/** gsql reading SQL from stdin, stopping at the first error. */
export function gsqlStdinCommand(spec: DrSpec, cluster: ClusterSpec): string {
  return withEnv(spec, sh`gsql -d postgres -p ${cluster.port} -X -q -v ON_ERROR_STOP=1`);
}

/** The DR user's creation, for gsql's stdin (it holds the password). */
export function createDrUserSql(spec: DrSpec): string {
  return `CREATE USER ${ogIdent(spec.drUser)} WITH REPLICATION PASSWORD ${ogLiteral(spec.drPassword)};\n`;
}

export type StorageStep = "start" | "demote" | "promote" | "failover";

/** The user's array step: `<program> <args...> <step>`, every word quoted. */
export function storageCommand(spec: DrSpec, step: StorageStep): string {
  return sh`${spec.storageReplication!.command} ${step}`;
}

/**
 * Whether a gs_ddr process runs on the node. Its own command line must not contain the name,
 * hence the bracket (pgrep never matches itself, and `[g]s_ddr` does not match this shell).
 */
export const DDR_RUNNING_COMMAND = "pgrep -af '[g]s_ddr'; true";

/** Removes lock files a killed gs_ddr left behind (names checked by the planner). */
export function removeLocksCommand(spec: DrSpec, names: readonly string[]): string {
  return withEnv(spec, `cd "$PGHOST" && rm -f -- ${sh`${names}`}`);
}
