/**
 * One example program on a fresh 4-host lab, driven as a user drives it: the local engine with
 * `--json`, lab faults through the lab CLI, the catalog read with the simulator's own disql over
 * SSH (not with the provider's parser, so that the checks do not share its mistakes).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { MEMBER_READS } from "../examples/helpers";
import { REPO, startLab, type Lab } from "../helpers/lab";

const ENGINE = path.join(REPO, "dist", "lab", "engine", "cli.js");
export const PASSWORD = "Lab_Dameng_123";

export type EngineEvent = Record<string, any>;

export interface EngineRun {
  readonly code: number;
  readonly events: EngineEvent[];
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: Record<string, number> | undefined;
  /** `error` diagnostics as `<resource name>: <message>`: what the user reads for failed steps. */
  readonly errors: string[];
  /** Lines the provider logged (plugin output). */
  readonly providerLines: string[];
}

export interface RunOptions {
  /** Called with every provider line as it arrives (to act while the run is under way). */
  readonly onLine?: (line: string) => void;
}

export interface CatalogInstance {
  readonly name: string;
  readonly mode: string;
  readonly raft: string;
  readonly sysMode: string;
  /** The fault domain's name, from INFO1 >> 16; null when in none. */
  readonly domain: string | null;
}

export interface CatalogState {
  readonly instances: CatalogInstance[];
  readonly rafts: string[];
  /** BP group → its RAFT groups' names, decoded from RAFT_INFO (16-bit little-endian ids). */
  readonly bpGroups: Record<string, string[]>;
  readonly domains: string[];
}

export class Cluster {
  private constructor(
    readonly lab: Lab,
    readonly program: string,
    readonly backend: string,
  ) {}

  static async start(example: string): Promise<Cluster> {
    const lab = await startLab({ hosts: 4 });
    return new Cluster(lab, path.join(REPO, "examples", example), path.join(lab.dir, "state"));
  }

  async stop(): Promise<void> {
    await this.lab.stop();
  }

  /** `npm run engine -- <cmd> --json` against this lab; never rejects on a failed run. */
  engine(cmd: "up" | "refresh" | "preview" | "destroy", opts: RunOptions = {}): Promise<EngineRun> {
    const args = [ENGINE, cmd, "--cwd", this.program, "--stack", "lab", "--backend", this.backend, "--json", "--verbose"];
    const env = { ...process.env, LAB_JSON: path.join(this.lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "test-passphrase" };
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let pending = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d;
        pending += d;
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const l of lines) {
          const e = parseLine(l);
          if (isProviderLine(e) && opts.onLine) opts.onLine(String(e.log.message));
        }
      });
      child.stderr.on("data", (d: Buffer) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => {
        // CONVERGE_DUMP=<file>: keep every run's output, to read after a failing test.
        if (process.env.CONVERGE_DUMP) fs.appendFileSync(process.env.CONVERGE_DUMP, `=== ${cmd} exit ${code}\n${stdout}${stderr}`);
        const events = stdout.split("\n").map(parseLine).filter((e): e is EngineEvent => e !== undefined);
        const last = events[events.length - 1];
        resolve({
          code: code ?? -1,
          events,
          stdout,
          stderr,
          summary: last && "summary" in last ? last.summary : undefined,
          errors: events.filter((e) => e.diag?.severity === "error").map((e) => `${e.diag.urn ? `${String(e.diag.urn).split("::").pop()}: ` : ""}${String(e.diag.message)}`),
          providerLines: events.filter(isProviderLine).map((e) => String(e.log.message)),
        });
      });
    });
  }

  up(opts?: RunOptions): Promise<EngineRun> {
    return this.engine("up", opts);
  }

  refresh(): Promise<EngineRun> {
    return this.engine("refresh");
  }

  address(host: string): string {
    return this.lab.host(host).address;
  }

  /** Whether an injected `fail TOOL` counter on a host is still (partly) unconsumed. */
  failurePending(host: string, tool: string): boolean {
    return fs.existsSync(path.join(this.lab.host(host).hostDir, "faults", "fail", tool));
  }

  /** Number of command-log lines per host, to look at what a later run sent. */
  mark(): Record<string, number> {
    return Object.fromEntries(this.lab.hosts.map((h) => [h.name, this.lab.commandLog(h.name).length]));
  }

  /** Command lines every host received since `mark`. */
  commandsSince(mark: Record<string, number>): { host: string; command: string }[] {
    return this.lab.hosts.flatMap((h) =>
      this.lab
        .commandLog(h.name)
        .slice(mark[h.name] ?? 0)
        .flatMap((e) => ("command" in e && typeof e.command === "string" ? [{ host: h.name, command: e.command }] : [])),
    );
  }

  /** Runs SQL through disql on a host, the login line on stdin as the provider does. */
  async sql(host: string, port: number, statements: string[]): Promise<string> {
    const h = this.lab.host(host);
    const script = [`CONN SYSDBA/"${PASSWORD}"@${h.address}:${port}`, "SET LINESHOW OFF", "SET FEEDBACK OFF", "SET TIMING OFF", ...statements, "EXIT", ""].join("\n");
    const r = await this.lab.exec(host, "disql -S -L /nolog", script);
    if (r.code !== 0) throw new Error(`disql on ${host} exited ${r.code}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** The DMDPC catalog as the MP holds it. */
  async catalog(mpHost: string, mpPort: number): Promise<CatalogState> {
    const out = await this.sql(mpHost, mpPort, [
      "PROMPT ##INST",
      "SELECT NAME, DPC_MODE, RAFT_ID, SYS_MODE, INFO1 FROM DPC_INSTANCE;",
      "PROMPT ##RAFT",
      "SELECT RAFT_ID, NAME FROM DPC_BP_RAFT;",
      "PROMPT ##BPG",
      "SELECT NAME, RAFT_INFO FROM DPC_BP_GROUP;",
      "PROMPT ##FD",
      "SELECT DOMAIN_ID, NAME FROM DPC_FAULT_DOMAIN;",
    ]);
    const sections: Record<string, string[][]> = {};
    let current: string[][] | undefined;
    for (const line of out.split("\n")) {
      const m = /^##(\w+)/.exec(line.trim());
      if (m) {
        current = sections[m[1]] = [];
        continue;
      }
      const cells = line.trim().split(/\s+/);
      if (!current || line.trim() === "" || /^-+$/.test(cells[0])) continue;
      current.push(cells);
    }
    const rows = (name: string) => (sections[name] ?? []).slice(1); // the first line is the heading
    const raftName = new Map(rows("RAFT").map(([id, name]) => [Number(id), name]));
    const domainName = new Map(rows("FD").map(([id, name]) => [Number(id), name]));
    const instances = rows("INST").map(([name, mode, raftId, sysMode, info1]) => {
      const d = info1 === "NULL" ? 0 : Math.floor(Number(info1) / 65536);
      return { name, mode, raft: raftName.get(Number(raftId)) ?? `#${raftId}`, sysMode, domain: d === 0 ? null : (domainName.get(d) ?? `#${d}`) };
    });
    const bpGroups: Record<string, string[]> = {};
    for (const [name, info] of rows("BPG")) {
      const hex = info === "NULL" ? "" : info.replace(/^0x/i, "");
      const ids: number[] = [];
      for (let i = 0; i + 4 <= hex.length; i += 4) ids.push(parseInt(hex.slice(i, i + 2), 16) + 256 * parseInt(hex.slice(i + 2, i + 4), 16));
      bpGroups[name] = ids.map((id) => raftName.get(id) ?? `#${id}`).sort();
    }
    return { instances, rafts: [...raftName.values()].sort(), bpGroups, domains: [...domainName.values()].sort() };
  }

  /** Instances whose dmserver process is alive, per `lab status`. */
  async running(): Promise<string[]> {
    const s = await this.lab.status();
    return s.hosts.flatMap((h) => h.processes.filter((p) => p.alive).map((p) => p.instance)).sort();
  }

  /** The file of an instance on its host (the examples put databases in <dataRoot>/<dir>/<name>). */
  dbFile(host: string, exampleDir: string, instance: string, file: string): string {
    return path.join(this.lab.host(host).dataRoot, exampleDir, instance.toLowerCase(), "DAMENG", file);
  }
}

