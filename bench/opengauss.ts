/**
 * The openGauss DR figure of `npm run bench` (`--only og`): on a lab of 4 hosts with two
 * clusters of 2 real PostgreSQL DNs each and MS injected per SSH round trip,
 *   (a) the provider through the local engine on examples/og-dr-stream: create (both sides'
 *       `gs_ddr start` at once), a second up (must change nothing), refresh;
 *   (b) the two sides' start run one after the other, as a script would, on a fresh lab with
 *       `--time-out` BOUND_S: the seed says this cannot work (each side waits for the other);
 *       the figures say how long it took and what gs_ddr -t query reports on each side after.
 * The pair's start time is read from the hosts' command logs: from the first start's begin to
 * the last one's end, against the slower side's own duration (the bound for concurrent sides).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { LabJson } from "../lab/hosts/lab-json";
import { timedEngine, type TimedRun } from "./engine-run";
import { SshPool } from "../provider/core/ssh";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..");
const LAB_CLI = path.join(REPO, "dist", "lab", "cli.js");
const PROGRAM = path.join(REPO, "examples", "og-dr-stream");
/** The naive run's --time-out: long enough for a side's own work, short enough to wait for. */
const BOUND_S = 30;

interface Entry {
  time: string;
  command?: string;
  event?: string;
  durationMs?: number;
  exit?: number | null;
}

export interface OgBench {
  latencyMs: number;
  createWallMs: number;
  pairStartMs: number;
  slowerSideStartMs: number;
  /** pairStartMs / slowerSideStartMs: about 1 when the sides overlap, about 2 if they ran in turn. */
  startVsSlowerSide: number;
  secondUp: { wallMs: number; remoteCommands: number; summary?: Record<string, number> };
  refresh: { wallMs: number; commandsPerHostMax: number; connectionsPerHostMax: number };
  createConnectionsPerHostMax: number;
  sequential: { wallMs: number; firstSideExit: number | null; secondSideExit: number | null; primaryState: string; standbyState: string; paired: boolean; boundS: number };
}

function log(lab: LabJson, host: string): Entry[] {
  const h = lab.hosts.find((x) => x.name === host)!;
  return fs.readFileSync(h.commandLog, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Entry);
}
const marks = (lab: LabJson) => new Map(lab.hosts.map((h) => [h.name, log(lab, h.name).length]));
const since = (lab: LabJson, m: Map<string, number>) => new Map(lab.hosts.map((h) => [h.name, log(lab, h.name).slice(m.get(h.name))]));

async function labWithClusters(latencyMs: number): Promise<LabJson> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-og-"));
  await run(process.execPath, [LAB_CLI, "up", "--hosts", "4", "--dir", dir]);
  await run(process.execPath, [LAB_CLI, "opengauss", "create", "--dir", dir, "--name", "og1", "--hosts", "host1,host2", "--port", "26000"]);
  await run(process.execPath, [LAB_CLI, "opengauss", "create", "--dir", dir, "--name", "og2", "--hosts", "host3,host4", "--port", "26000"]);
  for (const h of ["host1", "host2", "host3", "host4"]) await run(process.execPath, [LAB_CLI, "fault", "--dir", dir, "--host", h, "latency", String(latencyMs)]);
  return JSON.parse(fs.readFileSync(path.join(dir, "lab.json"), "utf8")) as LabJson;
}

async function stopLab(lab: LabJson): Promise<void> {
  await run(process.execPath, [LAB_CLI, "down", "--dir", lab.dir]).catch(() => undefined);
  fs.rmSync(lab.dir, { recursive: true, force: true });
}

