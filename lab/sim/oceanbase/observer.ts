/**
 * observer: the OBServer stand-in. Flags as the real binary takes them (3.x "add an observer"):
 *   observer -z ZONE -p SQL_PORT -P RPC_PORT -n CLUSTER -c CLUSTER_ID -d STORE_DIR -r RS_LIST [-o k=v,...] [-i DEV] [-N]
 * It daemonizes like the real one unless -N (no daemon) is given, writes run/observer.pid under its
 * working directory (the real observer's home) and the lab's pid file, serves the MySQL protocol on
 * SQL_PORT and accepts on RPC_PORT. `observer -V` prints the build's version: the lab's wrapper sets
 * it per host (`LAB_OB_VERSION`), so that hosts can hold different builds.
 *
 * A server of a cluster never bootstrapped waits for `ALTER SYSTEM BOOTSTRAP` (root@sys, empty
 * password, as obd and ob-operator log in before bootstrap); the lab's standby bootstrap files
 * the cluster's state (standby/bootstrap.ts), and the server then answers for it.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { labNow } from "../common/clock";
import { hostEnv } from "../common/env";
import { takeInjectedFailure } from "../common/faults";
import { isAlive, removePidFile, writePidFile } from "../common/pidfile";
import { execute } from "./sql/session";
import { readState, type ObVersion } from "./state";
import { doubleSha1Hex, serveMysql, splitUser } from "./wire";
import { statementKind, versionComment } from "./sql/session";
import { bootstrapStandby } from "./standby/bootstrap";
import { bootstrapCluster } from "./standby/cluster4";
import { stateKeyFor } from "./standby/model";
import { registerServer, unregisterServer } from "./standby/registry";
import { ObError } from "./errors";

interface Flags {
  zone: string;
  sqlPort: number;
  rpcPort: number;
  cluster: string;
  clusterId: number;
  dir: string;
  rsList: string;
  options: string;
  noDaemon: boolean;
}

const USAGE = "Usage: observer -z zone -p mysql_port -P rpc_port -n cluster_name -c cluster_id -d data_dir -r rs_list [-o k=v,...] [-i devname] [-N]";

function fail(msg: string): never {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(1);
}

function parseFlags(argv: string[]): Flags {
  const v: Record<string, string> = {};
  let noDaemon = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-N" || a === "--nodaemon") { noDaemon = true; continue; }
    if (a === "-V" || a === "--version") {
      process.stderr.write(`observer (OceanBase ${binaryVersion() ?? "3.2.4"}.0)\n\nREVISION: 1-lab\nBUILD_BRANCH: lab\n`);
      process.exit(0);
    }
    if (!/^-[zpPncdroi]$/.test(a)) fail(`observer: unknown option ${a}`);
    if (i + 1 >= argv.length) fail(`observer: option ${a} needs a value`);
    v[a] = argv[++i];
  }
  for (const f of ["-z", "-p", "-P", "-n", "-c", "-d", "-r"]) if (!v[f]) fail(`observer: ${f} is required`);
  const port = (f: string) => {
    const n = Number(v[f]);
    if (!Number.isInteger(n) || n < 1024 || n > 65535) fail(`observer: invalid port ${v[f]} for ${f}`);
    return n;
  };
  const clusterId = Number(v["-c"]);
  if (!Number.isInteger(clusterId) || clusterId < 1 || clusterId > 4294901759) fail(`observer: cluster_id must be in [1, 4294901759], got ${v["-c"]}`);
  if (!path.isAbsolute(v["-d"])) fail(`observer: data_dir must be absolute, got ${v["-d"]}`);
  return { zone: v["-z"], sqlPort: port("-p"), rpcPort: port("-P"), cluster: v["-n"], clusterId, dir: v["-d"], rsList: v["-r"], options: v["-o"] ?? "", noDaemon };
}

/** The build's version: set per host by the lab's wrapper; without one, the cluster state's. */
function binaryVersion(): string | undefined {
  return process.env.LAB_OB_VERSION || undefined;
}

const pidName = (f: Flags) => `observer.${f.cluster}`;
// As the real observer: run/ and log/ under the working directory it was started in (its home).
const homePid = (_f: Flags) => path.join(process.cwd(), "run", "observer.pid");
const logFile = (_f: Flags) => path.join(process.cwd(), "log", "observer.log");

async function daemonize(argv: string[], f: Flags): Promise<void> {
  fs.mkdirSync(path.dirname(logFile(f)), { recursive: true });
  const out = fs.openSync(logFile(f), "a");
  const child = spawn(process.execPath, [process.argv[1], ...argv, "-N"], { detached: true, stdio: ["ignore", out, out], env: process.env, argv0: "observer" } as never);
  fs.closeSync(out);
  child.unref();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || !isAlive(child.pid!)) {
      const tail = fs.readFileSync(logFile(f), "utf8").trim().split("\n").slice(-5).join("\n");
      fail(`observer: start failed, see ${logFile(f)}:\n${tail}`);
    }
    if (await listening(hostEnv().address, f.sqlPort)) process.exit(0);
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`observer: not listening on ${f.sqlPort} after 15 s, see ${logFile(f)}`);
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

