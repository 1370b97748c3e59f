/**
 * The OceanBase standby figure of `npm run bench` (`--only ob`): on a lab of 6 hosts, a 3.x
 * primary on hosts 1-3 made by the lab's CLI, bare hosts 4-6 with the observer build, MS injected
 * per SSH round trip on every host, examples/ob-standby-cluster through the local engine:
 * create, a second up (must change nothing), refresh. The create's critical path is the slowest
 * host's observer start plus the wait for VALID (the one step nothing can overlap: the copy),
 * both read from the hosts' command logs; `deployVsCriticalPath` = create wall ÷ that path.
 * The 4.x figure: the same on a 4.x lab with examples/ob-standby-tenants (the standby cluster
 * started and bootstrapped, then standby tenant t1; its sync wait is the tenants' first copy).
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { LabJson } from "../lab/hosts/lab-json";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..");
const LAB_CLI = path.join(REPO, "dist", "lab", "cli.js");
const ENGINE_CLI = path.join(REPO, "dist", "lab", "engine", "cli.js");
const PROGRAM = path.join(REPO, "examples", "ob-standby-cluster");

interface Entry {
  time: string;
  command?: string;
  event?: string;
  durationMs?: number;
}

export interface ObStandbyBench {
  version: string;
  latencyMs: number;
  createWallMs: number;
  /** Each standby host's observer start (ms), from its command log. */
  startsMs: number[];
  syncWaitMs: number;
  criticalPathMs: number;
  deployVsCriticalPath: number;
  /** SSH connections per host during the create (connect events), hosts 1..6. */
  createConnectionsPerHost: number[];
  secondUp: { wallMs: number; remoteCommands: number; summary?: Record<string, number> };
  refresh: { wallMs: number; connectionsPerHostMax: number };
}

export const log = (lab: LabJson, name: string): Entry[] => {
  const h = lab.hosts.find((x) => x.name === name)!;
  return fs.readFileSync(h.commandLog, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Entry);
};
export const marks = (lab: LabJson) => new Map(lab.hosts.map((h) => [h.name, log(lab, h.name).length]));
export const since = (lab: LabJson, m: Map<string, number>) => lab.hosts.map((h) => log(lab, h.name).slice(m.get(h.name)));

/** A lab of 6 hosts: the primary on hosts 1-3 (tenant t1), hosts 4-6 bare with the build, `latencyMs` per round trip. */
export async function labWithPrimary(latencyMs: number, version: "3.2.4" | "4.2.1" = "3.2.4"): Promise<LabJson> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ob-"));
  const cli = (...a: string[]) => run(process.execPath, [LAB_CLI, ...a, "--dir", dir]);
  await cli("up", "--hosts", "6");
  await cli("oceanbase", "create", "--name", "obcluster", "--version", version, "--zones", "z1:host1,z2:host2,z3:host3", "--tenant", "t1");
  for (const h of ["host4", "host5", "host6"]) await cli("oceanbase", "binary", "--host", h, "--version", version);
  for (let i = 1; i <= 6; i++) await cli("fault", "--host", `host${i}`, "latency", String(latencyMs));
  return JSON.parse(fs.readFileSync(path.join(dir, "lab.json"), "utf8")) as LabJson;
}

export function engine(lab: LabJson, args: string[], program = PROGRAM): Promise<{ code: number; wallMs: number; out: string; summary?: Record<string, number> }> {
  const env = { ...process.env, LAB_JSON: path.join(lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "bench-passphrase" };
  const common = ["--cwd", program, "--stack", `bench-${path.basename(lab.dir)}`, "--backend", path.join(lab.dir, "state"), "--json"];
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [ENGINE_CLI, ...args, ...common], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").reverse().find((l) => l.startsWith("{\"summary\""));
      resolve({ code: code ?? 1, wallMs: Date.now() - started, out, summary: last ? (JSON.parse(last) as { summary: Record<string, number> }).summary : undefined });
    });
  });
}

/** How one standby kind is measured: its version, example, and the sync wait's query (what the critical path adds to the slowest start). */
interface StandbyKind {
  readonly label: string;
  readonly version: "3.2.4" | "4.2.1";
  readonly program: string;
  readonly syncWait: RegExp;
}

const KIND_3X: StandbyKind = { label: "ob standby", version: "3.2.4", program: PROGRAM, syncWait: /V\$OB_STANDBY_STATUS WHERE cluster_id/ };
/** 4.x: examples/ob-standby-tenants starts and bootstraps the standby cluster, then waits for its standby tenants' first copy. */
const KIND_4X: StandbyKind = { label: "ob standby 4.x", version: "4.2.1", program: path.join(REPO, "examples", "ob-standby-tenants"), syncWait: /DBA_OB_TENANTS WHERE tenant_name IN/ };

