/**
 * `npm run bench [-- --json] [--only 7.2|64|og|ob] [--latency MS] [--parallel N]`
 *
 * For each scenario (seed 7.2 on 4 hosts, 64 instances on 8 hosts), on labs of its own in the
 * OS temp directory with MS (default 20) injected per SSH round trip on every host:
 *   (a) the provider through the local engine: deploy (`up`), a second `up` (must change
 *       nothing), `refresh`;
 *   (b) the naive way (bench/naive.ts) on a fresh lab: the same commands, each over a new SSH
 *       connection, one after another.
 * Counts come from the hosts' command logs: SSH connections = `connect` events, remote commands
 * = command lines, SQL round trips = command lines running disql (each carries a whole script;
 * a leader wait polls inside one command and counts once). Wall times are measured here around
 * each engine run / the whole naive script. Labs are torn down at the end, also on failure.
 *
 * The deploy also runs with DBCLUSTER_TRACE set, and its critical-path bound (critical-path.ts)
 * is taken from that trace, the hosts' command logs and the state file's dependencies:
 * `criticalPathRatio` = deploy wall ÷ bound, with the wall split into the databases' tools, SSH
 * round trips, the provider between steps, and the engine and plugin.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { RunLog } from "../provider/core/log";
import { SshPool } from "../provider/core/ssh";
import { parseCatalog, type Catalog } from "../provider/dm/catalog";
import { disqlCommand } from "../provider/dm/commands";
import { catalogReadScript } from "../provider/dm/sql";
import type { LabJson } from "../lab/hosts/lab-json";
import { readTrace } from "../provider/core/trace";
import { breakdown, criticalPath, type Bound, type Breakdown } from "./critical-path";
import { commandSpans, stateNodes } from "./evidence";
import { naiveCommands, PASSWORD, runNaive } from "./naive";
import { HOSTS, SCENARIOS, topology, type Scenario } from "./topologies";
import { benchOpengauss, ogTable } from "./opengauss";
import { benchOceanbase, obTable } from "./oceanbase";
import { benchObStandby, benchObStandby4, obStandbyTable } from "./ob-standby";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..");
const LAB_CLI = path.join(REPO, "dist", "lab", "cli.js");
const ENGINE_CLI = path.join(REPO, "dist", "lab", "engine", "cli.js");
const PROGRAM = path.join(REPO, "bench", "program");
const STACK = "bench";
/** The pulumi CLI's default parallelism is unbounded (its --parallel defaults to MaxInt32). */
const UNBOUNDED = 2147483647;

