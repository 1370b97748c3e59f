/**
 * One lab cluster changed step by step: the program in ./program reads its topology from the
 * JSON file DPC_TOPOLOGY; each step writes that file and runs the local engine on it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLab, type Lab } from "../helpers/lab";
import { isCommand } from "../../lab/hosts/command-log";

const REPO = path.resolve(__dirname, "..", "..");
const ENGINE = path.join(REPO, "dist", "lab", "engine", "cli.js");
export const PASSWORD = "Lab_Dameng_123";

export interface TopoInstance {
  name: string;
  mode: "MP" | "SP" | "BP";
  host: string;
  dir: string;
  portNum: number;
  apPortNum: number;
  mpPort?: number;
  pageSize?: 4 | 8 | 16 | 32;
  deleteData?: boolean;
}

/** A builder of instances whose directories are `<base>/<name in lower case>` (one base per test file). */
export function instancesUnder(base: string) {
  return (name: string, mode: TopoInstance["mode"], host: string, portNum: number, apPortNum: number, extra: Partial<TopoInstance> = {}): TopoInstance => ({
    name, mode, host, dir: `${base}/${name.toLowerCase()}`, portNum, apPortNum, ...extra,
  });
}

export interface Topology {
  instances: TopoInstance[];
  rafts: { name: string; role: "SP" | "BP"; members: string[]; shadows?: string[] }[];
  bpGroups?: { name: string; rafts: string[] }[];
  faultDomains?: { name: string; instances: string[] }[];
}

export interface Run {
  code: number;
  out: string;
  events: Record<string, any>[];
  summary: Record<string, number> | undefined;
}

