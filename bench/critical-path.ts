/**
 * How far a deploy is from the fastest any scheduler could go with the same steps, and where its
 * wall time goes. Pure: fed the provider's trace (provider/core/trace.ts), the hosts' command
 * logs and the resource dependencies from the state file.
 *
 * The bound is the longest chain of dependent work: resources in dependency order; within a
 * resource its phases one after another (a read counts as a phase); within a phase hosts in
 * parallel and one host's steps in order (the executor's rule). Each step weighs what its host's
 * command log measured for it: the tool's own run, without SSH round trips, the engine, the
 * provider's planning or any wait between steps. So wall ÷ bound is what all of those cost
 * together, and the breakdown says which.
 */
import type { TraceEvent, TraceOp, TraceStep } from "../provider/core/trace";

/** A command as a host's command log has it (start and end in ms since the epoch). */
export interface CommandSpan {
  readonly endpoint: string;
  readonly command: string;
  readonly start: number;
  readonly end: number;
}

/** A resource of the state file: its URN, id (custom resources) and what it depends on. */
export interface StateNode {
  readonly urn: string;
  readonly id?: string;
  readonly dependencies: readonly string[];
}

export interface ChainLink {
  readonly id: string;
  readonly ms: number;
}

export interface Bound {
  readonly boundMs: number;
  /** The chain that sets the bound, first resource first. */
  readonly chain: readonly ChainLink[];
  /** Steps whose command the hosts' logs did not show (their traced span is used instead). */
  readonly unmatchedSteps: number;
  readonly steps: number;
}

export interface Breakdown {
  readonly wallMs: number;
  /** Some database tool was running on some host. */
  readonly toolsMs: number;
  /** A step was in flight but no tool ran: SSH round trips, channel set-up, stdin transfer. */
  readonly sshMs: number;
  /** A provider call was running but no step: reading results, planning, waiting between steps. */
  readonly providerMs: number;
  /** No provider call at all: the engine and the plugin (program, registration, state writes). */
  readonly engineMs: number;
}

const SLACK_MS = 5;

/** The measured duration of each step: its command's run on the host, matched by endpoint, time and text. */
export function stepDurations(steps: readonly TraceStep[], commands: readonly CommandSpan[]): { ms: number[]; unmatched: number } {
  const byEndpoint = new Map<string, CommandSpan[]>();
  for (const c of commands) {
    const list = byEndpoint.get(c.endpoint) ?? [];
    list.push(c);
    byEndpoint.set(c.endpoint, list);
  }
  let unmatched = 0;
  const ms = steps.map((s) => {
    const inside = (byEndpoint.get(s.endpoint) ?? []).filter((c) => c.start >= s.start - SLACK_MS && c.end <= s.end + SLACK_MS);
    // The command line may have been wrapped on the way (exported variables, an explicit shell).
    const same = inside.filter((c) => c.command.includes(s.command) || s.command.includes(c.command));
    const pick = (same.length ? same : inside).reduce<CommandSpan | undefined>((best, c) => (!best || c.end - c.start > best.end - best.start ? c : best), undefined);
    if (!pick) {
      unmatched++;
      return s.end - s.start;
    }
    return pick.end - pick.start;
  });
  return { ms, unmatched };
}

/** One provider call's weight: its phases in order, each the slowest host's steps in sequence. */
function runWeight(steps: readonly { step: TraceStep; ms: number }[]): number {
  const phases = new Map<number, Map<string, number>>();
  for (const { step, ms } of steps) {
    const hosts = phases.get(step.phase) ?? new Map<string, number>();
    hosts.set(step.endpoint, (hosts.get(step.endpoint) ?? 0) + ms);
    phases.set(step.phase, hosts);
  }
  let total = 0;
  for (const hosts of phases.values()) total += Math.max(0, ...hosts.values());
  return total;
}

export function criticalPath(events: readonly TraceEvent[], commands: readonly CommandSpan[], state: readonly StateNode[]): Bound {
  const ops = events.filter((e): e is TraceOp => e.ev === "op");
  const steps = events.filter((e): e is TraceStep => e.ev === "step");
  const { ms, unmatched } = stepDurations(steps, commands);
  const byRun = new Map<string, { step: TraceStep; ms: number }[]>();
  steps.forEach((step, i) => {
    const list = byRun.get(step.run) ?? [];
    list.push({ step, ms: ms[i] });
    byRun.set(step.run, list);
  });
  const weightOfId = new Map<string, number>();
  for (const op of ops) weightOfId.set(op.id, (weightOfId.get(op.id) ?? 0) + runWeight(byRun.get(op.run) ?? []));

  const nodes = new Map(state.map((n) => [n.urn, n]));
  const memo = new Map<string, { ms: number; chain: ChainLink[] }>();
  const visiting = new Set<string>();
  const longest = (urn: string): { ms: number; chain: ChainLink[] } => {
    const hit = memo.get(urn);
    if (hit) return hit;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    const node = nodes.get(urn);
    let best: { ms: number; chain: ChainLink[] } = { ms: 0, chain: [] };
    for (const d of node?.dependencies ?? []) {
      const r = longest(d);
      if (r.ms > best.ms) best = r;
    }
    visiting.delete(urn);
    const own = node?.id !== undefined ? weightOfId.get(node.id) ?? 0 : 0;
    const result = own > 0 && node?.id ? { ms: best.ms + own, chain: [...best.chain, { id: node.id, ms: own }] } : best;
    memo.set(urn, result);
    return result;
  };
  let top: { ms: number; chain: ChainLink[] } = { ms: 0, chain: [] };
  for (const n of state) {
    const r = longest(n.urn);
    if (r.ms > top.ms) top = r;
  }
  return { boundMs: top.ms, chain: top.chain, unmatchedSteps: unmatched, steps: steps.length };
}

type Span = readonly [number, number];

/** Total length of the union of spans, clipped to [from, to]. */
export function unionMs(spans: readonly Span[], from: number, to: number): number {
  const clipped = spans.map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const).filter(([a, b]) => b > a);
  clipped.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cur: [number, number] | undefined;
  for (const [a, b] of clipped) {
    if (!cur || a > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

/** Splits [from, to] by what was happening, most specific first (tools ⊂ steps ⊂ provider calls). */
export function breakdown(events: readonly TraceEvent[], commands: readonly CommandSpan[], from: number, to: number): Breakdown {
  const tools: Span[] = commands.map((c) => [c.start, c.end]);
  const steps: Span[] = events.filter((e): e is TraceStep => e.ev === "step").map((s) => [s.start, s.end]);
  const calls: Span[] = events.filter((e): e is TraceOp => e.ev === "op").map((o) => [o.start, o.end]);
  const t = unionMs(tools, from, to);
  const ts = unionMs([...tools, ...steps], from, to);
  const tsc = unionMs([...tools, ...steps, ...calls], from, to);
  const wall = to - from;
  return { wallMs: wall, toolsMs: t, sshMs: ts - t, providerMs: tsc - ts, engineMs: wall - tsc };
}