async function serve(f: Flags): Promise<void> {
  const env = hostEnv();
  const log = (m: string) => process.stdout.write(`[${new Date(labNow(env.labDir)).toISOString()}] ${m}\n`);
  // A server answers for a cluster it is a member of; any other (say one started with another
  // cluster's name and id) waits for a BOOTSTRAP of its own.
  const memberKey = () => {
    const k = stateKeyFor(env.labDir, f.cluster, f.clusterId);
    return k && readState(env.labDir, k).servers.some((x) => x.address === env.address && x.rpcPort === f.rpcPort) ? k : undefined;
  };
  let key = memberKey();
  const stateKey = () => (key ??= memberKey());
  const version = binaryVersion() ?? (key ? readState(env.labDir, key).version : "3.2.4");
  if (key && readState(env.labDir, key).version !== version) fail(`observer: build ${version} cannot serve cluster ${f.cluster} of version ${readState(env.labDir, key).version}`);
  // The store as the real observer lays it out: an existing data directory is never empty.
  for (const sub of ["clog", "slog", "sstable"]) fs.mkdirSync(path.join(f.dir, sub), { recursive: true });
  if (!fs.existsSync(path.join(f.dir, "sstable", "block_file"))) fs.writeFileSync(path.join(f.dir, "sstable", "block_file"), `${f.cluster} ${f.clusterId} ${f.zone}\n`);
  fs.mkdirSync(path.dirname(homePid(f)), { recursive: true });
  const sql = await serveMysql(
    {
      serverVersion: version.startsWith("4.") ? `5.7.25-OceanBase-v${version}.0` : "5.7.25",
      passwordHash: (login) => {
        const { user, tenant } = splitUser(login);
        const k = stateKey();
        if (!k) return user === "root" && tenant.toLowerCase() === "sys" ? Buffer.from(doubleSha1Hex(""), "hex") : undefined;
        const st = readState(env.labDir, k);
        // The lab gives each user tenant's root the sys tenant's password (one password file per cluster).
        const t = st.tenants.find((x) => x.name.toLowerCase() === tenant.toLowerCase());
        if (user !== "root" || (tenant.toLowerCase() !== "sys" && !t)) return undefined;
        // A standby tenant's users are its primary tenant's.
        return Buffer.from((t && st.tenantRootHash?.[String(t.id)]) ?? st.rootHash, "hex");
      },
      execute: (text, session) => {
        const k = stateKey();
        const { user, tenant } = splitUser(session.user);
        if (!k) {
          if (bootstrapStandby(env.labDir, { cluster: f.cluster, clusterId: f.clusterId, version }, text.trim().replace(/;\s*$/, ""), labNow(env.labDir))) {
            log(`bootstrapped as a standby cluster: ${f.cluster} (${f.clusterId})`);
            return { kind: "ok", affectedRows: 0 };
          }
          if (bootstrapCluster(env.labDir, { cluster: f.cluster, clusterId: f.clusterId, version }, text.trim().replace(/;\s*$/, ""), labNow(env.labDir))) {
            log(`bootstrapped: ${f.cluster} (${f.clusterId})`);
            return { kind: "ok", affectedRows: 0 };
          }
          if (/^\s*select\s+@@version_comment/i.test(text)) return { kind: "rows", result: { columns: ["@@version_comment"], rows: [[versionComment({ version: version as ObVersion })]] } };
          throw new ObError("notBootstrapped");
        }
        // `lab fault --host H fail observer --when TEXT`: the session carrying that statement dies
        // before it runs (the statements before it in the batch did run), as a server lost mid-batch.
        // A plain `fail observer` is the start's (below), never used up by a statement.
        if (takeInjectedFailure("observer", env.hostDir, text, { keyedOnly: true })) {
          log(`sql session=${session.connectionId} dropped before ${statementKind(text)}: injected fault`);
          return { kind: "drop" };
        }
        // What a refresh costs is counted from here (bench): one line per statement, its kind
        // and the view it reads, never its literals (a destination carries OSS keys).
        log(`sql session=${session.connectionId} ${statementKind(text)}`);
        return execute({ labDir: env.labDir, cluster: k, user, tenant, connectionId: session.connectionId, now: () => labNow(env.labDir) }, text);
      },
    },
    env.address,
    f.sqlPort,
  );
  const rpc = net.createServer((s) => s.end());
  await new Promise<void>((resolve, reject) => { rpc.once("error", reject); rpc.listen(f.rpcPort, env.address, () => resolve()); });
  writePidFile("ob", pidName(f));
  registerServer(env.labDir, { host: env.host, address: env.address, sqlPort: f.sqlPort, rpcPort: f.rpcPort, cluster: f.cluster, clusterId: f.clusterId, zone: f.zone, version, pid: process.pid, dir: f.dir, startedAt: labNow(env.labDir) });
  fs.writeFileSync(homePid(f), `${process.pid}\n`);
  log(`observer ${versionComment({ version: version as ObVersion })} started: cluster ${f.cluster} (${f.clusterId}) zone ${f.zone} sql ${env.address}:${f.sqlPort} rpc ${f.rpcPort} rs_list ${f.rsList}`);
  const stop = () => {
    log("observer stopping (SIGTERM)");
    sql.close();
    rpc.close();
    removePidFile("ob", pidName(f));
    unregisterServer(env.labDir, env.address, f.rpcPort);
    try { if (fs.readFileSync(homePid(f), "utf8").trim() === String(process.pid)) fs.rmSync(homePid(f)); } catch { /* gone */ }
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

const argv = process.argv.slice(2);
const flags = parseFlags(argv);
if (takeInjectedFailure("observer") && !flags.noDaemon) fail("observer: start failed: injected fault");
if (flags.noDaemon) void serve(flags).catch((e: Error) => fail(`observer: ${e.message}`));
else void daemonize(argv, flags);