export const benchObStandby = (latencyMs: number, progress: (s: string) => void) => benchStandby(KIND_3X, latencyMs, progress);
export const benchObStandby4 = (latencyMs: number, progress: (s: string) => void) => benchStandby(KIND_4X, latencyMs, progress);

async function benchStandby(k: StandbyKind, latencyMs: number, progress: (s: string) => void): Promise<ObStandbyBench> {
  const lab = await labWithPrimary(latencyMs, k.version);
  const stackFile = path.join(k.program, `Pulumi.bench-${path.basename(lab.dir)}.yaml`);
  try {
    let m = marks(lab);
    progress(`${k.label}: create (up) ...`);
    const create = await engine(lab, ["up"], k.program);
    if (create.code !== 0) throw new Error(`${k.label}: up failed:\n${create.out.slice(-4000)}`);
    const created = since(lab, m);
    const starts = created.flat().filter((e) => /\.\/bin\/observer -z/.test(e.command ?? "")).map((e) => e.durationMs ?? 0);
    const waits = created.flat().filter((e) => k.syncWait.test(e.command ?? "")).map((e) => e.durationMs ?? 0);
    if (starts.length !== 3 || waits.length !== 1) throw new Error(`${k.label}: expected 3 observer starts and 1 wait, saw ${starts.length} and ${waits.length}`);
    const criticalPathMs = Math.max(...starts) + waits[0];
    m = marks(lab);
    progress(`${k.label}: second up ...`);
    const second = await engine(lab, ["up"], k.program);
    if (second.code !== 0 || (second.summary?.update ?? 0) + (second.summary?.create ?? 0) > 0) throw new Error(`${k.label}: the second up was not a no-op: ${JSON.stringify(second.summary)}`);
    const secondCmds = since(lab, m).flat().filter((e) => e.command !== undefined).length;
    m = marks(lab);
    progress(`${k.label}: refresh ...`);
    const refresh = await engine(lab, ["refresh"], k.program);
    const refreshed = since(lab, m);
    return {
      version: k.version,
      latencyMs,
      createWallMs: create.wallMs,
      startsMs: starts,
      syncWaitMs: waits[0],
      criticalPathMs,
      deployVsCriticalPath: Math.round((create.wallMs / criticalPathMs) * 100) / 100,
      createConnectionsPerHost: created.map((es) => es.filter((e) => e.event === "connect").length),
      secondUp: { wallMs: second.wallMs, remoteCommands: secondCmds, summary: second.summary },
      refresh: { wallMs: refresh.wallMs, connectionsPerHostMax: Math.max(...refreshed.map((es) => es.filter((e) => e.event === "connect").length)) },
    };
  } finally {
    fs.rmSync(stackFile, { force: true });
    await run(process.execPath, [LAB_CLI, "down", "--dir", lab.dir]).catch(() => undefined);
    fs.rmSync(lab.dir, { recursive: true, force: true });
  }
}

export function obStandbyTable(r: ObStandbyBench): string {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    r.version.startsWith("4.")
      ? `OceanBase 4.x standby (the standby cluster bootstrapped on bare hosts, 3 zones x 1 OBServer, then standby tenant t1; +${r.latencyMs} ms per round trip):`
      : `OceanBase 3.x standby (3 zones x 1 OBServer on bare hosts, +${r.latencyMs} ms per round trip):`,
    `  create (up) ${secs(r.createWallMs)}; critical path ${secs(r.criticalPathMs)} = slowest observer start ${secs(Math.max(...r.startsMs))} (starts ${r.startsMs.map(secs).join(", ")}) + ${r.version.startsWith("4.") ? "wait for the standby tenants' first copy" : "wait for VALID"} ${secs(r.syncWaitMs)}; deploy ÷ critical path ${r.deployVsCriticalPath}`,
    `  SSH connections per host during the create (host1..host6): ${r.createConnectionsPerHost.join(", ")}`,
    `  create less a quiet up (the engine, plugin and reads every up pays) ${secs(Math.max(0, r.createWallMs - r.secondUp.wallMs))}, ÷ critical path ${(Math.max(0, r.createWallMs - r.secondUp.wallMs) / r.criticalPathMs).toFixed(2)}`,
    `  second up ${secs(r.secondUp.wallMs)}, ${r.secondUp.remoteCommands} remote commands; refresh ${secs(r.refresh.wallMs)}, at most ${r.refresh.connectionsPerHostMax} connection(s) per host`,
    "",
  ].join("\n");
}
