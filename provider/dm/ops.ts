/**
 * The operation and phase shapes the DM planners emit.
 *
 * provider/core/operation.ts owns the executor; until it lands these mirror its agreed shape so
 * that the planners stay pure data producers. Keep the fields in step with core.
 */

/** One command on one host. The plan line printed to users is `describe`. */
export interface Operation {
  /** SSH target: the `connection.host` of the instance the command acts on. */
  readonly host: string;
  /** Machine-readable kind, e.g. `dminit`, `disql`, `start`, `stop`, `write-file`. */
  readonly kind: string;
  /** One line a human reads in the plan and in the logs; never contains a secret. */
  readonly describe: string;
  /** Shell text run as `bash -c`; built only with the `sh` template. Never holds a secret. */
  readonly command: string;
  /** Fed to the command's standard input; the only place secrets travel. */
  readonly stdin?: string;
  /** Why the planner chose this operation (what it saw in the actual state). */
  readonly reason: string;
  readonly timeoutMs?: number;
  /**
   * For a copy between hosts: the executor runs `command` on `from.host`, and pipes its
   * standard output into this operation's `command` on `host` (instead of `stdin`).
   */
  readonly stdinFrom?: { readonly host: string; readonly command: string };
}

/** Ops of one phase on different hosts may run in parallel; on one host, in order. */
export interface Phase {
  readonly name: string;
  readonly ops: Operation[];
}

/** A planner's refusal: the plan cannot be made safely from this state. */
export class PlanError extends Error {
  constructor(
    message: string,
    readonly resource: string,
  ) {
    super(`${resource}: ${message}`);
    this.name = "PlanError";
  }
}

export function phase(name: string, ops: Operation[]): Phase[] {
  return ops.length === 0 ? [] : [{ name, ops }];
}

/** Every op of a plan, in order: handy for printing and for tests. */
export function flatten(phases: readonly Phase[]): Operation[] {
  return phases.flatMap((p) => p.ops);
}
