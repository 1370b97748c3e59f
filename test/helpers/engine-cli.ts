/**
 * Runs the local engine's CLI (`dist/lab/engine/cli.js`) as a user would, and collects what it
 * printed. Every engine-level test goes through here.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { REPO } from "./lab";

export const ENGINE_CLI = path.join(REPO, "dist", "lab", "engine", "cli.js");

export interface EngineCliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** With `--json`: every JSON line of stdout (steps, diagnostics, outputs, the summary last). */
  readonly events: Record<string, any>[];
  /** The last event's `summary`, when the run printed one. */
  readonly summary?: Record<string, number>;
}

/** `node cli.js ...args` with `env` as its whole environment. */
export function runEngineCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<EngineCliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENGINE_CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const events = args.includes("--json") && args[0] !== "stack"
        ? stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, any>)
        : [];
      const last = events[events.length - 1];
      resolve({ code: code ?? -1, stdout, stderr: Buffer.concat(err).toString("utf8"), events, summary: last && "summary" in last ? last.summary : undefined });
    });
  });
}

/**
 * `--json` output without the debug messages of @pulumi/pulumi itself ("RegisterResource RPC
 * finished: ... resp: ..."): they print registration responses raw, secrets included, as
 * `pulumi up --debug` does with the real CLI. Not this package's output, and not shown by
 * default; this package's own debug lines (`[dbcluster] ...`) stay, to be searched for leaks.
 */
export function withoutSdkDebug(stdout: string): string {
  return stdout
    .split("\n")
    .filter((line) => {
      if (!line.startsWith("{")) return true;
      try {
        const e = JSON.parse(line) as { log?: { severity?: string; message?: string } };
        return !(e.log?.severity === "debug" && !String(e.log.message).startsWith("[dbcluster]"));
      } catch {
        return true;
      }
    })
    .join("\n");
}
