/**
 * The OceanBase backup policy figure of `npm run bench` (`--only ob`): on a lab of 4 hosts with
 * a 3-server OceanBase 3.x cluster and MS injected per SSH round trip, examples/ob-backup-policy
 * through the local engine: create, a second up (must change nothing), refresh. What a refresh
 * costs is read from the lab: SSH port forwards (one per SQL session) and commands from the
 * hosts' command logs, the statements each session ran from the OBServer stand-in's log (one
 * line per statement: its kind and the view it reads).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { LabJson } from "../lab/hosts/lab-json";
import { timedEngine, type TimedRun } from "./engine-run";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..");
const LAB_CLI = path.join(REPO, "dist", "lab", "cli.js");
const PROGRAM = path.join(REPO, "examples", "ob-backup-policy");

interface Entry {
  command?: string;
  event?: string;
}

export interface ObBench {
  latencyMs: number;
  createWallMs: number;
  secondUp: { wallMs: number; remoteCommands: number; sqlSessions: number };
  refresh: {
    wallMs: number;
    /** SSH direct-tcpip channels opened (each one SQL session), all hosts. */
    sqlSessions: number;
    /** Statements per session, by kind (`SELECT oceanbase.CDB_OB_BACKUP_SET_FILES`, ...). */
    statements: string[];
    /** Commands run over SSH, per host that ran any. */
    commandsByHost: Record<string, number>;
  };
}

const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "") : []);
const entries = (lab: LabJson, host: string) => lines(lab.hosts.find((h) => h.name === host)!.commandLog).map((l) => JSON.parse(l) as Entry);
const observerLog = (lab: LabJson) => {
  const first = lab.oceanbase![0].servers[0];
  return path.join(lab.hosts.find((h) => h.name === first.host)!.obHome, lab.oceanbase![0].name, "log", "observer.log");
};
const marks = (lab: LabJson) => ({ hosts: new Map(lab.hosts.map((h) => [h.name, entries(lab, h.name).length])), sql: lines(observerLog(lab)).length });
const since = (lab: LabJson, m: ReturnType<typeof marks>) => ({
  hosts: new Map(lab.hosts.map((h) => [h.name, entries(lab, h.name).slice(m.hosts.get(h.name))])),
  sql: lines(observerLog(lab)).slice(m.sql),
});
const forwards = (s: ReturnType<typeof since>) => [...s.hosts.values()].flat().filter((e) => e.event === "forward").length;

function engine(lab: LabJson, command: string): Promise<TimedRun> {
  const env = { ...process.env, LAB_JSON: path.join(lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "bench-passphrase" };
  const args = [command, "--cwd", PROGRAM, "--stack", `bench-${path.basename(lab.dir)}`, "--backend", path.join(lab.dir, "state"), "--json"];
  return timedEngine(args, env);
}

export async function benchOceanbase(latencyMs: number, progress: (s: string) => void): Promise<ObBench> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ob-"));
  const stackFile = path.join(PROGRAM, `Pulumi.bench-${path.basename(dir)}.yaml`);
  try {
    await run(process.execPath, [LAB_CLI, "up", "--hosts", "4", "--dir", dir]);
    await run(process.execPath, [LAB_CLI, "oceanbase", "create", "--dir", dir, "--name", "obcluster", "--version", "3.2.4", "--zones", "z1:host1,z2:host2,z3:host3", "--tenant", "t1"]);
    for (const h of ["host1", "host2", "host3", "host4"]) await run(process.execPath, [LAB_CLI, "fault", "--dir", dir, "--host", h, "latency", String(latencyMs)]);
    const lab = JSON.parse(fs.readFileSync(path.join(dir, "lab.json"), "utf8")) as LabJson;
    progress("ob: backup policy create (up) ...");
    const create = await engine(lab, "up");
    if (create.code !== 0) throw new Error(`ob: up failed:\n${create.out.slice(-4000)}`);
    let m = marks(lab);
    progress("ob: second up ...");
    const second = await engine(lab, "up");
    const s2 = since(lab, m);
    if (second.code !== 0 || (second.summary?.update ?? 0) + (second.summary?.create ?? 0) > 0) throw new Error(`ob: the second up was not a no-op: ${JSON.stringify(second.summary)}`);
    m = marks(lab);
    progress("ob: refresh ...");
    const refresh = await engine(lab, "refresh");
    if (refresh.code !== 0) throw new Error(`ob: refresh failed:\n${refresh.out.slice(-4000)}`);
    const r = since(lab, m);
    const statements = r.sql.map((l) => /sql session=\d+ (.*)$/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
    const commandsByHost = Object.fromEntries([...r.hosts].map(([h, es]) => [h, es.filter((e) => e.command !== undefined).length]).filter(([, n]) => (n as number) > 0));
    return {
      latencyMs,
      createWallMs: create.wallMs,
      secondUp: { wallMs: second.wallMs, remoteCommands: [...s2.hosts.values()].flat().filter((e) => e.command !== undefined).length, sqlSessions: forwards(s2) },
      refresh: { wallMs: refresh.wallMs, sqlSessions: forwards(r), statements, commandsByHost },
    };
  } finally {
    fs.rmSync(stackFile, { force: true });
    await run(process.execPath, [LAB_CLI, "down", "--dir", dir]).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function obTable(r: ObBench): string {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const hosts = Object.entries(r.refresh.commandsByHost).map(([h, n]) => `${n} on ${h}`).join(", ") || "none";
  return [
    `OceanBase backup policy (3.x, 3 OBServers, job host, +${r.latencyMs} ms per round trip):`,
    `  create (up) ${secs(r.createWallMs)}; second up ${secs(r.secondUp.wallMs)}, ${r.secondUp.remoteCommands} remote commands, ${r.secondUp.sqlSessions} SQL sessions`,
    `  refresh ${secs(r.refresh.wallMs)}: ${r.refresh.sqlSessions} SQL session(s), ${r.refresh.statements.length} statements (${r.refresh.statements.join("; ")}); SSH commands: ${hosts}`,
    "",
  ].join("\n");
}
