/**
 * Standby hosts that cannot be reached over SSH (3.x and 4.x alike), one place for the rule.
 *
 * The read: a dial that fails for an outage (refused, timed out, no route, a jump host that cannot
 * reach it: core's `SshConnectError` that a retry could cure) makes the host unreachable, reported
 * in the outputs, and the read goes on through the others. What is no outage stays fatal: a host
 * key mismatch (a security failure: what a man-in-the-middle looks like, never shown as a host
 * merely down), refused credentials or an unusable key (the connection's inputs are wrong).
 *
 * The plan: phases run in order and what a phase holds runs at once (steps on different hosts,
 * independent by construction), so a step on an unreachable host is left out, with every later
 * phase (they may depend on it: an ADD SERVER after its observer's start, a promotion after a
 * demotion). A stopped observer started again is drift repair nothing later depends on: left out
 * alone. What remains runs; once only what needs the host remains, the plan is refused, naming the
 * host, the dial's reason and what to do. Nothing is ever done *because* a host is unreachable: no
 * failover, no server removed.
 */
import { SshConnectError } from "../../core/errors";
import type { Operation, Phase, Plan } from "../../core/operation";
import { PlanRefusal } from "../plan-common";

/** Why a dial failure makes a host unreachable, or undefined when it must stay fatal. */
export function unreachableReason(err: unknown): string | undefined {
  if (!(err instanceof SshConnectError) || err.permanent) return undefined;
  const why = err.lastError instanceof Error ? err.lastError.message : String(err.lastError);
  return `${why} (${err.attempts} attempt${err.attempts === 1 ? "" : "s"})`;
}

export interface Unreachable {
  readonly address: string;
  readonly connKey: string;
  readonly unreachable?: string;
}

export const unreachableOf = <T extends Unreachable>(hosts: readonly T[]): (T & { unreachable: string })[] => hosts.filter((h): h is T & { unreachable: string } => h.unreachable !== undefined);

/** The reason a step on a stopped observer's host names: the one drift repair later phases never depend on. */
export const DRIFT = "not running (drift)";

const what = (hs: readonly { address: string; unreachable: string }[]) => hs.map((h) => `${h.address} cannot be reached over SSH (${h.unreachable})`).join("; ");

/** The hosts' outage as a line for the read's log (refresh and up show it). */
export const unreachableLine = (hs: readonly { address: string; unreachable: string }[]) =>
  `${what(hs)}: shown as unreachable; steps that need ${hs.length === 1 ? "it" : "them"} wait until ${hs.length === 1 ? "it answers" : "they answer"}`;

/** The plan without what needs an unreachable host (see above); refused once nothing else is left. */
export function withoutUnreachable(plan: Plan, hosts: readonly Unreachable[]): Plan {
  const down = new Map(unreachableOf(hosts).map((h) => [h.connKey, h]));
  if (down.size === 0) return plan;
  const kept: Phase[] = [];
  const blocked: Operation[] = [];
  for (const phase of plan) {
    const needs = phase.operations.filter((o) => down.has(o.connKey));
    const ops = phase.operations.filter((o) => !down.has(o.connKey));
    if (ops.length > 0) kept.push({ ...phase, operations: ops });
    blocked.push(...needs);
    if (needs.some((o) => !(o.kind === "start" && o.reason === DRIFT))) break;
  }
  if (blocked.length === 0) return plan;
  if (kept.length > 0) return kept;
  const hs = [...new Set(blocked.map((o) => down.get(o.connKey)!))];
  throw new PlanRefusal(
    `${what(hs)}: the next step${blocked.length === 1 ? "" : "s"} need${blocked.length === 1 ? "s" : ""} ${hs.length === 1 ? "it" : "them"} (${blocked.map((o) => `${o.host}: ${o.describe}`).join("; ")}). ` +
      `Bring ${hs.length === 1 ? "it" : "them"} back and run up again (finished steps are checked and skipped); a host lost for good leaves the inputs only once its server is gone from the standby's view (DELETE SERVER it by hand: its data cannot be proven disposable from here). Nothing is failed over or removed because a host is unreachable`,
  );
}

/** A leaving server whose host is unreachable: refused, as one whose connection is unknown (serversLeaving). */
export function refuseLeavingUnreachable(leaving: readonly { address: string }[], hosts: readonly Unreachable[], what: string): void {
  const down = unreachableOf(hosts).filter((h) => leaving.some((x) => x.address === h.address));
  if (down.length === 0) return;
  const one = down.length === 1;
  throw new PlanRefusal(
    `${down.map((h) => `${h.address} (${h.unreachable})`).join(", ")} ${one ? "is" : "are"} no longer declared but cannot be reached over SSH, and ${one ? "its server is" : "their servers are"} still in ${what}'s view: removing ${one ? "it" : "them"} needs ${one ? "its" : "their"} observer stopped and data marked there. ` +
      `Bring ${one ? "it" : "them"} back and run up again; if lost for good, DELETE SERVER ${one ? "it" : "them"} by hand (once gone from the view, the inputs may drop ${one ? "it" : "them"}). Nothing was changed`,
  );
}

/** Delete stops what this resource started on every host: an unreachable one cannot be checked, so the delete is refused. */
export function refuseDeleteUnreachable(hosts: readonly Unreachable[]): void {
  const down = unreachableOf(hosts);
  if (down.length === 0) return;
  const one = down.length === 1;
  throw new PlanRefusal(
    `delete: ${what(down)}: the observer this resource started there cannot be stopped nor its data marked as a removed standby's. ` +
      `Bring ${one ? "it" : "them"} back and delete again; if lost for good, stop what runs there by hand and drop the resource from the stack only (pulumi state delete). Nothing was changed`,
  );
}

/** Where the standby's SQL steps run: `boot` while reachable, else a reachable member whose observer runs, else `boot` (its steps then wait). */
export function sqlHostOf<M extends { probe: Unreachable & { pid: number | null } }>(members: readonly M[], boot: M): M {
  if (boot.probe.unreachable === undefined) return boot;
  return members.find((m) => m.probe.unreachable === undefined && m.probe.pid !== null) ?? boot;
}
