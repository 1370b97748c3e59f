/**
 * What the example and engine-level DM tests share: a lab of virtual hosts (test/helpers/lab.ts),
 * the local engine run on a program as a user runs it, the MP catalog read with disql over SSH,
 * and the hosts' command logs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseListings, type Row } from "../lab/fixtures/dmlab";
import { runEngineCli } from "../helpers/engine-cli";
import { REPO, startLab, type Lab, type LogEntry } from "../helpers/lab";

export { REPO };
export type { Lab, Row };

/** The examples' fixed SYSDBA password on the lab (examples/shared/hosts.ts). */
export const LAB_PASSWORD = "Lab_Dameng_123";

export interface EngineRun {
  readonly code: number;
  /** stdout + stderr, for failure messages and matching. */
  readonly out: string;
  readonly summary: Record<string, number> | undefined;
  /** `--json` events (one per stdout line). */
  readonly events: Record<string, any>[];
}

export interface Stack {
  readonly lab: Lab;
  /** The program directory (an example, or a copy of a test program). */
  readonly program: string;
  readonly backend: string;
  readonly env: NodeJS.ProcessEnv;
  engine(...args: string[]): Promise<EngineRun>;
  outputs(): Promise<Record<string, any>>;
  /** The state file the engine keeps for this stack. */
  stateFile(): string;
  /** The same stack, its runs with these environment variables too (e.g. DPC_TOPOLOGY). */
  withEnv(env: NodeJS.ProcessEnv): Stack;
}

/**
 * A stack of `program` on `lab`, its state in `<lab dir>/<name>`. The stack is named after the
 * lab, not `lab`: an example directory may hold a developer's own `Pulumi.lab.yaml`, salted for
 * another passphrase. The test's stack file goes when the lab stops.
 */
export function stackOn(lab: Lab, program: string, name = "state", extraEnv: NodeJS.ProcessEnv = {}): Stack {
  const backend = path.join(lab.dir, name);
  const stackName = `test-${path.basename(lab.dir)}`.replace(/[^A-Za-z0-9_.-]/g, "-");
  const stackFile = path.join(program, `Pulumi.${stackName}.yaml`);
  lab.atStop(stackFile);
  const env = { ...process.env, LAB_JSON: path.join(lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "test-passphrase", ...extraEnv };
  const common = ["--cwd", program, "--stack", stackName, "--backend", backend];
  // --verbose: the provider's plan and step lines are debug-level; tests assert on them (or on their absence).
  const engine = (...args: string[]) => runEngine([...args, ...common, ...(args[0] === "stack" ? [] : ["--json", "--verbose"])], env);
  return {
    lab,
    program,
    backend,
    env,
    engine,
    async outputs() {
      const r = await runEngine(["stack", "output", "--json", ...common], env);
      if (r.code !== 0) throw new Error(`stack output failed:\n${r.out}`);
      return JSON.parse(r.out) as Record<string, any>;
    },
    withEnv: (more) => stackOn(lab, program, name, { ...extraEnv, ...more }),
    stateFile() {
      const project = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(program, "Pulumi.yaml"), "utf8"))?.[1];
      return path.join(backend, project ?? "unknown", `${stackName}.json`);
    },
  };
}

async function runEngine(args: string[], env: NodeJS.ProcessEnv): Promise<EngineRun> {
  const r = await runEngineCli(args, env);
  return { code: r.code, out: args[0] === "stack" ? r.stdout : r.stdout + r.stderr, summary: r.summary, events: r.events };
}

/** `{code: 0}` on success, else the output's tail, so that a failing expectation shows why. */
export function outcome(r: EngineRun): { code: number; tail: string } {
  return { code: r.code, tail: r.code === 0 ? "" : r.out.slice(-6000) };
}

/** Starts a lab of `hosts` hosts with a data root each. */
export async function labOf(hosts: number, opts: { loginShell?: "bash" | "sh" } = {}): Promise<Lab> {
  const lab = await startLab({ hosts, ...opts });
  for (const h of lab.hosts) fs.mkdirSync(h.dataRoot, { recursive: true });
  return lab;
}

// ------------------------------------------------------------------ the MP catalog

