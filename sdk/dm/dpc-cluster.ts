import * as pulumi from "@pulumi/pulumi";
import { clusterGraph, type NodeRef } from "../../provider/dm/topology";
import { validate } from "../../provider/dm/validate";
import type { Connection } from "../types";
import { BpGroup } from "./bp-group";
import { FaultDomain } from "./fault-domain";
import { Instance } from "./instance";
import { RaftGroup } from "./raft-group";

/** One instance of the topology. Structural fields (name, mode, groups) must be plain values. */
export interface DpcInstance {
  /** INSTANCE_NAME (at most 16 characters). */
  readonly name: string;
  readonly mode: "MP" | "SP" | "BP";
  readonly connection: pulumi.Input<Connection>;
  /** Base directory (`dminit PATH=`). */
  readonly path: string;
  /** @default "DAMENG" */
  readonly dbName?: string;
  /** IP_INTERNAL. */
  readonly ip: string;
  /** IP_EXTERNAL. @default ip */
  readonly ipExternal?: string;
  /** @default 5236 */
  readonly portNum?: number;
  readonly apPortNum: number;
  /** For an MP: its mp_port. @default 9000 */
  readonly mpPort?: number;
  /** @default 8 */
  readonly pageSize?: 4 | 8 | 16 | 32;
  /** @default 16 */
  readonly extentSize?: 16 | 32 | 64;
  /** @default 0 */
  readonly charset?: 0 | 1 | 2;
  /** @default true */
  readonly caseSensitive?: boolean;
  /** Extra dm.ini parameters. @default {} */
  readonly dmIni?: Record<string, string | number>;
  /** @default the tools on the host's PATH */
  readonly dmHome?: string;
  /** Registration DESCRIPTION. @default "<mode> instance" */
  readonly description?: string;
  /**
   * Remove this instance's database directory when it is deleted, over the cluster's
   * `deleteData`. Like the cluster's, it acts on a later delete: set it in one `up`, remove the
   * instance in the next. @default the cluster's deleteData
   */
  readonly deleteData?: boolean;
}

export interface DpcClusterArgs {
  /** SYSDBA's password for every instance (9 to 48 characters, no `"`). Pass it as a secret. */
  readonly sysdbaPassword: pulumi.Input<string>;
  /** Every instance; the MPs, in order, form the MP group (MP_RAFT). */
  readonly instances: DpcInstance[];
  /** SP and BP RAFT groups. */
  readonly rafts: { name: string; role: "SP" | "BP"; members: string[]; shadows?: string[] }[];
  /** Shadow replicas among the MPs. @default [] */
  readonly mpShadows?: string[];
  /** BP groups. @default [] */
  readonly bpGroups?: { name: string; description?: string; rafts: string[] }[];
  /** Fault domains (MP and BP instances only). @default [] */
  readonly faultDomains?: { name: string; description?: string; instances: string[] }[];
  /** dmarch.ini timings. @default the seed's */
  readonly archive?: RaftGroupArgsArchive;
  /** Remove database directories (and data-holding groups) on delete. @default false */
  readonly deleteData?: boolean;
  /** Take over existing databases that match instead of refusing. @default false */
  readonly adopt?: boolean;
}

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
      const opts = { parent: this, dependsOn: node.dependsOn.map((r) => made.get(key(r))!) };
      const resourceName = `${name}-${node.name}`;
      let r: pulumi.Resource;
      switch (node.kind) {
        case "Instance":
          r = this.instances[node.name] = new Instance(resourceName, node.args, opts);
          break;
        case "RaftGroup":
          r = this.raftGroups[node.name] = new RaftGroup(resourceName, node.args, opts);
          break;
        case "BpGroup":
          r = new BpGroup(resourceName, node.args, opts);
          break;
        case "FaultDomain":
          r = new FaultDomain(resourceName, node.args, opts);
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
