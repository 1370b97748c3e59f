import * as pulumi from "@pulumi/pulumi";

/**
 * The dynamic provider handed to Pulumi for every resource of this package.
 *
 * Pulumi serializes this object into each resource's state and evaluates it in its
 * dynamic-provider plugin. Anything captured here is frozen into state, so the methods capture
 * only the resource kind and load the real implementation by package name at call time: the
 * plugin resolves `pulumi-dbcluster` from the program's node_modules, so Read and Delete of old
 * resources run the installed version of the provider instead of an old copy of it.
 *
 * One object per kind: Pulumi caches a provider's serialization by object identity, and
 * serializing costs about 0.1 s of CPU, which a fresh object per resource paid again for every
 * resource of a large cluster on every `up` (97 resources: ~10 s). The text is the same either way.
 */
const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

export function dynamicProvider(kind: string): pulumi.dynamic.ResourceProvider {
  let p = providers.get(kind);
  if (!p) {
    p = makeProvider(kind);
    providers.set(kind, p);
  }
  return p;
}

function makeProvider(kind: string): pulumi.dynamic.ResourceProvider {
  const load = () =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("pulumi-dbcluster/provider/dispatch").handlerFor(kind) as pulumi.dynamic.ResourceProvider;
  return {
    check: (olds, news) => load().check!(olds, news),
    diff: (id, olds, news) => load().diff!(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read!(id, props),
    update: (id, olds, news) => load().update!(id, olds, news),
    delete: (id, props) => load().delete!(id, props),
  };
}
