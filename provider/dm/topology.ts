/**
 * The DpcCluster topology expanded into its resource graph: one node per Instance, RaftGroup,
 * BpGroup and FaultDomain, with the inputs it gets and the nodes it waits for. `DpcCluster`
 * registers exactly these nodes; the unit tests and the bench plan the same ones, so what is
 * tested is what ships.
 *
 * Pure and generic over how the connection and the password are carried (the SDK passes
 * `pulumi.Input`s, the tests plain values); fields left out stay left out, so each resource's
 * own check fills the defaults, as it does for a resource declared alone.
 */
import { DEFAULTS } from "./defaults";
import type { BpGroupSpec, FaultDomainSpec, InstanceSpec, RaftGroupSpec } from "./schema";
import { describeFailures, validate } from "./validate";

/**
 * One instance of a topology, as `DpcCluster` takes it (`C`: how its connection is given).
 * Structural fields (name, mode, groups) must be plain values.
 */
export interface TopologyInstance<C> {
  /** INSTANCE_NAME (at most 16 characters). */
  readonly name: string;
  readonly mode: "MP" | "SP" | "BP";
  readonly connection: C;
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

/** A whole cluster (`P`: how the password is given, `A`: the archive settings). */
export interface Topology<C, P, A = object> {
  /** SYSDBA's password for every instance (9 to 48 characters, no `"`). Pass it as a secret. */
  readonly sysdbaPassword: P;
  /** Every instance; the MPs, in order, form the MP group (MP_RAFT). */
  readonly instances: readonly TopologyInstance<C>[];
  /** SP and BP RAFT groups. */
  readonly rafts: readonly { readonly name: string; readonly role: "SP" | "BP"; readonly members: readonly string[]; readonly shadows?: readonly string[] }[];
  /** Shadow replicas among the MPs. @default [] */
  readonly mpShadows?: readonly string[];
  /** BP groups. @default [] */
  readonly bpGroups?: readonly { readonly name: string; readonly description?: string; readonly rafts: readonly string[] }[];
  /** Fault domains (MP and BP instances only). @default [] */
  readonly faultDomains?: readonly { readonly name: string; readonly description?: string; readonly instances: readonly string[] }[];
  /** dmarch.ini timings. @default the seed's */
  readonly archive?: A;
  /** Remove database directories (and data-holding groups) on delete. @default false */
  readonly deleteData?: boolean;
  /** Take over existing databases that match instead of refusing. @default false */
  readonly adopt?: boolean;
}

export interface MpLoginArgs<C> {
  readonly name: string;
  readonly connection: C;
  readonly ip: string;
  readonly portNum: number;
  readonly dmHome?: string;
}

export type InstanceNodeArgs<C, P> = Omit<TopologyInstance<C>, "description" | "deleteData"> & {
  readonly sysdbaPassword: P;
  readonly mpNodes: { host: string; port: number }[];
  readonly deleteData?: boolean;
  readonly adopt?: boolean;
};

export type GraphMember<C> = Pick<
  TopologyInstance<C>,
  "name" | "mode" | "connection" | "path" | "dbName" | "ip" | "ipExternal" | "portNum" | "apPortNum" | "mpPort" | "dmHome" | "description" | "pageSize" | "extentSize" | "charset" | "caseSensitive"
> & { readonly shadow: boolean };

export interface RaftGroupNodeArgs<C, P, A = object> {
  readonly name: string;
  readonly role: "MP" | "SP" | "BP";
  readonly members: GraphMember<C>[];
  readonly mp: MpLoginArgs<C>[];
  readonly sysdbaPassword: P;
  readonly archive?: A;
}

export interface BpGroupNodeArgs<C, P> {
  readonly name: string;
  readonly description?: string;
  readonly rafts: string[];
  readonly mp: MpLoginArgs<C>[];
  readonly sysdbaPassword: P;
}

export interface FaultDomainNodeArgs<C, P> {
  readonly name: string;
  readonly description?: string;
  readonly instances: string[];
  readonly mp: MpLoginArgs<C>[];
  readonly sysdbaPassword: P;
}

export type NodeKind = "Instance" | "RaftGroup" | "BpGroup" | "FaultDomain";
export interface NodeRef {
  readonly kind: NodeKind;
  readonly name: string;
}

export type ClusterNode<C, P, A = object> =
  | { readonly kind: "Instance"; readonly name: string; readonly args: InstanceNodeArgs<C, P>; readonly dependsOn: NodeRef[] }
  | { readonly kind: "RaftGroup"; readonly name: string; readonly args: RaftGroupNodeArgs<C, P, A>; readonly dependsOn: NodeRef[] }
  | { readonly kind: "BpGroup"; readonly name: string; readonly args: BpGroupNodeArgs<C, P>; readonly dependsOn: NodeRef[] }
  | { readonly kind: "FaultDomain"; readonly name: string; readonly args: FaultDomainNodeArgs<C, P>; readonly dependsOn: NodeRef[] };

const same = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

/**
 * The nodes in creation order (each after everything it depends on): instances; the MP group;
 * BP RAFT groups; BP groups; SP RAFT groups (after every BP group and BP group object, so that a
 * destroy stops SPs first, then BPs, then the MPs); fault domains. Expects a topology `validate`
 * accepted (every name it refers to exists).
 */
export function clusterGraph<C, P, A = object>(t: Topology<C, P, A>): ClusterNode<C, P, A>[] {
  const byName = (n: string) => {
    const i = t.instances.find((x) => same(x.name, n));
    if (!i) throw new Error(`topology names no instance ${n}`);
    return i;
  };
  const instanceRefs = (names: readonly string[]): NodeRef[] => names.map((n) => ({ kind: "Instance", name: byName(n).name }));
  const raftRef = (name: string): NodeRef => ({ kind: "RaftGroup", name });
  const mps = t.instances.filter((i) => i.mode === "MP");
  const mpNodes = mps.map((m) => ({ host: m.ip, port: m.mpPort ?? DEFAULTS.mpPort }));
  const mp: MpLoginArgs<C>[] = mps.map((m) => ({ name: m.name, connection: m.connection, ip: m.ip, portNum: m.portNum ?? DEFAULTS.portNum, dmHome: m.dmHome }));
  const member = (n: string, shadows: readonly string[] = []): GraphMember<C> => {
    const i = byName(n);
    return {
      name: i.name, mode: i.mode, connection: i.connection, path: i.path, dbName: i.dbName, ip: i.ip,
      // mpPort: the group's check refuses two members binding one port, mp_port included.
      ipExternal: i.ipExternal, portNum: i.portNum, apPortNum: i.apPortNum, mpPort: i.mpPort, dmHome: i.dmHome, description: i.description,
      shadow: shadows.some((s) => same(s, n)),
      pageSize: i.pageSize, extentSize: i.extentSize, charset: i.charset, caseSensitive: i.caseSensitive,
    };
  };
  const group = (name: string, role: "MP" | "SP" | "BP", members: GraphMember<C>[]): RaftGroupNodeArgs<C, P, A> => ({
    name, role, members, mp: role === "MP" ? [] : mp, sysdbaPassword: t.sysdbaPassword, archive: t.archive,
  });

  const nodes: ClusterNode<C, P, A>[] = t.instances.map(({ description: _d, deleteData, ...i }) => ({
    kind: "Instance" as const,
    name: i.name,
    args: { ...i, sysdbaPassword: t.sysdbaPassword, mpNodes, deleteData: deleteData ?? t.deleteData, adopt: t.adopt },
    dependsOn: [],
  }));
  const mpRaft = raftRef(DEFAULTS.mpRaftName);
  nodes.push({ kind: "RaftGroup", name: mpRaft.name, args: group(mpRaft.name, "MP", mps.map((m) => member(m.name, t.mpShadows))), dependsOn: instanceRefs(mps.map((m) => m.name)) });
  const bpRafts = t.rafts.filter((r) => r.role === "BP");
  for (const r of bpRafts) nodes.push({ kind: "RaftGroup", name: r.name, args: group(r.name, "BP", r.members.map((m) => member(m, r.shadows))), dependsOn: [mpRaft, ...instanceRefs(r.members)] });

  // BP groups and fault domains change one after the other: moving a RAFT group (an instance)
  // from one to another is a delete in one and an add in the other, and each resource plans
  // from the catalog it read, so two running at once could undo each other's move. A BP group
  // also depends on the MP group: with no RAFT group yet it still needs a running MP to log into.
  const bpGroups: NodeRef[] = [];
  for (const g of t.bpGroups ?? []) {
    const own = g.rafts.filter((r) => bpRafts.some((b) => b.name === r)).map(raftRef);
    nodes.push({ kind: "BpGroup", name: g.name, args: { name: g.name, description: g.description, rafts: [...g.rafts], mp, sysdbaPassword: t.sysdbaPassword }, dependsOn: [mpRaft, ...own, ...bpGroups.slice(-1)] });
    bpGroups.push({ kind: "BpGroup", name: g.name });
  }
  const spRafts = t.rafts.filter((r) => r.role === "SP");
  for (const r of spRafts)
    nodes.push({ kind: "RaftGroup", name: r.name, args: group(r.name, "SP", r.members.map((m) => member(m, r.shadows))), dependsOn: [mpRaft, ...bpRafts.map((b) => raftRef(b.name)), ...bpGroups, ...instanceRefs(r.members)] });

  // In the order listed, too: DM numbers fault domains in creation order (DOMAIN_ID, and
  // INFO1 = DOMAIN_ID << 16), so the catalog comes out as the seed lists it.
  const allRafts = [mpRaft, ...bpRafts.map((b) => raftRef(b.name)), ...spRafts.map((s) => raftRef(s.name))];
  let previous: NodeRef | undefined;
  for (const d of t.faultDomains ?? []) {
    nodes.push({ kind: "FaultDomain", name: d.name, args: { name: d.name, description: d.description, instances: [...d.instances], mp, sysdbaPassword: t.sysdbaPassword }, dependsOn: [...allRafts, ...(previous ? [previous] : [])] });
    previous = { kind: "FaultDomain", name: d.name };
  }
  return nodes;
}

export type ClusterStep =
  | { readonly kind: "Instance"; readonly name: string; readonly spec: InstanceSpec; readonly dependsOn: NodeRef[] }
  | { readonly kind: "RaftGroup"; readonly name: string; readonly spec: RaftGroupSpec; readonly dependsOn: NodeRef[] }
  | { readonly kind: "BpGroup"; readonly name: string; readonly spec: BpGroupSpec; readonly dependsOn: NodeRef[] }
  | { readonly kind: "FaultDomain"; readonly name: string; readonly spec: FaultDomainSpec; readonly dependsOn: NodeRef[] };

/**
 * The graph of a plain topology with each node's inputs parsed as its resource's own check
 * parses them: what the planners get when there is no engine (unit tests, the bench's naive
 * script). Throws on a topology or a node `validate` refuses.
 */
export function clusterSteps(t: Topology<object, string, unknown>): ClusterStep[] {
  const v = validate("DpcCluster", t);
  if (!v.ok) throw new Error(describeFailures(v.failures));
  return clusterGraph(t).map((node) => {
    const parsed = validate(node.kind, node.args);
    if (!parsed.ok) throw new Error(`${node.kind} ${node.name}: ${describeFailures(parsed.failures)}`);
    return { kind: node.kind, name: node.name, spec: parsed.value, dependsOn: node.dependsOn } as ClusterStep;
  });
}
