import * as fs from "node:fs";

/**
 * A machine-readable record of what a run did and when, for the benchmark's critical-path bound
 * (bench/critical-path.ts). Off unless DBCLUSTER_TRACE names a file; then every resource
 * operation and every remote step appends one JSON line to it. The plugin process is shared by
 * all resources of a run, so lines are appended whole (O_APPEND, one write each) and carry the
 * run's prefix. Nothing secret is written: commands never hold secrets (stdin does, and is not
 * traced).
 */

/** A resource operation from the provider's entry to its return (or throw). */
export interface TraceOp {
  readonly ev: "op";
  /** The run prefix of the resource's log (`dm:Instance/BP1 create 3fa2c1`). */
  readonly run: string;
  /** The resource's id as the provider returns it (`dm:Instance:BP1`), which the state file keeps. */
  readonly id: string;
  readonly op: string;
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
}

/** One remote command run for a resource, in one of its phases. */
export interface TraceStep {
  readonly ev: "step";
  readonly run: string;
  /** Phases of one run are numbered in the order they ran; a read counts as one phase. */
  readonly phase: number;
  /** `read` or the plan phase's title. */
  readonly title: string;
  /** `host:port` of the SSH endpoint, to find the host's command log. */
  readonly endpoint: string;
  readonly kind: string;
  /** The command line as sent (no secrets: see Operation.command). */
  readonly command: string;
  readonly start: number;
  readonly end: number;
}

export type TraceEvent = TraceOp | TraceStep;

export function tracing(): boolean {
  return !!process.env.DBCLUSTER_TRACE;
}

export function trace(event: TraceEvent): void {
  const file = process.env.DBCLUSTER_TRACE;
  if (!file) return;
  try {
    fs.appendFileSync(file, JSON.stringify(event) + "\n");
  } catch {
    // A trace is a measurement aid: losing a line must never fail a deployment.
  }
}

export function readTrace(file: string): TraceEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as TraceEvent);
}
