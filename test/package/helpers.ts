/**
 * Running the package's documented commands as a user runs them: `npm` and `node` as child
 * processes in a directory of their own, outside this checkout, with nothing of the test
 * runner's npm environment leaking into them.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without `npm_*` variables (set when jest runs under `npm test`) and CI noise. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== "INIT_CWD") env[k] = v;
  return { ...env, ...extra };
}

/** Runs `cmd args` in `cwd`; resolves with what it printed, rejecting only when it cannot start or overruns. */
export function run(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? userEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} in ${opts.cwd} did not finish within ${opts.timeoutMs ?? 300_000}ms\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
    }, opts.timeoutMs ?? 300_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `{code: 0}` when it worked, else the output's tail, so that a failing expectation says why. */
export function ok(r: Ran): { code: number | null; tail: string } {
  return { code: r.code, tail: r.code === 0 ? "" : `${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}` };
}

/** A fresh temporary directory outside the checkout. */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `npm ci` / `npm install`, using npm's cache first (the registry only for what it lacks). */
export const NPM_QUIET = ["--no-audit", "--no-fund", "--prefer-offline"];
