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
import { runOperation } from "./core/executor";
import { copyRemoteDir } from "./core/files";
import { RunLog, newRunId } from "./core/log";
import { compactPlan, groupByHost, renderPlan, type Operation, type Plan } from "./core/operation";
import { registerSecret } from "./core/redact";
import { defaultPool, type ExecResult, type SshPool, type SshTarget } from "./core/ssh";

/** A host key seen per connection key: the trust-on-first-use record kept in state. */
export type HostKeys = Record<string, string>;

/** What a resource's read functions use to reach hosts (keys verified and recorded). */
export class RunContext {
  readonly seenHostKeys: HostKeys = {};
  /** Steps started on hosts (reads excluded): none means nothing was touched. */
  stepsStarted = 0;
  readonly pool: SshPool = defaultPool;
  constructor(
    readonly log: RunLog,
    private readonly known: HostKeys,
    private readonly connections: ReadonlyMap<string, SshTarget["conn"]>,
    /** What the run is for: `create`, `update`, `refresh`, `delete` (reads batch differently for a refresh). */
    readonly op: string = "",
  ) {}

  target(connKey: string): SshTarget {
    const conn = this.connections.get(connKey);
    if (!conn) throw new Error(`no connection for ${connKey}`);
    return { conn, knownHostKey: this.known[connKey] ?? this.seenHostKeys[connKey] };
  }

  /** Runs a read-only command; the result's host key is recorded for trust on first use. */
  async exec(connKey: string, command: string, stdin?: string, timeoutMs = 120_000): Promise<ExecResult> {
    const r = await this.pool.exec(this.target(connKey), command, { stdin, timeoutMs });
    this.seenHostKeys[connKey] = r.hostKey;
    return r;
  }

  /** Runs a plan: phases in order, hosts of a phase in parallel, steps of a host in order. */
  async run(plan: Plan): Promise<void> {
    for (const phase of compactPlan(plan)) {
      const sequences = groupByHost(phase);
      const results = await Promise.allSettled(
        sequences.map(async (seq) => {
          for (const op of seq.operations) await this.runOne(op);
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    }
  }

  private async runOne(op: Operation): Promise<void> {
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
        this.log.step(op.host, op.kind, op.describe, { ok: true, ms: Date.now() - started });
      } catch (err) {
        this.log.step(op.host, op.kind, op.describe, { ok: false, ms: Date.now() - started, code: null, error: "copy failed" });
        throw err;
      }
      return;
    }
    const r = await runOperation(op, this.target(op.connKey), this.pool, this.log);
    this.seenHostKeys[op.connKey] = r.hostKey;
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
  /** What was read, as outputs (shown by `refresh`). */
  observe(spec: Spec, actual: Actual): Record<string, unknown>;
  /** Input changes: which force a replacement, which are updated in place. */
  diff(olds: Spec, news: Spec): { replaces: string[]; changes: string[] };
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
const OUTPUT_KEYS = ["hostKeys", "observed", "inSync", "__provider"] as const;

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

  /** Read, plan, apply until nothing is left to do; returns the last read. */
  const converge = async (spec: Spec, ctx: RunContext, how: { creating: boolean; olds?: Spec }): Promise<Actual> => {
    for (let round = 1; ; round++) {
      const actual = await logic.read(spec, ctx, how.olds);
      const plan = compactPlan(logic.plan(spec, actual, how));
      if (plan.length === 0) {
        ctx.log.info(round === 1 ? "in sync: nothing to do" : "in sync");
        return actual;
      }
      if (round > MAX_ROUNDS) {
        throw new Error(`${logic.kind} ${logic.name(spec)}: still not in sync after ${MAX_ROUNDS} rounds; next steps would be:\n${renderPlan(plan).join("\n")}`);
      }
      for (const line of renderPlan(plan)) ctx.log.info(`plan: ${line}`);
      await ctx.run(plan);
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

  /** Applies, and on failure tells the engine what exists so that the next `up` finishes it. */
  const apply = async (id: string, inputs: Record<string, unknown>, spec: Spec, ctx: RunContext, how: { creating: boolean; olds?: Spec }) => {
    try {
      const actual = await converge(spec, ctx, how);
      return outputs(inputs, spec, actual, ctx, true);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.log.info(`failed: ${message.split("\n")[0]}`);
      // A create refused before any step ran leaves nothing behind: no resource in state either,
      // so fixing the program (say, adopt: true) is a fresh create, not an update of a ghost.
      if (how.creating && ctx.stepsStarted === 0) throw err;
      // The plugin adds the serialized provider to successful outputs only: without it here, the
      // state the engine keeps for a failed create/update could not be deleted or read later.
      const partial = { ...inputsOf(inputs), __provider: inputs.__provider, hostKeys: { ...ctx.seenHostKeys }, observed: {}, inSync: false };
      throw Object.assign(new Error(message), { id, properties: partial, reasons: [message] });
    }
  };

  return {
    async check(olds, news) {
      if (hasUnknown(news)) return { inputs: news };
      const v = logic.validate(inputsOf(news), olds && Object.keys(olds).length > 0 ? inputsOf(olds) : undefined);
      if (!v.ok) return { inputs: news, failures: v.failures.map((f) => ({ property: f.property, reason: f.reason })) };
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
      return { id, outs: await apply(id, inputs, spec, ctx, { creating: true }) };
    },

    async update(id, olds, news) {
      const old = parse(olds);
      const spec = parse(news);
      const ctx = context(spec, "update", olds, old);
      return { outs: await apply(id, news, spec, ctx, { creating: false, olds: old }) };
    },

    async read(id, props) {
      const spec = parse(props);
      const ctx = context(spec, "refresh", props);
      const actual = await logic.read(spec, ctx);
      let inSync: boolean;
      try {
        const pending = compactPlan(logic.plan(spec, actual, { creating: false }));
        inSync = pending.length === 0;
        if (!inSync) ctx.log.info(`drift: the next up would run:\n${renderPlan(pending).join("\n")}`);
      } catch (err) {
        // Refresh reports; it does not act. The next up meets the same error and says what to do.
        inSync = false;
        ctx.log.info(`drift: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { id, props: outputs(props, spec, actual, ctx, inSync) };
    },

    async delete(_id, props) {
      const spec = parse(props);
      const ctx = context(spec, "delete", props);
      const actual = await logic.read(spec, ctx);
      const plan = compactPlan(logic.planDelete(spec, actual));
      for (const line of renderPlan(plan)) ctx.log.info(`plan: ${line}`);
      await ctx.run(plan);
    },
  };
}
