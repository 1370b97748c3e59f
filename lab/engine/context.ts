/** What every step of one run shares: the live state (saved after each step), the plugin (started
 *  once, on first need), the parallelism cap, the event sink and the tally of steps. */
import { Limiter } from "./limiter";
import { PluginHost, ResourceRef } from "./plugin-host";
import { EventSink, StepEvent, StepOp, Summary } from "./printer";
import { ResourceState, StackState, StateStore } from "./state-store";
import { isProviderType, qualifiedType, urnName } from "./urn";

export interface RunContextOptions {
  project: string;
  stack: string;
  preview: boolean;
  emit: EventSink;
  /** Absent in preview: a preview never writes state. */
  store?: StateStore;
  state: StackState;
  parallel: number;
  startPlugin: () => Promise<PluginHost>;
  /** Throws unless secrets can be encrypted (a passphrase is set and right). */
  requireSecrets: () => void;
}

export class RunContext {
  readonly summary: Summary = { create: 0, update: 0, delete: 0, replace: 0, same: 0 };
  readonly errors: string[] = [];
  readonly limiter: Limiter;
  private pluginPromise?: Promise<PluginHost>;

  constructor(readonly o: RunContextOptions) {
    this.limiter = new Limiter(o.parallel);
  }

  get preview(): boolean {
    return this.o.preview;
  }

  get state(): StackState {
    return this.o.state;
  }

  plugin(): Promise<PluginHost> {
    return (this.pluginPromise ??= this.o.startPlugin());
  }

  async stopPlugin(): Promise<void> {
    if (!this.pluginPromise) return;
    const p = await this.pluginPromise.catch(() => undefined);
    await p?.stop();
  }

  commit(): void {
    if (!this.o.preview) this.o.store?.save(this.o.state);
  }

  /** The live (not pending-delete) record of a URN. */
  live(urn: string): ResourceState | undefined {
    return this.o.state.resources.find((r) => r.urn === urn && !r.delete);
  }

  /** Replaces `old` in place (keeping dependency order) or appends a new record, then saves. */
  put(rec: ResourceState, old?: ResourceState): void {
    const list = this.o.state.resources;
    const i = old ? list.indexOf(old) : -1;
    if (i >= 0) list[i] = rec;
    else list.push(rec);
    this.commit();
  }

  drop(rec: ResourceState): void {
    const list = this.o.state.resources;
    const i = list.indexOf(rec);
    if (i >= 0) list.splice(i, 1);
    this.commit();
  }

  /** Emits a step and counts it; providers are plumbing and stay out of the tally, as in the CLI. */
  step(op: StepOp, urn: string, extra: Partial<StepEvent> = {}, counted = true): void {
    const type = qualifiedType(urn).split("$").pop()!;
    if (isProviderType(type)) return;
    if (counted && op !== "read") this.summary[op]++;
    this.o.emit({ step: { op, urn, type, name: urnName(urn), preview: this.o.preview, ...extra } });
  }

  fail(urn: string | undefined, message: string): void {
    this.errors.push(urn ? `${urn}: ${message}` : message);
    this.o.emit({ diag: { severity: "error", message, urn } });
  }

  ref(urn: string): ResourceRef {
    return { urn, type: qualifiedType(urn).split("$").pop()!, name: urnName(urn) };
  }
}