export class Stack {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "topology-"));
  readonly program = path.join(this.dir, "program");
  readonly backend = path.join(this.dir, "state");
  readonly topologyFile = path.join(this.dir, "topology.json");

  constructor(readonly lab: Lab) {
    fs.mkdirSync(this.program);
    const src = path.join(__dirname, "program");
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(this.program, f));
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.program, "node_modules"), "dir");
  }

  /**
   * Runs the engine on `topology`; it never rejects on a failed run (see `code`). `onLine` sees
   * each provider log line as it arrives (to inject a lab fault at a given step).
   */
  engine(command: "up" | "preview" | "refresh" | "destroy", topology: Topology, opts: { onLine?: (line: string) => void } = {}): Promise<Run> {
    fs.writeFileSync(this.topologyFile, JSON.stringify(topology, null, 1));
    const env = { ...process.env, LAB_JSON: path.join(this.lab.dir, "lab.json"), DPC_TOPOLOGY: this.topologyFile, PULUMI_CONFIG_PASSPHRASE: "topology-test" };
    // --verbose: plan and step lines are debug-level; tests assert on their absence.
    const args = [ENGINE, command, "--cwd", this.program, "--stack", "lab", "--backend", this.backend, "--json", "--verbose"];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let pending = "";
      child.stdout.on("data", (d) => {
        stdout += d;
        if (!opts.onLine) return;
        pending += d;
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const l of lines) {
          const m = l.startsWith("{") ? (JSON.parse(l) as Record<string, any>).log?.message : undefined;
          if (typeof m === "string" && m.startsWith("[dbcluster]")) opts.onLine(m);
        }
      });
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => {
        const events = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, any>);
        const last = events[events.length - 1];
        resolve({ code: code ?? -1, out: stdout + stderr, events, summary: last && "summary" in last ? last.summary : undefined });
      });
    });
  }

  /** Resource names of the steps of one kind, e.g. steps(r, "replace") → ["topo-SP1"]. */
  steps(r: Run, op: string): string[] {
    return r.events.filter((e) => e.step && e.step.op === op).map((e) => e.step.name as string).sort();
  }

  outputs(r: Run): Record<string, any> {
    return (r.events.find((e) => e.outputs)?.outputs ?? {}) as Record<string, any>;
  }

  /** The dependencies the state records for a resource of the cluster. */
  dependencies(resource: string): string[] {
    const state = JSON.parse(fs.readFileSync(path.join(this.backend, "topology", "lab.json"), "utf8"));
    const resources = (state.checkpoint?.latest?.resources ?? state.resources ?? state.deployment?.resources) as { urn: string; dependencies?: string[] }[];
    const r = resources.find((x) => x.urn.endsWith(`::${resource}`));
    if (!r) throw new Error(`no ${resource} in the state`);
    return (r.dependencies ?? []).map((u) => u.split("::").pop()!).sort();
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs SQL through the simulator's disql on a lab host; rows of `|`-separated cells. */
export async function sql(lab: Lab, host: string, port: number, statements: string[], address = lab.host(host).address): Promise<{ code: number | null; rows: string[][]; out: string }> {
  const script = [`CONN SYSDBA/"${PASSWORD}"@${address}:${port}`, "SET HEADING OFF", "SET FEEDBACK OFF", "SET TIMING OFF", "SET LINESHOW OFF", "SET PAGESIZE 0", "SET COLSEP '|'", "WHENEVER SQLERROR EXIT 3", ...statements, "EXIT", ""].join("\n");
  const r = await lab.exec(host, "disql -S -L /nolog", script);
  const rows = r.stdout.split("\n").filter((l) => l.includes("|")).map((l) => l.split("|").map((c) => c.trim()));
  return { code: r.code, rows, out: r.stdout + r.stderr };
}

export interface CatalogSnapshot {
  /** name → [raft name, mode, SYS_MODE, INFO1] */
  instances: Record<string, [string, string, string, string]>;
  /** BP group → its RAFT group names */
  bpGroups: Record<string, string[]>;
  /** [RAFT group, member, RAFT_STAT, IS_SHADOW as 1/0] of V$GLOBAL_RAFT_INFO's rows on an open SP (the MP's when none answers): running members of groups with a valid leader */
  raftInfo: string[][];
}

export async function catalog(lab: Lab, mpHost = "host1", mpPort = 5239): Promise<CatalogSnapshot> {
  const rafts = await sql(lab, mpHost, mpPort, ["SELECT RAFT_ID, NAME FROM DPC_BP_RAFT;"]);
  const raftName = new Map(rafts.rows.map(([id, name]) => [id, name]));
  const inst = await sql(lab, mpHost, mpPort, ["SELECT RAFT_ID, NAME, DPC_MODE, SYS_MODE, INFO1 FROM DPC_INSTANCE;"]);
  const groups = await sql(lab, mpHost, mpPort, ["SELECT NAME, RAFT_INFO FROM DPC_BP_GROUP;"]);
  // On the MP V$GLOBAL_RAFT_INFO shows only the MP group (DM8 ch. 12); an open SP shows every group.
  const sps = await sql(lab, mpHost, mpPort, ["SELECT IP_INTERNAL, INST_PORT FROM DPC_INSTANCE WHERE DPC_MODE = 'SP' AND SYS_STATUS = 4;"]);
  const RAFT_INFO = "SELECT RAFT_ID, INSTANCE_NAME, RAFT_STAT, IS_SHADOW FROM V$GLOBAL_RAFT_INFO;";
  let info = await sql(lab, mpHost, mpPort, [RAFT_INFO]);
  for (const [ip, port] of sps.rows) {
    const onSp = await sql(lab, mpHost, Number(port), [RAFT_INFO], ip);
    if (onSp.code === 0) {
      info = onSp;
      break;
    }
  }
  for (const r of [rafts, inst, groups, sps, info]) if (r.code !== 0) throw new Error(`catalog read failed: ${r.out}`);
  // RAFT_INFO: 16-bit little-endian RAFT ids (dmdmpc.md), e.g. 0x01000200 = rafts 1 and 2.
  const decode = (hex: string) => (hex === "NULL" || hex === "" ? [] : (hex.replace(/^0x/i, "").match(/.{4}/g) ?? []).map((x) => raftName.get(String(parseInt(x.slice(2, 4) + x.slice(0, 2), 16))) ?? `#${x}`));
  return {
    instances: Object.fromEntries(inst.rows.map(([raft, name, mode, sysMode, info1]) => [name, [raftName.get(raft) ?? `#${raft}`, mode, sysMode, info1]])),
    bpGroups: Object.fromEntries(groups.rows.map(([name, raftInfo]) => [name, decode(raftInfo)])),
    // IS_SHADOW is text (the lab prints TRUE / FALSE; DM8 §12.35 gives no values)
    raftInfo: info.rows.map(([raft, name, stat, shadow]) => [raftName.get(raft) ?? `#${raft}`, name, stat, shadow === "TRUE" ? "1" : "0"]).sort((a, b) => (a.join() < b.join() ? -1 : 1)),
  };
}

/** Running simulated instances: name → pid. */
export async function processes(lab: Lab): Promise<Record<string, number>> {
  const s = await lab.status();
  return Object.fromEntries(s.hosts.flatMap((h) => h.processes.filter((p) => p.alive).map((p) => [p.instance, p.pid] as [string, number])));
}

/** Command lines every host ran since `mark` (from `commandMark`). */
export function commandsSince(lab: Lab, mark: Record<string, number>): { host: string; command: string; exit: number | null }[] {
  return lab.hosts.flatMap((h) =>
    lab
      .commandLog(h.name)
      .slice(mark[h.name] ?? 0)
      .filter(isCommand)
      .map((e) => ({ host: h.name, command: e.command, exit: e.exit })),
  );
}

export function commandMark(lab: Lab): Record<string, number> {
  return Object.fromEntries(lab.hosts.map((h) => [h.name, lab.commandLog(h.name).length]));
}

/** Whether an injected `fail TOOL` counter on a host is still (partly) unconsumed. */
export function failurePending(lab: Lab, host: string, tool: string): boolean {
  return fs.existsSync(path.join(lab.host(host).hostDir, "faults", "fail", tool));
}

/**
 * An up of `topology` in which the disql run on `host` whose script holds `statement` fails: a lab
 * fault keyed on the statement (`fail disql 1 --when`, lab/README.md), set before the up, so it
 * races no step. `pending`: the fault was never taken.
 */
export async function upFailingAt(stack: Stack, topology: Topology, host: string, statement: string): Promise<{ run: Run; pending: boolean }> {
  await stack.lab.fault(host, "fail", "disql", 1, "--when", statement);
  const run = await stack.engine("up", topology);
  return { run, pending: failurePending(stack.lab, host, "disql") };
}

/** An up that finished a change: nothing replaced, only `deleted` deleted; then an up that plans nothing. */
export async function expectFinishedThenQuiet(stack: Stack, r: Run, x: Topology, deleted: readonly string[] = []): Promise<void> {
  expect(stack.steps(r, "replace")).toEqual([]);
  expect(stack.steps(r, "delete")).toEqual(deleted.map((n) => `topo-${n}`).sort());
  await expectQuietUp(stack, x);
}

/**
 * The run exited 0. On failure the diff shows the lines that say why (a failure repeats the long
 * plan, so the output's tail may hold none of them), or the tail where no line does.
 */
export function expectOk(r: Run): void {
  const why = r.code === 0 ? "" : r.out.split("\n").filter((l) => /FAILED|failed|error/i.test(l)).map((l) => l.slice(0, 1500)).join("\n").slice(-6000) || r.out.slice(-3000);
  expect({ code: r.code, why }).toEqual({ code: 0, why: "" });
}

/** An up of `x` that succeeds and changes nothing: no resource created, updated, deleted or replaced, no plan phase run. */
export async function expectQuietUp(stack: Stack, x: Topology): Promise<void> {
  const again = await stack.engine("up", x);
  expectOk(again);
  expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
  expect(again.out).not.toMatch(/plan: phase/);
}

/** `up` of `next`, which must succeed, then a second `up` that must change nothing; the first run. */
export async function upTwice(stack: Stack, next: Topology): Promise<Run> {
  const r = await stack.engine("up", next);
  expectOk(r);
  await expectQuietUp(stack, next);
  return r;
}

/**
 * The lab (four hosts) and stack one test file's steps share, handed to `use` once started before
 * the file's first test; both go after its last (the lab stopped, the stack's files removed).
 */
export function topologyLab(use: (lab: Lab, stack: Stack) => void): void {
  let lab: Lab | undefined;
  let stack: Stack | undefined;
  beforeAll(async () => {
    lab = await startLab({ hosts: 4 });
    stack = new Stack(lab);
    use(lab, stack);
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
    stack?.remove();
  });
}
