/**
 * The DNs are real PostgreSQL 15 servers. PostgreSQL refuses to run as root and the lab's
 * commands run as whoever runs the lab, so when that is root the server tools run as the
 * Debian package's `postgres` user (runuser), and the DN's directories belong to it.
 */
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { hostEnv } from "../common/env";
import { pidFilePath, removePidFile, writePidFile, isAlive } from "../common/pidfile";
import { OgCluster, OgNode, nodeProcessEnv, paths } from "./cluster";

export const PG_BIN = process.env.OG_LAB_PG_BIN || "/usr/lib/postgresql/15/bin";
export const DN_OS_USER = "postgres";

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** Runs a PostgreSQL server tool as the DN's OS user. */
export function runPg(tool: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  const bin = path.join(PG_BIN, tool);
  const [cmd, argv] = asRoot ? ["runuser", ["-u", DN_OS_USER, "--", bin, ...args]] : [bin, args];
  return spawnSync(cmd, argv, { encoding: "utf8", env: opts.env ?? process.env, input: opts.input, timeout: opts.timeoutMs ?? 120_000, cwd: "/" });
}

/** Gives a directory to the DN's OS user (a no-op when the lab does not run as root). */
export function chownToDn(dir: string): void {
  if (!asRoot) return;
  spawnSync("chown", ["-R", `${DN_OS_USER}:`, dir]);
}

/** PostgreSQL needs to reach its files: every directory above them must be traversable. */
export function openPathTo(dir: string, labDir: string): void {
  if (!asRoot) return;
  const stop = path.resolve(labDir, "..");
  for (let d = path.resolve(dir); d !== stop && d !== "/"; d = path.dirname(d)) {
    try {
      const mode = fs.statSync(d).mode & 0o777;
      if ((mode & 0o001) === 0) fs.chmodSync(d, mode | 0o011);
    } catch { /* not there yet */ }
  }
}

export function dnName(n: OgNode): string {
  return `dn_${n.instanceId}`;
}

/** The postmaster's pid from the lab's pid file, when it runs. */
export function dnPid(n: OgNode): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFilePath("og", dnName(n), n.hostDir), "utf8").trim());
    return pid > 0 && isAlive(pid) && postmasterPid(n) === pid ? pid : undefined;
  } catch {
    return undefined;
  }
}

function postmasterPid(n: OgNode): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(n.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
}

export function dnRunning(n: OgNode): boolean {
  return dnPid(n) !== undefined;
}

export interface PgResult {
  readonly ok: boolean;
  readonly out: string;
  readonly err: string;
}

