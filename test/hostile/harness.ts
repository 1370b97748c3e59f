/**
 * What the hostile-string suites share: a generic Pulumi program driven by a JSON spec (so one
 * engine run can hold many resources, each carrying hostile values), the engine CLI, disql on a
 * lab host, and the checks run on the lab's command logs.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { runEngineCli, withoutSdkDebug } from "../helpers/engine-cli";
import type { Lab, LogEntry } from "../helpers/lab";

const run = promisify(execFile);
export const REPO = path.resolve(__dirname, "..", "..");
export const PASSWORD = "Lab_Dameng_123";

/**
 * The program: `spec.json` lists resources `{kind, name, args}` (kind: a `dm` class). In args,
 * `{"$host": i, "with": {...}}` becomes lab host i's connection (plus the `with` fields) and
 * `{"$secret": v}` a Pulumi secret.
 */
const PROGRAM = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { dm } = require("pulumi-dbcluster");
const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));
const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
function resolve(v) {
  if (Array.isArray(v)) return v.map(resolve);
  if (v && typeof v === "object") {
    if ("$host" in v) {
      const h = lab.hosts[v.$host];
      return { host: h.address, port: h.port, user: h.user, privateKey: pulumi.secret(fs.readFileSync(h.privateKeyPath, "utf8")), hostKey: h.hostKey, ...resolve(v.with || {}) };
    }
    if ("$secret" in v) return pulumi.secret(v.$secret);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  }
  return v;
}
for (const r of spec.resources) new dm[r.kind](r.name, resolve(r.args));
`;

export interface Resource {
  kind: "Instance" | "RaftGroup" | "BpGroup" | "FaultDomain" | "DpcCluster";
  name: string;
  args: Record<string, unknown>;
}

export interface Program {
  readonly dir: string;
  readonly backend: string;
}

/** A program directory (and its state backend) inside the lab directory. */
export function writeProgram(lab: Lab, name: string, resources: Resource[]): Program {
  const dir = path.join(lab.dir, "programs", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n`);
  fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
  fs.writeFileSync(path.join(dir, "spec.json"), JSON.stringify({ resources }));
  if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, backend: path.join(lab.dir, "state", name) };
}

export interface EngineRun {
  readonly code: number;
  /** stdout + stderr: what the run shows by default, and this package's debug lines. */
  readonly out: string;
  readonly summary?: Record<string, number>;
}

export async function engine(lab: Lab, p: Program, cmd: "up" | "preview" | "destroy" | "refresh"): Promise<EngineRun> {
  const env = { ...process.env, LAB_JSON: path.join(lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "hostile-test" };
  // --verbose: this package's debug-level lines (plan, steps) are searched for leaked values too.
  const r = await runEngineCli([cmd, "--cwd", p.dir, "--stack", "lab", "--backend", p.backend, "--json", "--verbose"], env);
  const stdout = withoutSdkDebug(r.stdout);
  return { code: r.code, out: stdout + r.stderr, summary: r.summary };
}

/** The text of an engine run with JSON string escapes undone, so values can be searched as written. */
export function decodedOutput(r: EngineRun): string {
  return r.out
    .split("\n")
    .map((l) => {
      try {
        return flatten(JSON.parse(l));
      } catch {
        return l;
      }
    })
    .join("\n");
}

/** What went wrong in a run: its failure lines (not every plan line), for a test's message. */
export function failures(r: EngineRun): string {
  if (r.code === 0) return "";
  const lines = decodedOutput(r).split("\n").filter((l) => /\bfailed\b|^error|Error:|invalid/.test(l));
  return lines.slice(0, 40).join("\n").slice(0, 6000) || decodedOutput(r).slice(-3000);
}

function flatten(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(flatten).join("\n");
  if (v && typeof v === "object") return Object.values(v).map(flatten).join("\n");
  return String(v);
}

/** Every command the lab's hosts ran, in log order per host. */
export function allCommands(lab: Lab): string[] {
  return lab.hosts.flatMap((h) => lab.commandLog(h.name)).flatMap((e: LogEntry) => ("command" in e && typeof e.command === "string" ? [e.command] : []));
}

/** Total log length, to prove a run added no command. */
export function commandCount(lab: Lab): number {
  return allCommands(lab).length;
}

/**
 * `bash -n` on every command: each is wrapped in its own function in one file, so a command
 * that ended a quote early or opened one it never closed breaks the parse. Returns the commands
 * bash refuses (checked one by one once the whole file fails).
 */
export async function malformedCommands(commands: readonly string[], scratch: string): Promise<string[]> {
  const file = path.join(scratch, "commands.sh");
  const parses = async (cmds: readonly string[]) => {
    fs.writeFileSync(file, cmds.map((c, i) => `f${i}() {\n${c}\n}\n`).join(""));
    try {
      await run("bash", ["-n", file]);
      return true;
    } catch {
      return false;
    }
  };
  if (await parses(commands)) return [];
  const bad: string[] = [];
  for (const c of commands) if (!(await parses([c]))) bad.push(c);
  return bad.length ? bad : ["(the commands parse one by one but not together)"];
}

/**
 * The command with every single-quoted string (and the `\'` between two of them) replaced by
 * `Q`: what the shell reads as code. A value quoted as the product promises leaves nothing here.
 */
export function skeleton(command: string): string {
  // Single quotes inside double quotes would be literal, but the product's templates never put
  // one there; inside "$( ... )" they quote again, which is what this reading assumes throughout.
  let out = "";
  let i = 0;
  while (i < command.length) {
    const ch = command[i];
    if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) return out + "<UNTERMINATED>";
      out += "Q";
      i = end + 1;
    } else if (ch === "\\" && i + 1 < command.length) {
      out += command[i + 1] === "'" ? "Q" : command.slice(i, i + 2);
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** POSIX single quoting, written here independently of the product's sh.ts. */
export function shellWord(s: string): string {
  return `'${s.split("'").join(`'\\''`)}'`;
}

/** A DM string literal, written here independently of the product's quote.ts. */
export function sqlText(s: string): string {
  return `'${s.split("'").join("''")}'`;
}

/**
 * Runs a disql script (login line first) on a lab host, the script on stdin as the product does.
 * The CONN line is written here: the password in double quotes.
 */
export async function disql(lab: Lab, host: string, login: { password: string; ip: string; port: number }, statements: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  const script = [`CONN SYSDBA/"${login.password}"@${login.ip}:${login.port}`, "SET FEEDBACK OFF", "SET TIMING OFF", "SET LINESHOW OFF", "SET HEADING OFF", ...statements, "EXIT"].join("\n") + "\n";
  const r = await lab.exec(host, "disql -S -L /nolog", script);
  return { code: r.code, stdout: r.stdout };
}

/** Files under `root` named exactly one of `names` (what `touch` would have made). */
export async function findNamed(root: string, names: readonly string[]): Promise<string[]> {
  const args = [root, "-type", "f", "(", ...names.flatMap((n, i) => (i ? ["-o", "-name", n] : ["-name", n])), ")", "-print"];
  const r = await run("find", args, { maxBuffer: 16 << 20 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
  return r.stdout.split("\n").filter(Boolean);
}
