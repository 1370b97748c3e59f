import { randomBytes } from "node:crypto";
import { redact } from "./redact";

/**
 * The plugin's only log channel is its stderr, shared by every resource of the run (see the
 * engine spec), so each line is written whole, in one call, and carries a prefix naming the
 * resource run it belongs to.
 */

export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => {
  process.stderr.write(line + "\n");
};

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

export class RunLog {
  /**
   * @param prefix names the run, e.g. `dm:Instance/dm1 create 3fa2c1`; empty for none.
   * @param sink where whole lines go. @default process.stderr
   */
  constructor(readonly prefix: string = "", private readonly sink: LogSink = stderrSink) {}

  private emit(body: string): void {
    const head = this.prefix ? `[dbcluster] ${this.prefix} ` : "[dbcluster] ";
    this.sink(redact(head + body).replace(/\r?\n/g, " ⏎ "));
  }

  /** `<host> <kind> <what> ... ok 123ms` / `... FAILED (exit 3) 80ms`. */
  step(host: string, kind: string, what: string, outcome: StepOutcome): void {
    this.emit(`${host} ${kind} ${what} ... ${outcomeText(outcome)}`);
  }

  info(text: string): void {
    this.emit(text);
  }

  /** A child log for one resource of the run. */
  child(name: string): RunLog {
    return new RunLog(this.prefix ? `${this.prefix} ${name}` : name, this.sink);
  }
}