/** The provider's lines: it logs through the engine (Engine.Log), each line prefixed `[dbcluster]`. */
function isProviderLine(e: EngineEvent | undefined): e is EngineEvent {
  return typeof e?.log?.message === "string" && e.log.message.startsWith("[dbcluster]");
}

function parseLine(l: string): EngineEvent | undefined {
  if (!l.startsWith("{")) return undefined;
  try {
    return JSON.parse(l) as EngineEvent;
  } catch {
    return undefined;
  }
}

/** Commands that change something: anything but the provider's reads (host state, catalog, members' RAFT reads). */
export function mutating(commands: { host: string; command: string }[]): { host: string; command: string }[] {
  return commands.filter((c) => !/^printf '%s path %s ' '--dbcluster-[0-9a-f]+---state'/.test(c.command) && c.command.trim() !== "'disql' -S -L /nolog" && !MEMBER_READS.test(c.command));
}

/** Step events of a run by operation: `{update: ["dpc-bp-raft-RAFT_1"], ...}` (same steps left out). */
export function stepsByOp(run: EngineRun): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of run.events) {
    if (!e.step || e.step.op === "same") continue;
    (out[e.step.op] ??= []).push(String(e.step.name));
  }
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

/** Rewrites a file on a host over SSH, as an operator's editor would. */
export async function editOnHost(c: Cluster, host: string, file: string, edit: (text: string) => string): Promise<void> {
  const read = await c.lab.exec(host, `cat '${file}'`);
  if (read.code !== 0) throw new Error(`cannot read ${file} on ${host}: ${read.stderr}`);
  const text = edit(read.stdout);
  if (text === read.stdout) throw new Error(`the edit of ${file} changed nothing`);
  const write = await c.lab.exec(host, `cat > '${file}'`, text);
  if (write.code !== 0) throw new Error(`cannot write ${file} on ${host}: ${write.stderr}`);
}

/** A resource's outputs in the engine's state file (plain keys only). */
export function stateOutputs(c: Cluster, project: string, name: string): Record<string, any> {
  const state = JSON.parse(fs.readFileSync(path.join(c.backend, project, "lab.json"), "utf8")) as { resources: { urn: string; outputs: Record<string, any> }[] };
  const r = state.resources.find((x) => x.urn.endsWith(`::${name}`));
  if (!r) throw new Error(`no ${name} in the state`);
  return r.outputs;
}