/** Runs SQL with disql over SSH on `host`, logged into `ip:port` as SYSDBA; returns the listings. */
export async function sql(lab: Lab, host: string, login: { ip: string; port: number; password: string }, statements: string[]): Promise<Row[][]> {
  const script = [`CONN SYSDBA/"${login.password}"@${login.ip}:${login.port}`, ...statements.map((s) => `${s};`), "EXIT", ""].join("\n");
  const r = await lab.exec(host, "disql -S -L /nolog", script);
  if (r.code !== 0 || /出现错误/.test(r.stdout)) throw new Error(`disql on ${host} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return parseListings(r.stdout);
}

export interface CatalogRows {
  readonly instance: Row[];
  readonly bpRaft: Row[];
  readonly bpGroup: Row[];
  readonly faultDomain: Row[];
}

/** The four catalog tables, each in its seed listing's layout (`select *`). */
export async function readCatalog(lab: Lab, host: string, login: { ip: string; port: number; password: string }): Promise<CatalogRows> {
  const [instance, bpRaft, bpGroup, faultDomain] = await sql(lab, host, login, [
    "select * from DPC_INSTANCE",
    "select * from DPC_BP_RAFT",
    "select * from DPC_BP_GROUP",
    "select * from DPC_FAULT_DOMAIN",
  ]);
  return { instance, bpRaft, bpGroup, faultDomain };
}

/**
 * The catalog by name, independent of creation order: each instance with its RAFT group's name
 * and its fault domain's name (INFO1 >> 16 = DOMAIN_ID), the BP groups with their RAFT names.
 */
export function catalogByName(c: CatalogRows) {
  const raftName = new Map(c.bpRaft.map((r) => [r.RAFT_ID, r.NAME]));
  const domainName = new Map(c.faultDomain.map((d) => [String(Number(d.DOMAIN_ID) << 16), d.NAME]));
  const instances = Object.fromEntries(
    c.instance.map((r) => [r.NAME, { mode: r.DPC_MODE, raft: raftName.get(r.RAFT_ID), domain: r.INFO1 === "NULL" ? null : (domainName.get(r.INFO1) ?? `INFO1=${r.INFO1}`), ap: Number(r.XMAL_PORT), port: Number(r.INST_PORT), ip: r.IP_INTERNAL }]),
  );
  const bpGroups = Object.fromEntries(
    c.bpGroup.map((g) => {
      // RAFT_INFO: 16-bit little-endian RAFT ids (spec dmdpc.md).
      const hex = g.RAFT_INFO.replace(/^0x/i, "");
      const ids = (hex.match(/.{4}/g) ?? []).map((x) => String(parseInt(x.slice(2, 4) + x.slice(0, 2), 16)));
      return [g.NAME, ids.map((id) => raftName.get(id))];
    }),
  );
  return { instances, bpGroups, domains: c.faultDomain.map((d) => d.NAME).sort() };
}

// ------------------------------------------------------------------ command logs

export interface HostCommand {
  readonly host: string;
  readonly time: string;
  readonly command: string;
  readonly exit: number | null;
}

/** Every command each host has run so far (connection events left out), oldest first. */
export function commands(lab: Lab): HostCommand[] {
  return lab.hosts
    .flatMap((h) => lab.commandLog(h.name).filter((e: LogEntry): e is Extract<LogEntry, { command: string }> => "command" in e).map((e) => ({ host: h.name, time: e.time, command: e.command, exit: e.exit })))
    .sort((a, b) => a.time.localeCompare(b.time));
}

/** A mark to take the commands run after it: `since(lab, mark)`. */
export function mark(lab: Lab): Map<string, number> {
  return new Map(lab.hosts.map((h) => [h.name, lab.commandLog(h.name).filter((e) => "command" in e).length]));
}

export function since(lab: Lab, m: Map<string, number>): HostCommand[] {
  return lab.hosts
    .flatMap((h) =>
      lab
        .commandLog(h.name)
        .filter((e: LogEntry): e is Extract<LogEntry, { command: string }> => "command" in e)
        .slice(m.get(h.name) ?? 0)
        .map((e) => ({ host: h.name, time: e.time, command: e.command, exit: e.exit })),
    )
    .sort((a, b) => a.time.localeCompare(b.time));
}

/** The members' RAFT reads of a group on one host, one disql run each (`disqlEachCommand`). */
export const MEMBER_READS = /^m='--dbcluster-[0-9a-f]+--'; all=\$\(cat\); \{ f=\$\(printf '\n%s begin %s\n' "\$m" '0'; /;

/**
 * The provider's read commands: an instance's host-state read (its marker lines), a catalog read
 * (`disql -S -L /nolog`, the script on stdin) and the members' reads of a group on one host
 * (`MEMBER_READS`). Anything else changes something.
 * A disql run can also carry catalog changes on stdin, which the log does not show: tests that
 * use this also compare the catalog before and after and check that no step was logged.
 */
export function isRead(c: HostCommand): boolean {
  if (/^printf '%s path %s\n' '--dbcluster-[0-9a-f]+---state'/.test(c.command) || MEMBER_READS.test(c.command)) return true;
  return /^'?(\S*\/)?disql'? -S -L \/nolog$/.test(c.command);
}

/** The commands that are not reads, shortened for a readable failure. */
export function writes(ran: HostCommand[]): string[] {
  return ran.filter((c) => !isRead(c)).map((c) => `${c.host}: ${c.command.slice(0, 160)}`);
}

/** Operations the provider ran (the executor logs each as a step line). */
export function stepLines(r: EngineRun): string[] {
  return r.out.split("\n").filter((l) => /plan: |\.\.\. (ok|failed)/.test(l));
}

/** The instance whose dm.ini a stop command targets, for commands under `<root>/<name>/DAMENG`. */
export function stoppedInstance(c: HostCommand, root: string): string | undefined {
  if (!/kill -(TERM|USR1)|dmserver stopped/.test(c.command)) return undefined;
  const m = new RegExp(`/${root}/([a-z0-9_]+)/DAMENG/dm\\.ini`).exec(c.command);
  return m?.[1].toUpperCase();
}

/** Running DM processes per host, from `lab status`. */
export async function dmProcesses(lab: Lab): Promise<Record<string, string[]>> {
  const s = await lab.status();
  return Object.fromEntries(s.hosts.map((h) => [h.name, h.processes.filter((p) => p.family === "dm" && p.alive).map((p) => p.instance).sort()]));
}

/** A fresh copy of test/engine/programs/dpc (topology from DPC_TOPOLOGY) as a stack on `lab`. */
export function dpcProgram(lab: Lab, topology: object, name = "state"): Stack {
  const dir = fs.mkdtempSync(path.join(lab.dir, "program-"));
  const src = path.join(REPO, "test", "engine", "programs", "dpc");
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  return stackOn(lab, dir, name, { DPC_TOPOLOGY: JSON.stringify(topology) });
}