interface Options {
  json: boolean;
  only: Scenario[];
  /** The openGauss DR figure (bench/opengauss.ts). */
  og: boolean;
  /** The OceanBase figures: the backup policy (bench/oceanbase.ts) and the standby (bench/ob-standby.ts). */
  ob: boolean;
  latencyMs: number;
  parallel?: number;
  /** Where to copy the hosts' command logs and the engine's output before each lab goes. */
  logs?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { json: false, only: [...SCENARIOS], og: true, ob: true, latencyMs: 20 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--json") o.json = true;
    else if (a === "--only") {
      const all = value().split(",");
      o.og = all.includes("og");
      o.ob = all.includes("ob");
      const s = all.filter((x) => x !== "og" && x !== "ob") as Scenario[];
      for (const x of s) if (!SCENARIOS.includes(x)) throw new Error(`--only takes ${SCENARIOS.join(", ")}, og or ob, got ${x}`);
      o.only = s;
    } else if (a === "--latency") {
      o.latencyMs = Number(value());
      if (!Number.isInteger(o.latencyMs) || o.latencyMs < 0) throw new Error("--latency takes milliseconds (an integer >= 0)");
    } else if (a === "--parallel") {
      o.parallel = Number(value());
      if (!Number.isInteger(o.parallel) || o.parallel < 1) throw new Error("--parallel takes a positive integer");
    } else if (a === "--logs") {
      o.logs = path.resolve(value());
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const USAGE = `npm run bench [-- --json] [--only 7.2|64|og|ob] [--latency MS] [--parallel N] [--logs DIR]
  --json        end with one JSON line of the figures
  --only S      run only scenario S (7.2, 64, og: the openGauss DR pair, ob: the OceanBase backup policy and standby; comma-separated for several)
  --latency MS  delay injected per SSH round trip on every host (default 20)
  --parallel N  the engine's --parallel (default: unbounded, as the pulumi CLI)
  --logs DIR    keep each lab's command logs, the provider's traces and the engine's output in DIR
`;

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// ---- labs -------------------------------------------------------------------------------

const liveLabs = new Set<string>();

async function startLab(hosts: number, latencyMs: number): Promise<LabJson> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbcluster-bench-"));
  liveLabs.add(dir);
  const r = await run(process.execPath, [LAB_CLI, "up", "--hosts", String(hosts), "--dir", dir], { timeout: 120_000, maxBuffer: 16 << 20 });
  const lab = JSON.parse(r.stdout) as LabJson;
  for (const h of lab.hosts) await run(process.execPath, [LAB_CLI, "fault", "--dir", dir, "--host", h.name, "latency", String(latencyMs)], { timeout: 60_000 });
  return lab;
}

async function stopLab(dir: string, keepAs?: string): Promise<void> {
  if (!liveLabs.delete(dir)) return;
  if (keepAs) {
    fs.mkdirSync(keepAs, { recursive: true });
    for (const h of fs.existsSync(path.join(dir, "hosts")) ? fs.readdirSync(path.join(dir, "hosts")) : []) {
      const log = path.join(dir, "hosts", h, "commands.log");
      if (fs.existsSync(log)) fs.copyFileSync(log, path.join(keepAs, `${h}.commands.log`));
    }
    for (const f of fs.readdirSync(dir).filter((x) => x.startsWith("trace-"))) fs.copyFileSync(path.join(dir, f), path.join(keepAs, f));
  }
  await run(process.execPath, [LAB_CLI, "down", "--dir", dir], { timeout: 120_000 }).catch((e) => progress(`lab down ${dir} failed: ${(e as Error).message}`));
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---- counting from the command logs -----------------------------------------------------

interface HostCounts {
  connections: number;
  commands: number;
  sql: number;
}

type Snapshot = Map<string, number>;

function logLines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
}

function snapshot(lab: LabJson): Snapshot {
  return new Map(lab.hosts.map((h) => [h.name, logLines(h.commandLog).length]));
}

/** What each host's log gained since `since`. */
function countSince(lab: LabJson, since: Snapshot): Map<string, HostCounts> {
  const out = new Map<string, HostCounts>();
  for (const h of lab.hosts) {
    const c: HostCounts = { connections: 0, commands: 0, sql: 0 };
    for (const line of logLines(h.commandLog).slice(since.get(h.name) ?? 0)) {
      const e = JSON.parse(line) as { event?: string; command?: string };
      if (e.event === "connect") c.connections++;
      if (typeof e.command === "string") {
        c.commands++;
        if (/(^|[\s/'"])disql['"]?\s/.test(e.command)) c.sql++;
      }
    }
    out.set(h.name, c);
  }
  return out;
}

interface OpFigures {
  wallMs: number;
  sshConnections: number;
  remoteCommands: number;
  sqlRoundTrips: number;
  hostsTouched: number;
  /** Most connections one host saw during the operation. */
  maxConnectionsPerHost: number;
  /** Most remote commands one host ran during the operation. */
  maxCommandsPerHost: number;
  summary?: Record<string, number>;
}

function figures(wallMs: number, counts: Map<string, HostCounts>, summary?: Record<string, number>): OpFigures {
  const all = [...counts.values()];
  const touched = all.filter((c) => c.connections > 0 || c.commands > 0);
  return {
    wallMs,
    sshConnections: all.reduce((n, c) => n + c.connections, 0),
    remoteCommands: all.reduce((n, c) => n + c.commands, 0),
    sqlRoundTrips: all.reduce((n, c) => n + c.sql, 0),
    hostsTouched: touched.length,
    maxConnectionsPerHost: Math.max(0, ...all.map((c) => c.connections)),
    maxCommandsPerHost: Math.max(0, ...all.map((c) => c.commands)),
    summary,
  };
}

// ---- the two ways -----------------------------------------------------------------------

interface EngineRun {
  code: number;
  wallMs: number;
  started: number;
  ended: number;
  traceFile: string;
  summary?: Record<string, number>;
  tail: string;
  out: string;
}

function engine(command: "up" | "refresh", lab: LabJson, scenario: Scenario, opts: Options): Promise<EngineRun> {
  const args = [ENGINE_CLI, command, "--cwd", PROGRAM, "--stack", STACK, "--backend", path.join(lab.dir, "state"), "--json"];
  args.push("--parallel", String(opts.parallel ?? UNBOUNDED));
  const traceFile = path.join(lab.dir, `trace-${command}-${Date.now()}.jsonl`);
  const env = { ...process.env, LAB_JSON: path.join(lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "bench-passphrase", BENCH_TOPOLOGY: scenario, DBCLUSTER_TRACE: traceFile };
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ended = Date.now();
      const wallMs = ended - started;
      let summary: Record<string, number> | undefined;
      for (const line of out.trim().split("\n").reverse()) {
        try {
          const parsed = JSON.parse(line) as { summary?: Record<string, number> };
          if (parsed.summary) {
            summary = parsed.summary;
            break;
          }
        } catch {
          /* a plain log line */
        }
      }
      resolve({ code: code ?? 1, wallMs, started, ended, traceFile, summary, tail: out.slice(-4000), out });
    });
  });
}

function stackState(lab: LabJson): string {
  const project = fs.readFileSync(path.join(PROGRAM, "Pulumi.yaml"), "utf8").match(/^name:\s*(\S+)/m)?.[1] ?? "";
  return path.join(lab.dir, "state", project, `${STACK}.json`);
}

interface Limit {
  bound: Bound;
  breakdown: Breakdown;
  criticalPathRatio: number;
}

/** The deploy against its critical-path bound, from the run's trace and the hosts' logs. */
function limitOf(r: EngineRun, lab: LabJson): Limit {
  const events = readTrace(r.traceFile);
  const commands = commandSpans(lab, r.started, r.ended);
  const bound = criticalPath(events, commands, stateNodes(stackState(lab)));
  return { bound, breakdown: breakdown(events, commands, r.started, r.ended), criticalPathRatio: bound.boundMs > 0 ? round2(r.wallMs / bound.boundMs) : 0 };
}

async function engineStep(what: string, command: "up" | "refresh", lab: LabJson, scenario: Scenario, opts: Options): Promise<OpFigures & { limit?: Limit }> {
  progress(`${scenario}: provider ${what} ...`);
  const before = snapshot(lab);
  const r = await engine(command, lab, scenario, opts);
  if (opts.logs) {
    fs.mkdirSync(opts.logs, { recursive: true });
    fs.writeFileSync(path.join(opts.logs, `${scenario}-provider-${what.split(" ")[0].replace(/\W/g, "")}${command === "up" && what.startsWith("second") ? "-up" : ""}.out`), r.out);
  }
  if (r.code !== 0) throw new Error(`${scenario}: engine ${command} (${what}) failed with exit ${r.code}:\n${r.tail}`);
  const f = figures(r.wallMs, countSince(lab, before), r.summary);
  progress(`${scenario}: provider ${what}: ${(f.wallMs / 1000).toFixed(1)} s, ${f.sshConnections} connections, ${f.remoteCommands} commands, ${f.sqlRoundTrips} SQL`);
  if (command !== "up" || what.startsWith("second")) return f;
  const limit = limitOf(r, lab);
  const b = limit.breakdown;
  progress(
    `${scenario}: critical path ${(limit.bound.boundMs / 1000).toFixed(1)} s (${limit.bound.chain.length} resources, ${limit.bound.unmatchedSteps}/${limit.bound.steps} steps not in the hosts' logs), ratio ${limit.criticalPathRatio}; ` +
      `wall = tools ${secs(b.toolsMs)} + SSH ${secs(b.sshMs)} + provider ${secs(b.providerMs)} + engine ${secs(b.engineMs)}`,
  );
  return { ...f, limit };
}

/** Reads the catalog once (after the measurement) to prove the cluster is whole. */
async function verify(lab: LabJson, scenario: Scenario): Promise<string> {
  const t = topology(scenario, lab.hosts.map((h) => ({ ip: h.address, dataRoot: h.dataRoot, connection: h })));
  const mp = t.instances.find((i) => i.mode === "MP")!;
  const h = mp.connection;
  const pool = new SshPool();
  let catalog: Catalog;
  try {
    const r = await pool.exec(
      { conn: { host: h.address, port: h.port, user: h.user, privateKey: fs.readFileSync(h.privateKeyPath, "utf8"), hostKey: h.hostKey } },
      disqlCommand({}),
      { stdin: catalogReadScript({ password: PASSWORD, ip: mp.ip, port: mp.portNum }) },
    );
    if (r.code !== 0) throw new Error(`catalog read failed (exit ${r.code}): ${r.stdout.slice(-500)}${r.stderr.slice(-500)}`);
    catalog = parseCatalog(r.stdout);
  } finally {
    await pool.closeAll();
  }
  const problems: string[] = [];
  if (catalog.instances.length !== t.instances.length) problems.push(`${catalog.instances.length} instances registered, ${t.instances.length} wanted`);
  for (const g of t.rafts.filter((x) => x.members.length > 1)) {
    const raft = catalog.rafts.find((x) => x.name === g.name);
    const leader = raft && catalog.instances.find((i) => i.raftId === raft.id && i.sysMode === "PRIMARY");
    if (!leader) problems.push(`${g.name} has no leader`);
  }
  if (catalog.bpGroups.length !== t.bpGroups.length) problems.push(`${catalog.bpGroups.length} BP groups, ${t.bpGroups.length} wanted`);
  if (catalog.faultDomains.length !== t.faultDomains.length) problems.push(`${catalog.faultDomains.length} fault domains, ${t.faultDomains.length} wanted`);
  if (problems.length) throw new Error(`${scenario}: the cluster is not whole: ${problems.join("; ")}`);
  return `${catalog.instances.length} instances, ${t.rafts.filter((x) => x.members.length > 1).length} elected multi-replica groups`;
}

interface ScenarioResult {
  scenario: Scenario;
  hosts: number;
  instances: number;
  deploy: OpFigures & { limit?: Limit };
  secondUp: OpFigures;
  refresh: OpFigures;
  naive: OpFigures & { commandsPlanned: number };
  /** The deploy's critical-path bound (see critical-path.ts), wall ÷ bound, and the chain. */
  criticalPathMs: number;
  criticalPathRatio: number;
  criticalPath: string[];
  /** Where the deploy's wall time went. */
  deployBreakdown?: Breakdown;
  /** The naive way's wall time over the bound: the most speedup any scheduler of these steps could show. */
  speedupBound: number;
  resources: number;
  secondUpMsPerResource: number;
  speedupVsNaive: number;
  /** Most SSH connections one host saw in one operation (deploy or refresh). */
  sshConnectionsPerHostPerOp: number;
  /** Most remote commands (round trips) one host ran during refresh. */
  refreshRoundTripsPerHost: number;
}

async function benchScenario(scenario: Scenario, opts: Options): Promise<ScenarioResult> {
  const hosts = HOSTS[scenario];
  let deploy: OpFigures & { limit?: Limit }, secondUp: OpFigures, refresh: OpFigures;
  let resources = 0;
  let instances = 0;
  {
    progress(`${scenario}: starting a lab of ${hosts} hosts (+${opts.latencyMs} ms per round trip) for the provider`);
    const lab = await startLab(hosts, opts.latencyMs);
    try {
      instances = topology(scenario, lab.hosts.map((h) => ({ ip: h.address, dataRoot: h.dataRoot, connection: null }))).instances.length;
      deploy = await engineStep("deploy (up)", "up", lab, scenario, opts);
      secondUp = await engineStep("second up", "up", lab, scenario, opts);
      const s = secondUp.summary ?? {};
      if ((s.create ?? 0) + (s.update ?? 0) + (s.delete ?? 0) + (s.replace ?? 0) !== 0 || secondUp.remoteCommands !== 0)
        throw new Error(`${scenario}: the second up was not a no-op: ${JSON.stringify(s)}, ${secondUp.remoteCommands} remote commands`);
      refresh = await engineStep("refresh", "refresh", lab, scenario, opts);
      resources = stateNodes(stackState(lab)).filter((n) => n.id !== undefined).length;
      progress(`${scenario}: provider's cluster: ${await verify(lab, scenario)}`);
    } finally {
      await stopLab(lab.dir, opts.logs && path.join(opts.logs, `${scenario}-provider`));
    }
  }
  let naive: ScenarioResult["naive"];
  {
    progress(`${scenario}: starting a fresh lab of ${hosts} hosts for the naive way`);
    const lab = await startLab(hosts, opts.latencyMs);
    try {
      const { ops, targets } = naiveCommands(scenario, lab);
      progress(`${scenario}: naive: ${ops.length} commands, one after another, a new SSH connection each ...`);
      const before = snapshot(lab);
      const started = Date.now();
      await runNaive(ops, targets, new RunLog("naive", () => undefined));
      naive = { ...figures(Date.now() - started, countSince(lab, before)), commandsPlanned: ops.length };
      progress(`${scenario}: naive: ${(naive.wallMs / 1000).toFixed(1)} s, ${naive.sshConnections} connections, ${naive.remoteCommands} commands, ${naive.sqlRoundTrips} SQL`);
      progress(`${scenario}: naive cluster: ${await verify(lab, scenario)}`);
    } finally {
      await stopLab(lab.dir, opts.logs && path.join(opts.logs, `${scenario}-naive`));
    }
  }
  return {
    scenario,
    hosts,
    instances,
    deploy,
    secondUp,
    refresh,
    naive,
    speedupVsNaive: round2(naive.wallMs / deploy.wallMs),
    criticalPathMs: deploy.limit?.bound.boundMs ?? 0,
    criticalPathRatio: deploy.limit?.criticalPathRatio ?? 0,
    criticalPath: (deploy.limit?.bound.chain ?? []).map((l) => `${l.id} ${l.ms}ms`),
    deployBreakdown: deploy.limit?.breakdown,
    speedupBound: deploy.limit && deploy.limit.bound.boundMs > 0 ? round2(naive.wallMs / deploy.limit.bound.boundMs) : 0,
    resources,
    secondUpMsPerResource: resources > 0 ? Math.round(secondUp.wallMs / resources) : 0,
    sshConnectionsPerHostPerOp: Math.max(deploy.maxConnectionsPerHost, refresh.maxConnectionsPerHost),
    refreshRoundTripsPerHost: refresh.maxCommandsPerHost,
  };
}

function loadAverage(): string {
  return os.loadavg().map((x) => x.toFixed(1)).join(" / ");
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

// ---- output -----------------------------------------------------------------------------

function table(results: ScenarioResult[], opts: Options): string {
  const header = ["scenario", "operation", "wall", "SSH conns", "remote cmds", "SQL round trips", "conns/host (max)", "cmds/host (max)"];
  const rows: string[][] = [];
  for (const r of results) {
    const name = `${r.scenario === "7.2" ? "seed 7.2" : "64 instances"} (${r.instances} inst, ${r.hosts} hosts)`;
    const row = (op: string, f: OpFigures) => [name, op, secs(f.wallMs), String(f.sshConnections), String(f.remoteCommands), String(f.sqlRoundTrips), String(f.maxConnectionsPerHost), String(f.maxCommandsPerHost)];
    rows.push(row("deploy (up)", r.deploy), row("second up", r.secondUp), row("refresh", r.refresh), row("naive deploy", r.naive));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const lines = [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt), ""];
  for (const r of results) {
    lines.push(
      `${r.scenario}: speedup vs naive ${r.speedupVsNaive}x (target >= 5); SSH connections per host per operation ${r.sshConnectionsPerHostPerOp} (target 1); ` +
        `refresh round trips per host ${r.refreshRoundTripsPerHost} (target <= 2)`,
    );
    const b = r.deployBreakdown;
    lines.push(
      `${r.scenario}: critical path ${secs(r.criticalPathMs)}, deploy ÷ bound ${r.criticalPathRatio} (target <= 1.5); naive ÷ bound ${r.speedupBound} (the most speedup the bound allows); ` +
        `second up ${r.secondUpMsPerResource} ms per resource (${r.resources} resources)` +
        (b ? `; deploy wall ${secs(b.wallMs)} = databases' tools ${secs(b.toolsMs)} + SSH round trips ${secs(b.sshMs)} + provider between steps ${secs(b.providerMs)} + engine and plugin ${secs(b.engineMs)}` : ""),
    );
    lines.push(`${r.scenario}: critical chain: ${r.criticalPath.join(" → ")}`);
  }
  lines.push(`machine: ${os.cpus().length} CPUs, load average ${loadAverage()} at the end (other work on the machine slows the parallel provider more than the sequential naive script); +${opts.latencyMs} ms per SSH round trip on every host; engine --parallel ${opts.parallel ?? "unbounded (the pulumi CLI's default)"}`);
  return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  for (const f of [LAB_CLI, ENGINE_CLI, path.join(REPO, "dist", "bench", "program", "index.js")])
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: build first (npm run build)`);
  const results: ScenarioResult[] = [];
  for (const s of opts.only) results.push(await benchScenario(s, opts));
  const og = opts.og ? await benchOpengauss(opts.latencyMs, progress) : undefined;
  const ob = opts.ob ? await benchOceanbase(opts.latencyMs, progress) : undefined;
  const obStandby = opts.ob ? await benchObStandby(opts.latencyMs, progress) : undefined;
  const obStandby4 = opts.ob ? await benchObStandby4(opts.latencyMs, progress) : undefined;
  if (results.length > 0) process.stdout.write(table(results, opts));
  if (og) process.stdout.write(ogTable(og));
  if (ob) process.stdout.write(obTable(ob));
  if (obStandby) process.stdout.write(obStandbyTable(obStandby));
  if (obStandby4) process.stdout.write(obStandbyTable(obStandby4));
  if (opts.json) {
    const summary = {
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map(round2),
      latencyMs: opts.latencyMs,
      engineParallel: opts.parallel ?? null,
      // Over the scenarios run: the worst of each figure.
      speedupVsNaive: results.length ? Math.min(...results.map((r) => r.speedupVsNaive)) : null,
      sshConnectionsPerHostPerOp: Math.max(...results.map((r) => r.sshConnectionsPerHostPerOp)),
      refreshRoundTripsPerHost: Math.max(...results.map((r) => r.refreshRoundTripsPerHost)),
      criticalPathRatio: Math.max(...results.map((r) => r.criticalPathRatio)),
      scenarios: results,
      opengauss: og ?? null,
      oceanbase: ob ?? null,
      obStandby: obStandby ?? null,
      obStandby4: obStandby4 ?? null,
    };
    process.stdout.write(JSON.stringify(summary) + "\n");
  }
}

async function cleanup(): Promise<void> {
  await Promise.all([...liveLabs].map((d) => stopLab(d)));
}

for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    progress(`${sig}: tearing the labs down`);
    void cleanup().finally(() => process.exit(130));
  });

main().then(
  () => cleanup(),
  async (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await cleanup();
    process.exitCode = 1;
  },
);
