import { redact } from "./redact";

/**
 * Operations are plain data, produced by pure planners and printed before they run (TiUP's
 * task model: a task describes itself; Serial/Parallel composites become Phases).
 */

export interface Operation {
  /** Display name of the host (what the log and the plan print). */
  readonly host: string;
  /** Pool key of the connection to run on (`connectionKey(conn)`); the executor maps it to a target. */
  readonly connKey: string;
  /** Short category, e.g. `mkdir`, `write-file`, `dminit`, `sql`. */
  readonly kind: string;
  /** One line for humans: what the plan prints. Must not contain secrets (it is redacted anyway). */
  readonly describe: string;
  /** The exact shell command, built with `sh`. Never holds secrets. */
  readonly command: string;
  /** Standard input; may hold secrets; never printed or logged. */
  readonly stdin?: string;
  /** Why this step is needed (the difference between desired and actual it closes). */
  readonly reason: string;
  readonly timeoutMs: number;
  /** Exit statuses that count as success. @default [0] */
  readonly expectExit?: readonly number[];
  /** What the user should do when this step fails. */
  readonly hint?: string;
  /**
   * The command reports progress while it runs: each stdout line `@@progress <text>` is logged
   * at once (info), naming the step and how long it has run. For waits of minutes, which would
   * otherwise show nothing until they end.
   */
  readonly progress?: boolean;
}

/** The line prefix a step with `progress` writes on stdout for each progress report. */
export const PROGRESS_MARK = "@@progress ";

/** Steps that may run in parallel across hosts; on one host they run in the given order. */
export interface Phase {
  readonly title: string;
  readonly operations: readonly Operation[];
}

/** Phases run one after another. */
export type Plan = readonly Phase[];

/** One host's ordered share of a phase. */
export interface HostSequence {
  readonly connKey: string;
  readonly host: string;
  readonly operations: readonly Operation[];
}

/** Splits a phase into per-connection sequences, hosts in order of first appearance. */
export function groupByHost(phase: Phase): HostSequence[] {
  const byKey = new Map<string, { host: string; operations: Operation[] }>();
  for (const op of phase.operations) {
    let seq = byKey.get(op.connKey);
    if (!seq) {
      seq = { host: op.host, operations: [] };
      byKey.set(op.connKey, seq);
    }
    seq.operations.push(op);
  }
  return [...byKey].map(([connKey, s]) => ({ connKey, host: s.host, operations: s.operations }));
}

export function planSize(plan: Plan): number {
  return plan.reduce((n, p) => n + p.operations.length, 0);
}

/** Drops empty phases, so that "nothing to do" is an empty plan. */
export function compactPlan(plan: Plan): Plan {
  return plan.filter((p) => p.operations.length > 0);
}

/**
 * The printed plan: a header per phase, one line per step with its reason. Stdin and the
 * command itself are not shown (the command may be long; `describe` is what users read).
 */
export function renderPlan(plan: Plan): string[] {
  const phases = compactPlan(plan);
  const lines: string[] = [];
  phases.forEach((phase, i) => {
    const hosts = groupByHost(phase).length;
    lines.push(`phase ${i + 1}/${phases.length}: ${phase.title} (${hosts} host${hosts === 1 ? "" : "s"} in parallel)`);
    for (const op of phase.operations) {
      lines.push(`  ${op.host} ${op.kind} ${op.describe}  # ${op.reason}`);
    }
  });
  return lines.map((l) => redact(l).replace(/\r?\n/g, " "));
}
