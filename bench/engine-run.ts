import { spawn } from "node:child_process";
import * as path from "node:path";

const ENGINE_CLI = path.join(path.resolve(__dirname, "..", ".."), "dist", "lab", "engine", "cli.js");

export interface TimedRun {
  readonly code: number;
  readonly wallMs: number;
  readonly out: string;
  readonly summary?: Record<string, number>;
}

/** One run of the lab engine's CLI, timed around the process; the summary from its `--json` events. */
export function timedEngine(args: readonly string[], env: NodeJS.ProcessEnv): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [ENGINE_CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
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
