import { HostKeyMismatchError, RemoteCommandError, StepNotStartedError } from "./errors";
import { RunLog } from "./log";
import { HostSequence, Operation, PROGRESS_MARK, Phase, Plan, groupByHost } from "./operation";
import { ExecResult, SshPool, SshTarget, defaultPool } from "./ssh";

/**
 * The one executor: phases in order, hosts of a phase in parallel (capped), steps of a host in
 * order, and one failure rule: the first failed step stops the plan. Hosts already running a
 * step of the failing phase finish that step (interrupting a remote tool half-way is worse),
 * but no host starts a further step; the first failure is what the plan throws. What was not
 * run is planned again from what the hosts show on the next round or `up`.
 */

export interface ExecutorOptions {
  /** Connection for each `connKey` the plan uses. */
  readonly targets: ReadonlyMap<string, SshTarget> | Readonly<Record<string, SshTarget>> | ((connKey: string) => SshTarget);
  /** @default the process-wide pool */
  readonly pool?: SshPool;
  /** @default a log to stderr without prefix */
  readonly log?: RunLog;
  /** Hosts worked on at once within a phase. @default 16 */
  readonly concurrency?: number;
  /**
   * Runs one step, for callers with steps of their own kind (a copy between two hosts) or
   * bookkeeping per step; must log and throw as `runOperation` does. @default runOperation
   */
  readonly step?: (op: Operation, target: SshTarget) => Promise<ExecResult | undefined>;
  /** Told as each phase starts (1-based `index` of `total`, over `hosts` hosts): progress lines, traces. */
  readonly onPhase?: (phase: Phase, index: number, total: number, hosts: number) => void;
}

export interface StepResult {
  readonly op: Operation;
  readonly result: ExecResult;
}

export interface RunReport {
  readonly steps: readonly StepResult[];
  /** Host key seen per connKey (record these for trust on first use). */
  readonly hostKeys: Readonly<Record<string, string>>;
}

function lookup(targets: ExecutorOptions["targets"], key: string): SshTarget {
  if (typeof targets === "function") return targets(key);
  const t = targets instanceof Map ? targets.get(key) : (targets as Record<string, SshTarget>)[key];
  if (!t) throw new Error(`plan step targets connection ${key}, which the executor was not given`);
  return t;
}

/** Logs each whole `@@progress` line of a step's output as it arrives. */
function progressLines(op: Operation, started: number, log: RunLog): (chunk: string) => void {
  let partial = "";
  return (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith(PROGRESS_MARK)) log.progress(op.host, op.kind, op.describe, line.slice(PROGRESS_MARK.length), Date.now() - started);
  };
}

/** Runs one step and turns a failure into a RemoteCommandError (after logging it). */
export async function runOperation(op: Operation, target: SshTarget, pool: SshPool, log: RunLog): Promise<ExecResult> {
  const started = Date.now();
  let result: ExecResult;
  try {
    result = await pool.exec(target, op.command, { stdin: op.stdin, timeoutMs: op.timeoutMs, onStdout: op.progress ? progressLines(op, started, log) : undefined });
  } catch (err) {
    log.step(op.host, op.kind, op.describe, {
      ok: false,
      ms: Date.now() - started,
      code: null,
      error: err instanceof Error ? err.name : "error",
    });
    // A changed host key says itself what to do; anything else gets the step named.
    if (err instanceof HostKeyMismatchError) throw err;
    throw new StepNotStartedError(op.host, op.kind, op.describe, err);
  }
  const expected = op.expectExit ?? [0];
  const ok = !result.timedOut && result.code !== null && expected.includes(result.code);
  log.step(op.host, op.kind, op.describe, ok
    ? { ok: true, ms: result.durationMs }
    : { ok: false, ms: result.durationMs, code: result.code, signal: result.signal, timedOut: result.timedOut });
  if (!ok) {
    throw new RemoteCommandError({
      host: op.host,
      kind: op.kind,
      describe: op.describe,
      code: result.code,
      signal: result.signal,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
      stdout: result.stdout,
      stderr: result.stderr,
      hint: op.hint,
    });
  }
  return result;
}

/** Runs `tasks` with at most `limit` in flight; stops starting new ones after the first failure. */
async function boundedAll<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await run(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

/** Runs `plan` under the rule above; resolves with every step's result once all succeeded. */
export async function runPlan(plan: Plan, opts: ExecutorOptions): Promise<RunReport> {
  const pool = opts.pool ?? defaultPool;
  const log = opts.log ?? new RunLog();
  const step = opts.step ?? ((op: Operation, target: SshTarget) => runOperation(op, target, pool, log));
  const limit = Math.max(1, opts.concurrency ?? 16);
  const steps: StepResult[] = [];
  const hostKeys: Record<string, string> = {};
  let failed = false;
  for (const [i, phase] of plan.entries()) {
    if (failed) break;
    const sequences = groupByHost(phase);
    opts.onPhase?.(phase, i + 1, plan.length, sequences.length);
    await boundedAll<HostSequence>(sequences, limit, async (seq) => {
      const target = lookup(opts.targets, seq.connKey);
      for (const op of seq.operations) {
        if (failed) return;
        try {
          const result = await step(op, target);
          if (!result) continue;
          steps.push({ op, result });
          hostKeys[seq.connKey] = result.hostKey;
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    });
  }
  return { steps, hostKeys };
}
