/** `refresh`: Read(id, old outputs, old inputs) for every dynamic resource; an empty id means the
 *  object is gone, so it leaves the state; changed outputs are drift and are recorded; a
 *  successful Read clears the resource's initialization errors. */
import { RunContext } from "./context";
import { ResourceState } from "./state-store";
import { isDynamicType } from "./urn";
import { changedKeys, containsSecret, PropertyMap, remarkSecrets, secret, stripMap } from "./values";

/** A key read back stays secret when it was secret before, in inputs or outputs. */
function remark(read: PropertyMap, old: ResourceState): PropertyMap {
  const marked = remarkSecrets(read, old.inputs, old.additionalSecretOutputs);
  for (const k of Object.keys(marked)) if (k in old.outputs && containsSecret(old.outputs[k])) marked[k] = secret(marked[k]);
  return marked;
}

export async function refreshAll(ctx: RunContext): Promise<void> {
  const targets = ctx.state.resources.filter((r) => !r.delete);
  await Promise.all(targets.map((r) => (r.custom && isDynamicType(r.type) && r.id ? ctx.limiter.run(() => refreshOne(ctx, r)) : ctx.step("same", r.urn))));
}

async function refreshOne(ctx: RunContext, old: ResourceState): Promise<void> {
  try {
    const plugin = await ctx.plugin();
    const got = await plugin.read(ctx.ref(old.urn), old.id!, stripMap(old.outputs), stripMap(old.inputs));
    if (!got.id) {
      ctx.step("delete", old.urn, { detail: "gone: the object no longer exists, dropped from state" });
      if (!ctx.preview) ctx.drop(old);
      return;
    }
    const outputs = remark(got.outputs, old);
    const inputs = got.inputs ? remarkSecrets(got.inputs, old.inputs) : old.inputs;
    const keys = changedKeys(old.outputs, outputs, ["__provider"]);
    // A Read that succeeds clears "initialization failed", as the real engine's RefreshStep does
    // (it keeps only the init errors the Read itself reports): the next up then follows Diff.
    const { initErrors: _cleared, ...kept } = old;
    if (!ctx.preview) ctx.put({ ...kept, id: got.id, outputs, inputs }, old);
    ctx.step(keys.length ? "update" : "same", old.urn, keys.length ? { keys, detail: "refreshed" } : {});
  } catch (e) {
    ctx.fail(old.urn, `reading failed: ${(e as Error).message}`);
  }
}
