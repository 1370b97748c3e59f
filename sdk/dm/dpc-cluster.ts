import * as pulumi from "@pulumi/pulumi";
import { clusterGraph, type NodeRef, type Topology, type TopologyInstance } from "../../provider/dm/topology";
import { validate } from "../../provider/dm/validate";
import type { Connection } from "../types";
import { BpGroup } from "./bp-group";
import { FaultDomain } from "./fault-domain";
import { Instance } from "./instance";
import { RaftGroup } from "./raft-group";

/** One instance of the topology (documented in provider/dm/topology.ts, which expands it). */
export type DpcInstance = TopologyInstance<pulumi.Input<Connection>>;

/** The whole topology (documented in provider/dm/topology.ts). */
export type DpcClusterArgs = Topology<pulumi.Input<Connection>, pulumi.Input<string>, RaftGroupArgsArchive>;

type RaftGroupArgsArchive = { xmalHbInterval?: number; raftHbInterval?: number; voteIntervalBase?: number; voteIntervalStep?: number; fileSizeMb?: number; spaceLimitMb?: number };

/**
 * A copy with every Output/Promise replaced by a placeholder, so that the topology's structure
 * can be checked now; `unresolved` collects their paths (their values are checked by each
 * resource's own check, once known).
 */
function plain(v: unknown, unresolved: string[], path = ""): unknown {
  if (pulumi.Output.isInstance(v) || v instanceof Promise) {
    unresolved.push(path);
    return "unresolved-value";
  }
  if (Array.isArray(v)) return v.map((x, i) => plain(x, unresolved, `${path}[${i}]`));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, unresolved, path ? `${path}.${k}` : k)]));
  return v;
}

/**
 * A whole DMDPC cluster from one topology: an `Instance` per instance, the MP group, every BP
 * and SP RAFT group, BP groups and fault domains, wired so that Pulumi creates them in the order
 * DM demands (MP first; SP groups after BP groups) and deletes them in reverse (SP, BP, MP).
 */
export class DpcCluster extends pulumi.ComponentResource {
  /** `ip:port` of each SP: the only endpoints clients should use. */
  declare readonly spEndpoints: pulumi.Output<string[]>;
  /** The leader of each RAFT group, by group name. */
  declare readonly leaders: pulumi.Output<Record<string, string | null>>;
  readonly instances: Record<string, Instance> = {};
  readonly raftGroups: Record<string, RaftGroup> = {};

  constructor(name: string, args: DpcClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dbcluster:dm:DpcCluster", name, {}, opts);
    const unresolved: string[] = [];
    const checked = validate("DpcCluster", plain(args, unresolved));
    if (!checked.ok) {
      const real = checked.failures.filter((f) => !unresolved.some((u) => f.path === u || f.path.startsWith(`${u}.`) || f.path.startsWith(`${u}[`)));
      if (real.length > 0) throw new Error(`dm.DpcCluster ${name}: invalid topology:\n${real.map((f) => `  ${f.path}: ${f.rule} (got ${JSON.stringify(f.value)})`).join("\n")}`);
    }
    // The graph is the one the unit tests and the bench plan (provider/dm/topology.ts).
    const made = new Map<string, pulumi.Resource>();
    const key = (r: NodeRef) => `${r.kind}/${r.name}`;
    for (const node of clusterGraph(args)) {
      const childOpts = { parent: this, dependsOn: node.dependsOn.map((r) => made.get(key(r))!) };
      const resourceName = `${name}-${node.name}`;
      let r: pulumi.Resource;
      switch (node.kind) {
        case "Instance":
          r = this.instances[node.name] = new Instance(resourceName, node.args, childOpts);
          break;
        case "RaftGroup":
          r = this.raftGroups[node.name] = new RaftGroup(resourceName, node.args, childOpts);
          break;
        case "BpGroup":
          r = new BpGroup(resourceName, node.args, childOpts);
          break;
        case "FaultDomain":
          r = new FaultDomain(resourceName, node.args, childOpts);
          break;
      }
      made.set(key(node), r);
    }

    const sps = args.instances.filter((i) => i.mode === "SP");
    this.spEndpoints = pulumi.output(sps.map((s) => `${s.ip}:${s.portNum ?? 5236}`));
    const names = Object.keys(this.raftGroups);
    this.leaders = pulumi.all(names.map((g) => this.raftGroups[g].observed)).apply((obs) => Object.fromEntries(names.map((g, i) => [g, obs[i]?.leader ?? null])));
    this.registerOutputs({ spEndpoints: this.spEndpoints, leaders: this.leaders });
  }
}
