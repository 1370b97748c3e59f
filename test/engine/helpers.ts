/** Drives the engine CLI as a user would, against a copy of a test program in a temporary directory. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ENGINE_CLI, runEngineCli } from "../helpers/engine-cli";

export const REPO = path.resolve(__dirname, "..", "..");
const CLI = ENGINE_CLI;

/** Tests run the compiled CLI; a stale build would test old code, so refuse it. */
export function assertBuilt(): void {
  if (!fs.existsSync(CLI)) throw new Error("dist/lab/engine/cli.js is missing: run `npm run build` first");
  const built = fs.statSync(CLI).mtimeMs;
  const srcDir = path.join(REPO, "lab", "engine");
  for (const f of fs.readdirSync(srcDir)) {
    if (f.endsWith(".ts") && fs.statSync(path.join(srcDir, f)).mtimeMs > built + 1000) {
      throw new Error(`lab/engine/${f} is newer than dist: run \`npx tsc -p tsconfig.json\` first`);
    }
  }
}

export interface Program {
  dir: string;
  trace: string;
  stack: string;
}

/** A fresh copy of test/engine/programs/<name> with node_modules linked to the repository's. */
export function copyProgram(name = "files", stack = "dev"): Program {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `engine-${name}-`));
  const src = path.join(__dirname, "programs", name);
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, trace: path.join(dir, "trace.log"), stack };
}

export function removeProgram(p: Program): void {
  fs.rmSync(p.dir, { recursive: true, force: true });
}

export interface FileSpec {
  name: string;
  path?: string | number;
  content?: string;
  after?: string;
  dependsOn?: string[];
  secret?: boolean;
  contentFromConfig?: string;
  component?: boolean;
  parent?: string;
  delayMs?: number;
  failInit?: boolean;
  protect?: boolean;
  retainOnDelete?: boolean;
  deleteBeforeReplace?: boolean;
  ignoreChanges?: string[];
  additionalSecretOutputs?: string[];
  customTimeouts?: Record<string, string>;
}

/** Writes the resource list into Pulumi.<stack>.yaml, keeping other keys (salt, secure values). */
export function setResources(p: Program, specs: FileSpec[], extra: Record<string, string> = {}): void {
  const file = path.join(p.dir, `Pulumi.${p.stack}.yaml`);
  const doc = fs.existsSync(file) ? (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) : {};
  doc.config = { ...(doc.config ?? {}), "files:resources": JSON.stringify(specs) };
  for (const [k, v] of Object.entries(extra)) doc.config[k] = v;
  fs.writeFileSync(file, YAML.stringify(doc));
}

export const filePath = (p: Program, name: string) => path.join(p.dir, `${name}.txt`);

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  events: Record<string, any>[];
}

export function engine(p: Program, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const full = [...args, "--cwd", p.dir, "--stack", p.stack];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ENGINE_TEST_TRACE: p.trace, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  return runEngineCli(full, childEnv);
}

export const summary = (r: Run) => {
  const last = r.events[r.events.length - 1];
  if (!last || !("summary" in last)) throw new Error(`last line is not a summary:\n${r.stdout}\n${r.stderr}`);
  return last.summary;
};

export const steps = (r: Run, op?: string) =>
  r.events.filter((e) => e.step && (!op || e.step.op === op)).map((e) => e.step.name as string);

export interface TraceLine {
  op: string;
  name: string;
  t: number;
  upstream?: string;
}

export function readTrace(p: Program): TraceLine[] {
  if (!fs.existsSync(p.trace)) return [];
  return fs.readFileSync(p.trace, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

export function clearTrace(p: Program): void {
  fs.rmSync(p.trace, { force: true });
}

export const ops = (p: Program) => readTrace(p).map((t) => `${t.op} ${t.name}`);

export function stateText(p: Program): string {
  return fs.readFileSync(path.join(p.dir, ".pulumi-state", "files", `${p.stack}.json`), "utf8");
}

export function stateResources(p: Program): Record<string, any>[] {
  return JSON.parse(stateText(p)).resources;
}

export const urnOf = (p: Program, name: string) => `urn:pulumi:${p.stack}::files::pulumi-nodejs:dynamic/files:LocalFile::${name}`;