/** Starts a DN (postgres on its node's address and the cluster's port). */
export function startDn(c: OgCluster, n: OgNode, labDir = hostEnv().labDir): PgResult {
  if (dnRunning(n)) return { ok: true, out: "", err: "" };
  fs.mkdirSync(paths.logDir(n), { recursive: true });
  chownToDn(paths.logDir(n));
  const opts = `-p ${c.port} -k ${paths.pghost(n)} -c listen_addresses=${n.address}`;
  const r = runPg("pg_ctl", ["-D", n.dataDir, "-o", opts, "-l", paths.dnLog(n), "-w", "-t", "60", "start"], { env: nodeProcessEnv(n, labDir) });
  const pid = postmasterPid(n);
  if (r.status === 0 && pid) writePidFile("og", dnName(n), pid, n.hostDir);
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

/** Stops a DN cleanly: a primary first sends its WAL, shutdown checkpoint included, to its standbys. */
export function stopDn(n: OgNode): PgResult {
  const pid = dnPid(n);
  if (pid === undefined) return { ok: true, out: "", err: "" };
  const r = runPg("pg_ctl", ["-D", n.dataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
  removePidFile("og", dnName(n), pid, n.hostDir);
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

/** One SQL statement on a DN over TCP, unaligned tuples only; `ok` false when it is down or refuses. */
export function sql(c: OgCluster | { port: number; initialUser: string }, address: string, statement: string, timeoutMs = 10_000): PgResult {
  const r = spawnSync("psql", ["-h", address, "-p", String(c.port), "-U", c.initialUser, "-d", "postgres", "-tAX", "-v", "ON_ERROR_STOP=1", "-c", statement], {
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, PGCONNECT_TIMEOUT: "3" },
  });
  return { ok: r.status === 0, out: (r.stdout ?? "").trim(), err: (r.stderr ?? "").trim() };
}

/** Whether a DN answers as a primary (`f`), a standby (`t`), or not at all. */
export function inRecovery(c: OgCluster | { port: number; initialUser: string }, address: string): boolean | undefined {
  const r = sql(c, address, "select pg_is_in_recovery()");
  if (!r.ok) return undefined;
  return r.out === "t";
}

/** Writes the settings a DN needs for replication into its postgresql.conf and pg_hba.conf. */
export function baseConfig(dataDir: string): void {
  fs.appendFileSync(
    path.join(dataDir, "postgresql.conf"),
    [
      "",
      "# lab openGauss DN",
      "wal_level = replica",
      "max_wal_senders = 10",
      "wal_keep_size = 128MB",
      "hot_standby = on",
      "fsync = off",
      "recovery_target_timeline = 'latest'",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(dataDir, "pg_hba.conf"),
    ["local all all trust", "local replication all trust", "host all all 127.0.0.0/8 trust", "host replication all 127.0.0.0/8 trust", ""].join("\n"),
  );
}

/** Points a stopped DN at an upstream and makes it a standby (standby.signal). */
export function makeStandby(n: OgNode, upstream: { address: string; port: number; user: string }, applicationName: string): void {
  const auto = path.join(n.dataDir, "postgresql.auto.conf");
  const kept = fs.existsSync(auto) ? fs.readFileSync(auto, "utf8").split("\n").filter((l) => !/^\s*primary_conninfo\s*=/.test(l)) : [];
  kept.push(`primary_conninfo = 'host=${upstream.address} port=${upstream.port} user=${upstream.user} application_name=${applicationName}'`);
  fs.writeFileSync(auto, kept.filter((l, i) => l !== "" || i === kept.length - 1).join("\n") + "\n");
  fs.writeFileSync(path.join(n.dataDir, "standby.signal"), "");
  chownToDn(n.dataDir);
}

/**
 * Rebuilds a DN from an upstream with pg_basebackup (gs_ctl build): its data is replaced, its own
 * postgresql.conf and pg_hba.conf are kept (as gs_ctl build keeps them).
 */
export function rebuildDn(n: OgNode, upstream: { address: string; port: number; user: string }, applicationName: string): PgResult {
  const keep: Record<string, string> = {};
  for (const f of ["postgresql.conf", "pg_hba.conf"]) {
    try {
      keep[f] = fs.readFileSync(path.join(n.dataDir, f), "utf8");
    } catch { /* a first build */ }
  }
  const staging = `${n.dataDir}.build`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true, mode: 0o700 });
  chownToDn(staging);
  const r = runPg("pg_basebackup", ["-h", upstream.address, "-p", String(upstream.port), "-U", upstream.user, "-D", staging, "-X", "stream", "-c", "fast"]);
  if (r.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    return { ok: false, out: r.stdout, err: r.stderr };
  }
  for (const [f, text] of Object.entries(keep)) fs.writeFileSync(path.join(staging, f), text);
  fs.rmSync(path.join(staging, "postgresql.auto.conf"), { force: true });
  fs.rmSync(n.dataDir, { recursive: true, force: true });
  fs.renameSync(staging, n.dataDir);
  makeStandby(n, upstream, applicationName);
  return { ok: true, out: r.stdout, err: r.stderr };
}

/** pg_ctl promote, waiting until the DN accepts writes. */
export function promoteDn(n: OgNode): PgResult {
  const r = runPg("pg_ctl", ["-D", n.dataDir, "-w", "-t", "60", "promote"]);
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

export function reloadDn(n: OgNode): PgResult {
  if (!dnRunning(n)) return { ok: true, out: "", err: "" };
  const r = runPg("pg_ctl", ["-D", n.dataDir, "reload"]);
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}
