/** The step generator and executor of `up` and `preview`: turns each RegisterResource into a
 *  create, same, update or replace (calling the plugin as the Go engine does), and after the
 *  program ends deletes what it no longer registers. */
import * as crypto from "crypto";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { RunContext } from "./context";
import { deleteInReverseOrder } from "./deletes";
import { MonitorHandlers, RegisterResult } from "./grpc-server";
import { durationSeconds } from "./limiter";
import { InitFailedError } from "./plugin-host";
import { LogEvent } from "./printer";
import { ResourceState } from "./state-store";
import { defaultProviderUrn, isDynamicType, isProviderType, makeUrn, providerRefUrn } from "./urn";
import { applyIgnoreChanges, changedKeys, containsSecret, PropertyMap, remarkSecrets, stripMap } from "./values";

const PROVIDER_KEY = "__provider";

interface Goal {
  urn: string;
  type: string;
  custom: boolean;
  inputs: PropertyMap;
  parent?: string;
  provider?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
  additionalSecretOutputs: string[];
  timeouts: { create: number; update: number; delete: number };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class Deployment implements MonitorHandlers {
  /** Completion of each URN registered in this run; dependents wait on it. */
  private readonly registered = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly deleteTimeouts = new Map<string, string>();
  private defaultProvider?: Promise<string>;

  constructor(
    private readonly ctx: RunContext,
    private readonly onLog: (e: LogEvent) => void,
  ) {}

  log(e: LogEvent): void {
    this.onLog(e);
  }

  registerResource(req: resproto.RegisterResourceRequest): Promise<RegisterResult> {
    const p = this.register(req);
    this.inFlight.add(p);
    p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  async registerResourceOutputs(urn: string, outputs: PropertyMap): Promise<void> {
    await this.registered.get(urn);
    const rec = this.ctx.live(urn);
    if (!rec) throw new Error(`RegisterResourceOutputs for unknown resource ${urn}`);
    if (containsSecret(outputs)) this.ctx.o.requireSecrets();
    // A preview keeps unknowns in stack outputs; they are shown, never saved.
    this.ctx.put({ ...rec, outputs }, rec);
  }

  /** Waits for every registration still running (a failed program may leave some behind). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** After a successful program: delete what it no longer registers, and replaced old copies. */
  async deleteUnregistered(): Promise<void> {
    const targets = this.ctx.state.resources.filter((r) => r.delete || !this.registered.has(r.urn));
    await deleteInReverseOrder(this.ctx, targets, this.deleteTimeouts);
  }

  private async register(req: resproto.RegisterResourceRequest): Promise<RegisterResult> {
    const goal = this.goalOf(req);
    if (this.registered.has(goal.urn)) throw new Error(`duplicate resource URN ${goal.urn}`);
    const gate = deferred();
    this.registered.set(goal.urn, gate.promise);
    try {
      if (req.getRemote()) throw new Error("multi-language components are not supported by the lab engine");
      if (req.getImportid()) throw new Error("import is not supported for dynamic resources (see pulumi-engine.md)");
      await this.waitForDependencies(goal);
      if (goal.custom && !isProviderType(goal.type) && !goal.provider) {
        if (!isDynamicType(goal.type)) {
          throw new Error(`resource type ${goal.type} needs a provider plugin; the lab engine runs only dynamic providers`);
        }
        goal.provider = await this.ensureDefaultProvider();
      }
      // Refuse before any provider call rather than after an object exists that cannot be recorded.
      if (containsSecret(goal.inputs) || goal.additionalSecretOutputs.length) this.ctx.o.requireSecrets();
      const old = this.ctx.live(goal.urn);
      const result = !goal.custom || isProviderType(goal.type) ? this.stepWithoutPlugin(goal, old) : await this.ctx.limiter.run(() => this.stepDynamic(goal, old));
      return { ...result, propertyDependencies: goal.propertyDependencies };
    } catch (e) {
      this.ctx.fail(goal.urn, (e as Error).message);
      throw e;
    } finally {
      gate.resolve();
    }
  }

  private goalOf(req: resproto.RegisterResourceRequest): Goal {
    const { project, stack } = this.ctx.o;
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
    const t = req.getCustomtimeouts();
    if (t?.getDelete()) this.deleteTimeouts.set(makeUrn(stack, project, req.getParent(), req.getType(), req.getName()), t.getDelete());
    return {
      urn: makeUrn(stack, project, req.getParent(), req.getType(), req.getName()),
      type: req.getType(),
      custom: req.getCustom(),
      inputs: (req.getObject()?.toJavaScript() ?? {}) as PropertyMap,
      parent: req.getParent() || undefined,
      provider: req.getProvider() || undefined,
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      ignoreChanges: req.getIgnorechangesList(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      timeouts: { create: durationSeconds(t?.getCreate()), update: durationSeconds(t?.getUpdate()), delete: durationSeconds(t?.getDelete()) },
    };
  }

  private async waitForDependencies(g: Goal): Promise<void> {
    const urns = new Set([...g.dependencies, ...Object.values(g.propertyDependencies).flat()]);
    if (g.parent) urns.add(g.parent);
    if (g.provider) urns.add(providerRefUrn(g.provider));
    await Promise.all([...urns].map((u) => this.registered.get(u)));
  }

  private ensureDefaultProvider(): Promise<string> {
    return (this.defaultProvider ??= (async () => {
      const urn = defaultProviderUrn(this.ctx.o.stack, this.ctx.o.project);
      const old = this.ctx.live(urn);
      const id = old?.id ?? crypto.randomUUID();
      this.ctx.put({ ...this.record({ urn, type: "pulumi:providers:pulumi-nodejs", custom: true, inputs: {}, dependencies: [], propertyDependencies: {}, protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], additionalSecretOutputs: [], timeouts: { create: 0, update: 0, delete: 0 } }, {}), id }, old);
      this.registered.set(urn, Promise.resolve());
      return `${urn}::${id}`;
    })());
  }

  private record(g: Goal, outputs: PropertyMap, id?: string): ResourceState {
    const r: ResourceState = { urn: g.urn, type: g.type, custom: g.custom, inputs: g.inputs, outputs, dependencies: g.dependencies };
    if (id) r.id = id;
    if (g.parent) r.parent = g.parent;
    if (g.provider) r.provider = g.provider;
    if (Object.keys(g.propertyDependencies).length) r.propertyDependencies = g.propertyDependencies;
    if (g.protect) r.protect = true;
    if (g.retainOnDelete) r.retainOnDelete = true;
    if (g.deleteBeforeReplace) r.deleteBeforeReplace = true;
    if (g.additionalSecretOutputs.length) r.additionalSecretOutputs = g.additionalSecretOutputs;
    return r;
  }

  /** The stack, components and explicit providers: recorded, never sent to a plugin. */
  private stepWithoutPlugin(g: Goal, old: ResourceState | undefined): Omit<RegisterResult, "propertyDependencies"> {
    if (g.custom && !g.type.startsWith("pulumi:providers:pulumi-nodejs")) {
      throw new Error(`provider ${g.type} is not available in the lab engine (only pulumi-nodejs dynamic providers)`);
    }
    const id = g.custom ? (old?.id ?? crypto.randomUUID()) : undefined;
    const outputs = g.custom ? g.inputs : (old?.outputs ?? {});
    this.ctx.put(this.record(g, outputs, id), old);
    this.ctx.step(old ? "same" : "create", g.urn);
    return { urn: g.urn, id: id ?? "", outputs };
  }

  private async stepDynamic(g: Goal, old: ResourceState | undefined): Promise<Omit<RegisterResult, "propertyDependencies">> {
    const ctx = this.ctx;
    const plugin = await ctx.plugin();
    const ref = ctx.ref(g.urn);
    const news = old ? applyIgnoreChanges(old.inputs, g.inputs, g.ignoreChanges) : g.inputs;
    const check = await plugin.check(ref, old ? stripMap(old.inputs) : {}, stripMap(news));
    if (check.failures.length) {
      throw new Error(`invalid inputs: ${check.failures.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason)).join("; ")}`);
    }
    const inputs = remarkSecrets(check.inputs, news);
    const goal = { ...g, inputs };
    const marked = (outs: PropertyMap) => remarkSecrets(outs, inputs, g.additionalSecretOutputs);

    if (!old) return this.create(goal, marked);

    const diff = await plugin.diff(ref, old.id ?? "", stripMap(old.outputs), stripMap(inputs), stripMap(old.inputs), g.ignoreChanges);
    const keys = changedKeys(old.inputs, inputs, [PROVIDER_KEY]);
    const changed = diff.changes === "some" || (diff.changes === "unknown" && keys.length > 0) || (old.initErrors?.length ?? 0) > 0;
    if (diff.replaces.length) {
      if (old.protect) throw new Error(`resource is protected and cannot be replaced (changes to ${diff.replaces.join(", ")}); set \`protect: false\` first`);
      return this.replace(goal, old, diff.replaces, diff.deleteBeforeReplace || g.deleteBeforeReplace, marked);
    }
    if (!changed) {
      ctx.put({ ...this.record(goal, old.outputs, old.id), ...(old.initErrors ? { initErrors: old.initErrors } : {}) }, old);
      ctx.step("same", g.urn);
      return { urn: g.urn, id: old.id ?? "", outputs: old.outputs };
    }
    const shown = keys.length ? keys : old.initErrors?.length ? ["(initialization errors)"] : [];
    if (ctx.preview) {
      ctx.step("update", g.urn, { keys: shown });
      return { urn: g.urn, id: old.id ?? "", outputs: inputs };
    }
    try {
      const outs = await plugin.update(ref, old.id ?? "", stripMap(old.outputs), stripMap(inputs), stripMap(old.inputs), g.ignoreChanges, g.timeouts.update);
      const outputs = marked(outs);
      ctx.put(this.record(goal, outputs, old.id), old);
      ctx.step("update", g.urn, { keys: shown });
      return { urn: g.urn, id: old.id ?? "", outputs };
    } catch (e) {
      if (e instanceof InitFailedError) ctx.put({ ...this.record(goal, marked(e.outputs), old.id), initErrors: e.reasons }, old);
      throw e;
    }
  }

  /** `replacing`: the step is part of a replace, which prints its own line. */
  private async create(g: Goal, marked: (o: PropertyMap) => PropertyMap, replacing = false): Promise<Omit<RegisterResult, "propertyDependencies">> {
    const ctx = this.ctx;
    if (ctx.preview) {
      ctx.step("create", g.urn);
      return { urn: g.urn, id: "", outputs: g.inputs };
    }
    const plugin = await ctx.plugin();
    try {
      const { id, outputs } = await plugin.create(ctx.ref(g.urn), stripMap(g.inputs), g.timeouts.create);
      if (!id) throw new Error("provider returned an empty id from create");
      const rec = this.record(g, marked(outputs), id);
      ctx.put(rec);
      if (!replacing) ctx.step("create", g.urn);
      return { urn: g.urn, id, outputs: rec.outputs };
    } catch (e) {
      if (e instanceof InitFailedError) {
        ctx.put({ ...this.record(g, marked(e.outputs), e.id), initErrors: e.reasons });
        throw new Error(`${e.message} (the resource was created but failed to initialize: ${e.reasons.join("; ") || "no reason given"}); the next up will update it`);
      }
      throw e;
    }
  }

  private async replace(g: Goal, old: ResourceState, replaces: string[], deleteFirst: boolean, marked: (o: PropertyMap) => PropertyMap) {
    const ctx = this.ctx;
    const detail = deleteFirst ? "delete-before-replace" : undefined;
    if (ctx.preview) {
      ctx.step("replace", g.urn, { keys: replaces, detail });
      return { urn: g.urn, id: "", outputs: g.inputs };
    }
    if (deleteFirst) {
      if (old.retainOnDelete) {
        ctx.drop(old);
      } else {
        const plugin = await ctx.plugin();
        await plugin.delete(ctx.ref(old.urn), old.id ?? "", stripMap(old.outputs), stripMap(old.inputs), g.timeouts.delete);
        ctx.drop(old);
      }
      const r = await this.create(g, marked, true);
      ctx.step("replace", g.urn, { keys: replaces, detail });
      return r;
    }
    // Create first; the old copy stays in state marked for deletion until the delete phase.
    old.delete = true;
    ctx.commit();
    const r = await this.create(g, marked, true);
    ctx.step("replace", g.urn, { keys: replaces });
    return r;
  }
}
