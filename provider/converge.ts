/**
 * The one shape every resource of this package has: validate, read the actual state, plan
 * (pure), apply, read again; repeated until the plan is empty. A resource supplies a `Logic`;
 * this module turns it into the dynamic provider Pulumi calls.
 *
 * Why a loop: some steps can only be planned once an earlier step's effect is visible (the MP
 * catalog can be read only once the MP runs; a leader is known only after the election), so a
 * plan may cover part of the way, and the next round plans the rest from what is really there.
 * The same loop is what makes an interrupted `up` finish on the next run.
 */
import type * as pulumi from "@pulumi/pulumi";
import { endpointKey, parseConnection } from "./core/connection";
import { runOperation, runPlan } from "./core/executor";
import { copyRemoteDir } from "./core/files";
import { RunLog, formatDuration, newRunId } from "./core/log";
import { compactPlan, renderPlan, type Operation, type Plan } from "./core/operation";
import { registerSecret } from "./core/redact";
import { defaultPool, type ExecResult, type SshPool, type SshTarget } from "./core/ssh";
import { trace } from "./core/trace";

/** A host key seen per endpoint (`endpointKey`): the trust-on-first-use record kept in state. */
export type HostKeys = Record<string, string>;

function endpointsOf(conn: SshTarget["conn"]): { target: string; proxy?: string } {
  const c = parseConnection(conn);
  return { target: endpointKey(c), proxy: c.proxy && endpointKey(c.proxy) };
}

/** What a resource's read functions use to reach hosts (keys verified and recorded). */
export class RunContext {
  readonly seenHostKeys: HostKeys = {};
  /** Steps started on hosts (reads excluded): none means nothing was touched. */
  stepsStarted = 0;
  readonly pool: SshPool = defaultPool;
  /** The phase now running (reads count as one), for the trace. */
  private phase = { n: 0, title: "" };
  constructor(
    readonly log: RunLog,
    private readonly known: HostKeys,
    private readonly connections: ReadonlyMap<string, SshTarget["conn"]>,
    /** What the run is for: `create`, `update`, `refresh`, `delete` (reads batch differently for a refresh). */
    readonly op: string = "",
  ) {}

  /**
   * The connection of an identity key, with the host keys recorded for its endpoints. Records
   * are filed by endpoint (`user@host:port[ via ...]`, and the jump host's own), not by
   * identity: a rotated credential keeps the record, and a jump host's key is checked like a target's.
   */
  target(connKey: string): SshTarget {
    const conn = this.connections.get(connKey);
    if (!conn) throw new Error(`no connection for ${connKey}`);
    const ends = endpointsOf(conn);
    const known = (k: string | undefined) => (k === undefined ? undefined : (this.known[k] ?? this.seenHostKeys[k]));
    return { conn, knownHostKey: known(ends.target), knownProxyHostKey: known(ends.proxy) };
  }

  /** Marks the start of a phase: a read, or one phase of a plan. */
  beginPhase(title: string): void {
    this.phase = { n: this.phase.n + 1, title };
  }

  /** Records a remote command run for this resource in its current phase (no-op unless tracing). */
  traceStep(connKey: string, kind: string, command: string, start: number): void {
    const conn = this.connections.get(connKey);
    trace({ ev: "step", run: this.log.prefix, phase: this.phase.n, title: this.phase.title, endpoint: `${conn?.host}:${conn?.port ?? 22}`, kind, command, start, end: Date.now() });
  }

  /** Records the host keys a command on `connKey` saw (trust on first use). */
  recordHostKeys(connKey: string, r: Pick<ExecResult, "hostKey" | "proxyHostKey">): void {
    const conn = this.connections.get(connKey);
    if (!conn) return;
    const ends = endpointsOf(conn);
    this.seenHostKeys[ends.target] = r.hostKey;
    if (ends.proxy && r.proxyHostKey) this.seenHostKeys[ends.proxy] = r.proxyHostKey;
  }

  /** Runs a read-only command; the result's host keys are recorded for trust on first use. */
  async exec(connKey: string, command: string, stdin?: string, timeoutMs = 120_000): Promise<ExecResult> {
    const start = Date.now();
    const r = await this.pool.exec(this.target(connKey), command, { stdin, timeoutMs });
    this.recordHostKeys(connKey, r);
    this.traceStep(connKey, "read", command, start);
    return r;
  }

