/** Deleting a set of resources in reverse dependency order: a resource goes only after everything
 *  in the set that depends on it (as child, dependency, property dependency or provider user). */
import { RunContext } from "./context";
import { isDynamicType, isProviderType, providerRefUrn } from "./urn";
import { ResourceState } from "./state-store";
import { stripMap } from "./values";
import { durationSeconds } from "./limiter";

function referencesOf(r: ResourceState): Set<string> {
  const refs = new Set<string>(r.dependencies);
  if (r.parent) refs.add(r.parent);
  if (r.provider) refs.add(providerRefUrn(r.provider));
  for (const urns of Object.values(r.propertyDependencies ?? {})) urns.forEach((u) => refs.add(u));
  return refs;
}

/** `replaced` marks old copies of create-before-delete replacements: shown, not counted. */
export async function deleteInReverseOrder(ctx: RunContext, targets: ResourceState[], timeouts: Map<string, string> = new Map()): Promise<void> {
  const done = new Map<ResourceState, Promise<boolean>>();
  const dependents = (r: ResourceState) =>
    targets.filter((o) => o !== r && !(o.delete && o.urn === r.urn) && referencesOf(o).has(r.urn));

  const run = (r: ResourceState): Promise<boolean> => {
    let p = done.get(r);
    if (p) return p;
    p = (async () => {
      const okAll = await Promise.all(dependents(r).map(run));
      if (okAll.some((ok) => !ok)) return false;
      return ctx.limiter.run(() => deleteOne(ctx, r, durationSeconds(timeouts.get(r.urn))));
    })();
    done.set(r, p);
    return p;
  };
  // Pending-delete copies first in the list do not wait for the new copies that replaced them.
  await Promise.all(targets.map(run));
}

async function deleteOne(ctx: RunContext, r: ResourceState, timeoutSec: number): Promise<boolean> {
  const replaced = r.delete === true;
  if (r.protect && !replaced) {
    ctx.fail(r.urn, "resource is protected and cannot be deleted; set `protect: false` and run `up` first");
    return false;
  }
  const type = ctx.ref(r.urn).type;
  if (r.retainOnDelete) {
    ctx.step("delete", r.urn, { detail: "retained" }, !replaced);
    if (!ctx.preview) ctx.drop(r);
    return true;
  }
  try {
    if (!ctx.preview && r.custom && isDynamicType(type) && r.id) {
      const plugin = await ctx.plugin();
      await plugin.delete(ctx.ref(r.urn), r.id, stripMap(r.outputs), stripMap(r.inputs), timeoutSec);
    } else if (r.custom && !isDynamicType(type) && !isProviderType(type)) {
      throw new Error(`the lab engine cannot delete resources of type ${type}: it runs only dynamic providers`);
    }
  } catch (e) {
    ctx.fail(r.urn, `deleting failed: ${(e as Error).message}`);
    return false;
  }
  ctx.step("delete", r.urn, replaced ? { detail: "replaced" } : {}, !replaced);
  if (!ctx.preview) ctx.drop(r);
  return true;
}
