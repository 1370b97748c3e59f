import { randomBytes } from "node:crypto";
import { engineLog, type LogLevel } from "./engine-log";
import { redact } from "./redact";

/**
 * What a run tells the user. Every line is whole and names the resource run it belongs to (the
 * engine is not told which resource a dynamic provider works for), and has a level: `info` for
 * one line per phase (`phase 2/4 seed RAFT_1: 3 hosts`), drift and outcomes, what `pulumi up`
 * shows; `debug` for the plan and each step (`pulumi up --debug`, the lab engine's `--verbose`).
 */

export type { LogLevel };

/** Where whole lines go; the default is the engine's log service (`engine-log.ts`). */
export type LogSink = (line: string, level: LogLevel) => void;

const engineSink: LogSink = (line, level) => engineLog().write(level, line);

export type StepOutcome =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly ms: number; readonly code: number | null; readonly signal?: string | null; readonly timedOut?: boolean; readonly error?: string };

/** A short random id, so that two runs of the same resource are told apart too. */
export function newRunId(): string {
  return randomBytes(3).toString("hex");
}

function outcomeText(o: StepOutcome): string {
  if (o.ok) return `ok ${o.ms}ms`;
  if (o.error) return `FAILED (${o.error}) ${o.ms}ms`;
  if (o.timedOut) return `FAILED (timed out) ${o.ms}ms`;
  if (o.code !== null) return `FAILED (exit ${o.code}) ${o.ms}ms`;
  return `FAILED (signal ${o.signal ?? "?"}) ${o.ms}ms`;
}

/** `12ms`, `3.4s`, `2m05s`: what a person reads at a glance. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

export class RunLog {
  /**
   * @param prefix names the run, e.g. `dm:Instance/dm1 create 3fa2c1`; empty for none.
   * @param sink where whole lines go. @default the engine's log service
   */
  constructor(readonly prefix: string = "", private readonly sink: LogSink = engineSink) {}

  private emit(level: LogLevel, body: string): void {
    const head = this.prefix ? `[dbcluster] ${this.prefix} ` : "[dbcluster] ";
    this.sink(redact(head + body).replace(/\r?\n/g, " ⏎ "), level);
  }

  /** `<host> <kind> <what> ... ok 123ms` / `... FAILED (exit 3) 80ms`, at debug level. */
  step(host: string, kind: string, what: string, outcome: StepOutcome): void {
    this.emit("debug", `${host} ${kind} ${what} ... ${outcomeText(outcome)}`);
  }

  /**
   * `<host> <kind> <what> ... running 40.2s: <text>`, at info level: a running step's progress
   * (what `pulumi up` shows while a wait of minutes goes on).
   */
  progress(host: string, kind: string, what: string, text: string, ms: number): void {
    this.emit("info", `${host} ${kind} ${what} ... running ${formatDuration(ms)}: ${text}`);
  }

  /** `phase 2/4 seed RAFT_1: 3 hosts` (`round 2 phase 1/1 ...` after a re-read), when it starts. */
  phase(index: number, count: number, title: string, hosts: number, round = 1): void {
    const where = round > 1 ? `round ${round} phase` : "phase";
    this.emit("info", `${where} ${index}/${count} ${title}: ${hosts} host${hosts === 1 ? "" : "s"}`);
  }

  info(text: string): void {
    this.emit("info", text);
  }

  debug(text: string): void {
    this.emit("debug", text);
  }

  /** What a run leaves undone on purpose and the user must see (`pulumi up` shows warnings). */
  warning(text: string): void {
    this.emit("warning", text);
  }

  /** A child log for one resource of the run. */
  child(name: string): RunLog {
    return new RunLog(this.prefix ? `${this.prefix} ${name}` : name, this.sink);
  }

  /** Waits until the lines written so far have reached the engine (before a call returns). */
  flush(): Promise<void> {
    return this.sink === engineSink ? engineLog().flush() : Promise.resolve();
  }
}