  /**
   * Runs a plan with core's one executor (its failure rule: the first failed step stops the
   * plan). Each phase says itself when it starts (the line users follow); `round` numbers a
   * re-planned pass.
   */
  async run(plan: Plan, round = 1): Promise<void> {
    await runPlan(compactPlan(plan), {
      targets: (k) => this.target(k),
      pool: this.pool,
      log: this.log,
      step: (op) => this.runOne(op),
      onPhase: (phase, index, total, hosts) => {
        this.beginPhase(phase.title);
        this.log.phase(index, total, phase.title, hosts, round);
      },
    });
  }

  private async runOne(op: Operation): Promise<ExecResult | undefined> {
    this.stepsStarted++;
    const copy = op as Operation & { copyFrom?: { host: string; connKey: string; dir: string }; copyTo?: { dir: string } };
    if (copy.copyFrom && copy.copyTo) {
      const started = Date.now();
      try {
        await copyRemoteDir(
          { target: this.target(copy.copyFrom.connKey), dir: copy.copyFrom.dir },
          { target: this.target(op.connKey), dir: copy.copyTo.dir },
          this.pool,
          op.timeoutMs,
        );
        this.traceStep(op.connKey, op.kind, op.command, started);
        this.log.step(op.host, op.kind, op.describe, { ok: true, ms: Date.now() - started });
      } catch (err) {
        this.log.step(op.host, op.kind, op.describe, { ok: false, ms: Date.now() - started, code: null, error: "copy failed" });
        throw err;
      }
      return undefined;
    }
    const start = Date.now();
    const r = await runOperation(op, this.target(op.connKey), this.pool, this.log);
    this.recordHostKeys(op.connKey, r);
    this.traceStep(op.connKey, op.kind, op.command, start);
    return r;
  }
}

export interface Validation {
  readonly property: string;
  readonly reason: string;
}

export interface Logic<Spec, Actual> {
  /** `dm:Instance`, ... (also the log prefix). */
  readonly kind: string;
  /** Every problem with the inputs, or the parsed spec. */
  validate(inputs: Record<string, unknown>, olds?: Record<string, unknown>): { ok: true; spec: Spec } | { ok: false; failures: Validation[] };
  /** The resource's name for ids and logs. */
  name(spec: Spec): string;
  /** Values never to print (passwords, keys). */
  secrets(spec: Spec): string[];
  /** Every host connection the resource may use, by connection key. */
  connections(spec: Spec, olds?: Spec): Map<string, SshTarget["conn"]>;
  read(spec: Spec, ctx: RunContext, olds?: Spec): Promise<Actual>;
  plan(spec: Spec, actual: Actual, how: { creating: boolean; olds?: Spec }): Plan;
  planDelete(spec: Spec, actual: Actual): Plan;
  /**
   * What the plan leaves as it is on purpose though it differs from the inputs, each with why and
   * what to do (say, an observer a failover cannot start): logged as warnings by an up that ends
   * in sync and by refresh, so that a quiet plan never hides it.
   */
  leftAlone?(spec: Spec, actual: Actual): string[];
  /** What was read, as outputs (shown by `refresh`). */
  observe(spec: Spec, actual: Actual): Record<string, unknown>;
  /** Input changes: which force a replacement, which are updated in place. */
  diff(olds: Spec, news: Spec): { replaces: string[]; changes: string[] };
  /**
   * Problems only the hosts can show (say, a declared version against a running primary's), read
   * without changing anything, reported in `check` beside `validate`'s. Called for a create only,
   * with the raw inputs (they may not parse as a whole); `open` gives a context over the
   * connections it names. Inputs not known yet (a preview) skip it: the prechecks cover it then.
   */
  checkRemote?(inputs: Record<string, unknown>, open: (connections: Map<string, SshTarget["conn"]>) => RunContext): Promise<Validation[]>;
  /** Replace by deleting first (the new one would collide with the old). @default false */
  readonly deleteBeforeReplace?: boolean;
}

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const MAX_ROUNDS = 6;

function hasUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v && typeof v === "object") return Object.values(v).some(hasUnknown);
  return false;
}

