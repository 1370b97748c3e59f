import * as pulumi from "@pulumi/pulumi";
import { validate } from "../../provider/dm/validate";
import type { Connection } from "../types";
import { BpGroup } from "./bp-group";
import { FaultDomain } from "./fault-domain";
import { Instance } from "./instance";
import { RaftGroup, type MpLogin, type RaftMember } from "./raft-group";

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
    const child = { parent: this };
    const pw = args.sysdbaPassword;
    const byName = new Map(args.instances.map((i) => [i.name.toUpperCase(), i]));
    const mps = args.instances.filter((i) => i.mode === "MP");
    const mpNodes = mps.map((m) => ({ host: m.ip, port: m.mpPort ?? 9000 }));

    for (const i of args.instances) {
      const { description: _d, deleteData, ...rest } = i;
      this.instances[i.name] = new Instance(`${name}-${i.name}`, { ...rest, sysdbaPassword: pw, mpNodes, deleteData: deleteData ?? args.deleteData, adopt: args.adopt }, child);
    }
    const member = (n: string, shadows: readonly string[] = []): RaftMember => {
      const i = byName.get(n.toUpperCase())!;
      return {
        name: i.name, mode: i.mode, connection: i.connection, path: i.path, dbName: i.dbName, ip: i.ip,
        ipExternal: i.ipExternal, portNum: i.portNum, apPortNum: i.apPortNum, dmHome: i.dmHome, description: i.description,
        shadow: shadows.some((s) => s.toUpperCase() === n.toUpperCase()),
        pageSize: i.pageSize, extentSize: i.extentSize, charset: i.charset, caseSensitive: i.caseSensitive,
      };
    };
    const instancesOf = (names: readonly string[]) => names.map((n) => this.instances[byName.get(n.toUpperCase())!.name]);
    const mp: MpLogin[] = mps.map((m) => ({ name: m.name, connection: m.connection, ip: m.ip, portNum: m.portNum ?? 5236, dmHome: m.dmHome }));
    const group = (g: string, role: "MP" | "SP" | "BP", members: RaftMember[], dependsOn: pulumi.Resource[]) =>
      new RaftGroup(`${name}-${g}`, { name: g, role, members, mp: role === "MP" ? [] : mp, sysdbaPassword: pw, archive: args.archive }, { ...child, dependsOn });

    const mpGroup = group("MP_RAFT", "MP", mps.map((m) => member(m.name, args.mpShadows)), instancesOf(mps.map((m) => m.name)));
    this.raftGroups.MP_RAFT = mpGroup;
    const bpRafts = args.rafts.filter((r) => r.role === "BP");
    for (const r of bpRafts) this.raftGroups[r.name] = group(r.name, "BP", r.members.map((m) => member(m, r.shadows)), [mpGroup, ...instancesOf(r.members)]);
    // BP groups and fault domains change one after the other: moving a RAFT group (an instance)
    // from one to another is a delete in one and an add in the other, and each resource plans
    // from the catalog it read, so two running at once could undo each other's move. A BP group
    // also depends on the MP group: with no RAFT group yet it still needs a running MP to log into.
    const bpGroupResources: BpGroup[] = [];
    for (const g of args.bpGroups ?? []) {
      const previous = bpGroupResources.slice(-1);
      bpGroupResources.push(new BpGroup(`${name}-${g.name}`, { name: g.name, description: g.description, rafts: g.rafts, mp, sysdbaPassword: pw }, { ...child, dependsOn: [mpGroup, ...g.rafts.map((r) => this.raftGroups[r]).filter(Boolean), ...previous] }));
    }
    // SP groups come after every BP group and BP group object, so that a destroy stops SPs first.
    for (const r of args.rafts.filter((x) => x.role === "SP"))
      this.raftGroups[r.name] = group(r.name, "SP", r.members.map((m) => member(m, r.shadows)), [mpGroup, ...bpRafts.map((b) => this.raftGroups[b.name]), ...bpGroupResources, ...instancesOf(r.members)]);
    // In the order listed, too: DM numbers fault domains in creation order (DOMAIN_ID, and
    // INFO1 = DOMAIN_ID << 16), so the catalog comes out as the seed lists it.
    let previousDomain: FaultDomain | undefined;
    for (const d of args.faultDomains ?? [])
      previousDomain = new FaultDomain(`${name}-${d.name}`, { name: d.name, description: d.description, instances: d.instances, mp, sysdbaPassword: pw }, { ...child, dependsOn: [...Object.values(this.raftGroups), ...(previousDomain ? [previousDomain] : [])] });

    const sps = args.instances.filter((i) => i.mode === "SP");
    this.spEndpoints = pulumi.output(sps.map((s) => `${s.ip}:${s.portNum ?? 5236}`));
    const names = Object.keys(this.raftGroups);
    this.leaders = pulumi.all(names.map((g) => this.raftGroups[g].observed)).apply((obs) => Object.fromEntries(names.map((g, i) => [g, obs[i]?.leader ?? null])));
    this.registerOutputs({ spEndpoints: this.spEndpoints, leaders: this.leaders });
  }
}