function engine(lab: LabJson, args: string[]): Promise<TimedRun> {
  const env = { ...process.env, LAB_JSON: path.join(lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "bench-passphrase" };
  const common = ["--cwd", PROGRAM, "--stack", `bench-${path.basename(lab.dir)}`, "--backend", path.join(lab.dir, "state"), "--json"];
  return timedEngine([...args, ...common], env);
}

const perHost = (entries: Map<string, Entry[]>, what: (e: Entry) => boolean) => Math.max(0, ...[...entries.values()].map((es) => es.filter(what).length));
const isCommand = (e: Entry) => e.command !== undefined;
const isConnect = (e: Entry) => e.event === "connect";

async function provider(latencyMs: number, progress: (s: string) => void): Promise<Omit<OgBench, "sequential">> {
  const lab = await labWithClusters(latencyMs);
  const stackFile = path.join(PROGRAM, `Pulumi.bench-${path.basename(lab.dir)}.yaml`);
  try {
    await engine(lab, ["config", "set", "timeoutSeconds", "300"]);
    let m = marks(lab);
    progress("og: provider create (up) ...");
    const create = await engine(lab, ["up"]);
    if (create.code !== 0) throw new Error(`og: up failed:\n${create.out.slice(-4000)}`);
    const created = since(lab, m);
    const starts = [...created.values()].flat().filter((e) => /gs_ddr -t start/.test(e.command ?? ""));
    if (starts.length !== 2) throw new Error(`og: expected two gs_ddr starts, saw ${starts.length}`);
    const begin = Math.min(...starts.map((e) => Date.parse(e.time)));
    const end = Math.max(...starts.map((e) => Date.parse(e.time) + (e.durationMs ?? 0)));
    const slower = Math.max(...starts.map((e) => e.durationMs ?? 0));
    m = marks(lab);
    progress("og: provider second up ...");
    const second = await engine(lab, ["up"]);
    const secondCmds = [...since(lab, m).values()].flat().filter(isCommand).length;
    if (second.code !== 0 || (second.summary?.update ?? 0) + (second.summary?.create ?? 0) > 0) throw new Error(`og: the second up was not a no-op: ${JSON.stringify(second.summary)}`);
    m = marks(lab);
    progress("og: provider refresh ...");
    const refresh = await engine(lab, ["refresh"]);
    const refreshed = since(lab, m);
    return {
      latencyMs,
      createWallMs: create.wallMs,
      pairStartMs: end - begin,
      slowerSideStartMs: slower,
      startVsSlowerSide: Math.round(((end - begin) / slower) * 100) / 100,
      secondUp: { wallMs: second.wallMs, remoteCommands: secondCmds, summary: second.summary },
      refresh: { wallMs: refresh.wallMs, commandsPerHostMax: perHost(refreshed, isCommand), connectionsPerHostMax: perHost(refreshed, isConnect) },
      createConnectionsPerHostMax: perHost(created, isConnect),
    };
  } finally {
    fs.rmSync(stackFile, { force: true });
    await stopLab(lab);
  }
}

/** Both sides' commands one after the other over plain SSH, the way a script would run them. */
async function sequential(latencyMs: number, progress: (s: string) => void): Promise<OgBench["sequential"]> {
  const lab = await labWithClusters(latencyMs);
  try {
    const side = (local: string, remote: string) => {
      const c = (JSON.parse(fs.readFileSync(path.join(lab.dir, "lab.json"), "utf8")) as { opengauss: { name: string; port: number; nodes: { address: string; dataIp: string }[] }[] }).opengauss;
      const conf = (x: (typeof c)[number]) => ({ port: x.port, shards: [x.nodes.map((n) => ({ ip: n.address, dataIp: n.dataIp }))] });
      return JSON.stringify({ localClusterConf: conf(c.find((x) => x.name === local)!), remoteClusterConf: conf(c.find((x) => x.name === remote)!) });
    };
    // A new, host-key-checked connection per command (the lab's recorded key), as a script's `ssh` would make.
    const ssh = async (host: string, command: string, stdin?: string): Promise<{ code: number | null; out: string }> => {
      const h = lab.hosts.find((x) => x.name === host)!;
      const pool = new SshPool();
      try {
        const r = await pool.exec({ conn: { host: h.address, port: h.port, user: h.user, privateKey: fs.readFileSync(h.privateKeyPath, "utf8"), hostKey: h.hostKey } }, command, { stdin: stdin ?? "" });
        return { code: r.code, out: r.stdout };
      } finally {
        await pool.closeAll();
      }
    };
    const state = async (host: string) => /'ddr_cluster_stat': '(\w+)'/.exec((await ssh(host, ". ~/.bashrc && gs_ddr -t query")).out)?.[1] ?? "unknown";
    await ssh("host1", "cat > ~/dr.json", side("og1", "og2"));
    await ssh("host3", "cat > ~/dr.json", side("og2", "og1"));
    progress(`og: sequential: primary side first, --time-out=${BOUND_S} ...`);
    const started = Date.now();
    const first = await ssh("host1", `. ~/.bashrc && gs_ddr -t start -m primary --disaster_type stream --json ~/dr.json --time-out=${BOUND_S}`);
    const second = await ssh("host3", `. ~/.bashrc && gs_ddr -t start -m disaster_standby --disaster_type stream --json ~/dr.json --time-out=${BOUND_S}`);
    const wallMs = Date.now() - started;
    const [primaryState, standbyState] = [await state("host1"), await state("host3")];
    return { wallMs, firstSideExit: first.code, secondSideExit: second.code, primaryState, standbyState, paired: primaryState === "archive" && standbyState === "recovery", boundS: BOUND_S };
  } finally {
    await stopLab(lab);
  }
}

export async function benchOpengauss(latencyMs: number, progress: (s: string) => void): Promise<OgBench> {
  const p = await provider(latencyMs, progress);
  const s = await sequential(latencyMs, progress);
  return { ...p, sequential: s };
}

export function ogTable(r: OgBench): string {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `openGauss DR pair (2 clusters x 2 DNs, stream, +${r.latencyMs} ms per round trip):`,
    `  create (up) ${secs(r.createWallMs)}; the two gs_ddr starts together ${secs(r.pairStartMs)}, the slower side alone ${secs(r.slowerSideStartMs)} (ratio ${r.startVsSlowerSide}: about 1 = concurrent, 2 = one after the other)`,
    `  second up ${secs(r.secondUp.wallMs)}, ${r.secondUp.remoteCommands} remote commands; refresh ${secs(r.refresh.wallMs)}, at most ${r.refresh.commandsPerHostMax} command(s) and ${r.refresh.connectionsPerHostMax} connection(s) per host; create: at most ${r.createConnectionsPerHostMax} connection(s) per host`,
    `  sides one after the other (--time-out=${r.sequential.boundS}): ${secs(r.sequential.wallMs)}, primary side exit ${r.sequential.firstSideExit} (${r.sequential.primaryState}), standby side exit ${r.sequential.secondSideExit} (${r.sequential.standbyState}): ${r.sequential.paired ? "paired" : "no pair: the primary side gave up waiting for the other"}`,
    "",
  ].join("\n");
}