/** Output keys the provider adds to the inputs; never treated as inputs when diffing. */
const PROVIDER_KEY = "__provider";
const OUTPUT_KEYS = ["hostKeys", "observed", "inSync", PROVIDER_KEY] as const;

function inputsOf(props: Record<string, unknown>): Record<string, unknown> {
  const out = { ...props };
  for (const k of OUTPUT_KEYS) delete out[k];
  return out;
}

export class ValidationError extends Error {
  constructor(kind: string, failures: readonly Validation[]) {
    super(`${kind}: invalid inputs:\n${failures.map((f) => `  ${f.property}: ${f.reason}`).join("\n")}`);
    this.name = "ValidationError";
  }
}

export function dynamicProviderFor<Spec, Actual>(logic: Logic<Spec, Actual>): pulumi.dynamic.ResourceProvider {
  const parse = (props: Record<string, unknown>, olds?: Record<string, unknown>): Spec => {
    const v = logic.validate(inputsOf(props), olds && inputsOf(olds));
    if (!v.ok) throw new ValidationError(logic.kind, v.failures);
    for (const s of logic.secrets(v.spec)) registerSecret(s);
    return v.spec;
  };

  const context = (spec: Spec, op: string, oldProps?: Record<string, unknown>, olds?: Spec): RunContext => {
    const log = new RunLog(`${logic.kind}/${logic.name(spec)} ${op} ${newRunId()}`);
    const known = (oldProps?.hostKeys ?? {}) as HostKeys;
    return new RunContext(log, known, logic.connections(spec, olds), op);
  };

  /**
   * Runs one provider call: its lines reach the engine before the call returns (so they show
   * before its outcome), and its span goes to the trace.
   */
  const settled = async <T>(ctx: RunContext, id: string, work: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    let ok = false;
    try {
      const r = await work();
      ok = true;
      return r;
    } finally {
      trace({ ev: "op", run: ctx.log.prefix, id, op: ctx.op, start, end: Date.now(), ok });
      await ctx.log.flush();
    }
  };

  /** Read, plan, apply until nothing is left to do; returns the last read. */
  const converge = async (spec: Spec, ctx: RunContext, how: { creating: boolean; olds?: Spec }): Promise<Actual> => {
    const started = Date.now();
    for (let round = 1; ; round++) {
      ctx.beginPhase("read");
      const actual = await logic.read(spec, ctx, how.olds);
      const plan = compactPlan(logic.plan(spec, actual, how));
      if (plan.length === 0) {
        for (const w of logic.leftAlone?.(spec, actual) ?? []) ctx.log.warning(w);
        ctx.log.info(round === 1 ? "in sync: nothing to do" : `in sync after ${ctx.stepsStarted} step${ctx.stepsStarted === 1 ? "" : "s"} in ${formatDuration(Date.now() - started)}`);
        return actual;
      }
      if (round > MAX_ROUNDS) {
        throw new Error(`${logic.kind} ${logic.name(spec)}: still not in sync after ${MAX_ROUNDS} rounds; next steps would be:\n${renderPlan(plan).join("\n")}`);
      }
      for (const line of renderPlan(plan)) ctx.log.debug(`plan: ${line}`);
      await ctx.run(plan, round);
      // What exists now is ours: later rounds must not take it for someone else's database.
      how = { ...how, creating: false };
    }
  };

  const outputs = (inputs: Record<string, unknown>, spec: Spec, actual: Actual, ctx: RunContext, inSync: boolean) => ({
    ...inputsOf(inputs),
    hostKeys: { ...ctx.seenHostKeys },
    observed: logic.observe(spec, actual),
    inSync,
  });

  /**
   * Applies, and on failure tells the engine what exists so that the next `up` finishes it.
   * `applied` is what the hosts were last converged to: the previous outputs on an update, the
   * create's own inputs on a create.
   */
  const apply = async (
    id: string,
    inputs: Record<string, unknown>,
    spec: Spec,
    ctx: RunContext,
    how: { creating: boolean; olds?: Spec },
    applied: Record<string, unknown>,
  ) => {
    try {
      const actual = await converge(spec, ctx, how);
      return outputs(inputs, spec, actual, ctx, true);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.log.debug(`failed: ${message.split("\n")[0]}`);
      // A create refused before any step ran leaves nothing behind: no resource in state either,
      // so fixing the program (say, adopt: true) is a fresh create, not an update of a ghost.
      if (how.creating && ctx.stepsStarted === 0) throw err;
      // The engine records these as the outputs, and the next up plans from them (its olds): they
      // must be what was last applied, never the inputs that just failed, or an interrupted
      // scale-in would have forgotten the members it was removing. `__provider` goes with them:
      // the plugin attaches it only to successful answers, and without it no refresh or destroy
      // could load this provider until some up succeeded.
      const partial = {
        ...inputsOf(applied),
        hostKeys: { ...((applied.hostKeys ?? {}) as HostKeys), ...ctx.seenHostKeys },
        observed: {},
        inSync: false,
        [PROVIDER_KEY]: inputs[PROVIDER_KEY],
      };
      throw Object.assign(new Error(message), { id, properties: partial, reasons: [message] });
    }
  };

  return {
    async check(olds, news) {
      const creating = !olds || Object.keys(olds).length === 0;
      if (hasUnknown(news)) {
        if (logic.checkRemote && creating) {
          const log = new RunLog(`${logic.kind} check ${newRunId()}`);
          log.info("check: some inputs are not known yet (a preview): what is compared with the hosts is left to the prechecks, before any step");
          await log.flush();
        }
        return { inputs: news };
      }
      const v = logic.validate(inputsOf(news), creating ? undefined : inputsOf(olds));
      const open = (connections: Map<string, SshTarget["conn"]>) => new RunContext(new RunLog(`${logic.kind} check ${newRunId()}`), {}, connections, "check");
      const remote = logic.checkRemote && creating ? await logic.checkRemote(inputsOf(news), open) : [];
      const failures = [...(v.ok ? [] : v.failures), ...remote];
      if (failures.length > 0) return { inputs: news, failures: failures.map((f) => ({ property: f.property, reason: f.reason })) };
      return { inputs: news };
    },

    async diff(_id, olds, news) {
      if (hasUnknown(news)) return { changes: true };
      const a = parse(olds);
      const b = parse(news);
      const d = logic.diff(a, b);
      const drifted = olds.inSync === false;
      return {
        changes: d.replaces.length > 0 || d.changes.length > 0 || drifted,
        replaces: d.replaces,
        deleteBeforeReplace: logic.deleteBeforeReplace ?? false,
      };
    },

    async create(inputs) {
      const spec = parse(inputs);
      const ctx = context(spec, "create");
      const id = `${logic.kind}:${logic.name(spec)}`;
      return { id, outs: await settled(ctx, id, () => apply(id, inputs, spec, ctx, { creating: true }, inputs)) };
    },

    async update(id, olds, news) {
      const old = parse(olds);
      const spec = parse(news);
      const ctx = context(spec, "update", olds, old);
      return { outs: await settled(ctx, id, () => apply(id, news, spec, ctx, { creating: false, olds: old }, olds)) };
    },

    async read(id, props) {
      const spec = parse(props);
      const ctx = context(spec, "refresh", props);
      return settled(ctx, id, async () => {
        ctx.beginPhase("read");
        const actual = await logic.read(spec, ctx);
        let inSync: boolean;
        try {
          const pending = compactPlan(logic.plan(spec, actual, { creating: false }));
          inSync = pending.length === 0;
          if (!inSync) ctx.log.info(`drift: the next up would run:\n${renderPlan(pending).join("\n")}`);
          for (const w of logic.leftAlone?.(spec, actual) ?? []) ctx.log.warning(w);
        } catch (err) {
          // Refresh reports; it does not act. The next up meets the same error and says what to do.
          inSync = false;
          ctx.log.info(`drift: ${err instanceof Error ? err.message : String(err)}`);
        }
        return { id, props: outputs(props, spec, actual, ctx, inSync) };
      });
    },

    async delete(_id, props) {
      const spec = parse(props);
      const ctx = context(spec, "delete", props);
      await settled(ctx, _id, async () => {
        ctx.beginPhase("read");
        const actual = await logic.read(spec, ctx);
        const plan = compactPlan(logic.planDelete(spec, actual));
        for (const line of renderPlan(plan)) ctx.log.debug(`plan: ${line}`);
        await ctx.run(plan);
      });
    },
  };
}
