/**
 * The DM planners emit provider/core's Operation and Phase; this module adds the DM helpers
 * around them and the one operation core's executor cannot run by itself (a copy between two
 * hosts).
 */
import { connectionKey, parseConnection } from "../core/connection";
import type { Operation, Phase, Plan } from "../core/operation";
import type { ConnectionArgs } from "./schema";

export type { Operation, Phase, Plan };

/**
 * A host-to-host directory copy (a seed backup set for a replica on another host). `command`
 * is the receiving side (`tar -x` into the directory); the handler must run ops whose `copyFrom`
 * is set through core's `copyRemoteDir`, piping the source host's `tar -c` into it.
 */
export interface CopyOperation extends Operation {
  readonly kind: "copy-dir";
  readonly copyFrom: { readonly host: string; readonly connKey: string; readonly dir: string };
  readonly copyTo: { readonly dir: string };
}

export function isCopyOperation(op: Operation): op is CopyOperation {
  return op.kind === "copy-dir" && "copyFrom" in op;
}

/** Where an op runs: the display name and the pool key of the SSH connection. */
export interface Target {
  readonly host: string;
  readonly connKey: string;
}

/** The target of an instance-like object, keyed exactly as core's pool keys connections (by identity). */
export function targetOf(connection: ConnectionArgs): Target {
  return { host: connection.host, connKey: connectionKey(parseConnection(connection)) };
}

/** A planner's refusal: the plan cannot be made safely from this state. */
export class PlanError extends Error {
  override readonly name = "PlanError";
  constructor(
    readonly resource: string,
    message: string,
  ) {
    super(`${resource}: ${message}`);
  }
}

/** A phase when it has operations; nothing otherwise (so "nothing to do" is an empty plan). */
export function phase(title: string, operations: readonly Operation[]): Phase[] {
  return operations.length === 0 ? [] : [{ title, operations }];
}

/** Every op of a plan, in order. */
export function flatten(plan: Plan): Operation[] {
  return plan.flatMap((p) => [...p.operations]);
}
