/**
 * observer: the OBServer stand-in. Flags as the real binary takes them (3.x "add an observer"):
 *   observer -z ZONE -p SQL_PORT -P RPC_PORT -n CLUSTER -c CLUSTER_ID -d STORE_DIR -r RS_LIST [-o k=v,...] [-i DEV] [-N]
 * It daemonizes like the real one unless -N (no daemon) is given, writes STORE_DIR/../run/observer.pid
 * and the lab's pid file, serves the MySQL protocol on SQL_PORT and accepts on RPC_PORT.
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
import { readState, stateFile } from "./state";
import { doubleSha1Hex, serveMysql, splitUser } from "./wire";
import { statementKind, versionComment } from "./sql/session";

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

const pidName = (f: Flags) => `observer.${f.cluster}`;
const homePid = (f: Flags) => path.join(path.dirname(f.dir), "run", "observer.pid");
const logFile = (f: Flags) => path.join(path.dirname(f.dir), "log", "observer.log");

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
  if (!fs.existsSync(stateFile(env.labDir, f.cluster))) fail(`observer: cluster ${f.cluster} has not been bootstrapped (no ${stateFile(env.labDir, f.cluster)})`);
  const st = readState(env.labDir, f.cluster);
  if (st.clusterId !== f.clusterId) fail(`observer: cluster_id ${f.clusterId} does not match cluster ${f.cluster} (${st.clusterId}) [-4700]`);
  fs.mkdirSync(f.dir, { recursive: true });
  fs.mkdirSync(path.dirname(homePid(f)), { recursive: true });
  const sql = await serveMysql(
    {
      serverVersion: st.version.startsWith("4.") ? `5.7.25-OceanBase-v${st.version}.0` : "5.7.25",
      passwordHash: (login) => {
        const { user, tenant } = splitUser(login);
        if (user !== "root" || tenant.toLowerCase() !== "sys") return undefined;
        return Buffer.from(readState(env.labDir, f.cluster).rootHash, "hex");
      },
      execute: (text, session) => {
        // What a refresh costs is counted from here (bench): one line per statement, its kind
        // and the view it reads, never its literals (a destination carries OSS keys).
        log(`sql session=${session.connectionId} ${statementKind(text)}`);
        return execute({ labDir: env.labDir, cluster: f.cluster, user: splitUser(session.user).user, connectionId: session.connectionId, now: () => labNow(env.labDir) }, text);
      },
    },
    env.address,
    f.sqlPort,
  );
  const rpc = net.createServer((s) => s.end());
  await new Promise<void>((resolve, reject) => { rpc.once("error", reject); rpc.listen(f.rpcPort, env.address, () => resolve()); });
  writePidFile("ob", pidName(f));
  fs.writeFileSync(homePid(f), `${process.pid}\n`);
  log(`observer ${versionComment(st)} started: cluster ${f.cluster} (${f.clusterId}) zone ${f.zone} sql ${env.address}:${f.sqlPort} rpc ${f.rpcPort} rs_list ${f.rsList}`);
  const stop = () => {
    log("observer stopping (SIGTERM)");
    sql.close();
    rpc.close();
    removePidFile("ob", pidName(f));
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
