/**
 * The DpcCluster component's expansion: one validated topology → the inputs of every Instance,
 * RaftGroup, BpGroup and FaultDomain, in the order the database demands on create (MP group,
 * BP groups, BP group objects, SP groups, fault domains); deletes run in reverse.
 */
import { DEFAULTS } from "./defaults";
import { loginOf } from "./plan/common";
import type { BpGroupSpec, DpcClusterSpec, FaultDomainSpec, InstanceSpec, MemberSpec, RaftGroupSpec } from "./schema";

export interface ClusterResources {
  readonly instances: InstanceSpec[];
  /** MP group first, then BP groups, then SP groups. */
  readonly rafts: RaftGroupSpec[];
  readonly bpGroups: BpGroupSpec[];
  readonly faultDomains: FaultDomainSpec[];
}

export function expandTopology(t: DpcClusterSpec): ClusterResources {
  const mps = t.instances.filter((i) => i.mode === "MP");
  const mpNodes = mps.map((m) => ({ host: m.ip, port: m.mpPort ?? DEFAULTS.mpPort }));
  const instances: InstanceSpec[] = t.instances.map(({ description: _d, deleteData, ...i }) => ({
    ...i,
    sysdbaPassword: t.sysdbaPassword,
    mpNodes,
    deleteData: deleteData ?? t.deleteData,
    adopt: t.adopt,
  }));
  const byName = new Map(t.instances.map((i) => [i.name.toUpperCase(), i]));
  const member = (name: string, shadows: readonly string[]): MemberSpec => {
    const i = byName.get(name.toUpperCase());
    if (!i) throw new Error(`topology names no instance ${name}`);
    return {
      name: i.name,
      mode: i.mode,
      connection: i.connection,
      path: i.path,
      dbName: i.dbName,
      ip: i.ip,
      ipExternal: i.ipExternal,
      portNum: i.portNum,
      apPortNum: i.apPortNum,
      dmHome: i.dmHome,
      description: i.description,
      shadow: shadows.some((s) => s.toUpperCase() === name.toUpperCase()),
      pageSize: i.pageSize,
      extentSize: i.extentSize,
      charset: i.charset,
      caseSensitive: i.caseSensitive,
    };
  };
  const mpMembers = mps.map((m) => member(m.name, t.mpShadows));
  const mp = mpMembers.map(loginOf);
  const group = (name: string, role: "MP" | "SP" | "BP", members: MemberSpec[]): RaftGroupSpec => ({
    name,
    role,
    members,
    mp: role === "MP" ? [] : mp,
    sysdbaPassword: t.sysdbaPassword,
    archive: t.archive,
  });
  const rafts: RaftGroupSpec[] = [
    group(DEFAULTS.mpRaftName, "MP", mpMembers),
    ...t.rafts.filter((r) => r.role === "BP").map((r) => group(r.name, "BP", r.members.map((n) => member(n, r.shadows)))),
    ...t.rafts.filter((r) => r.role === "SP").map((r) => group(r.name, "SP", r.members.map((n) => member(n, r.shadows)))),
  ];
  return {
    instances,
    rafts,
    bpGroups: t.bpGroups.map((g) => ({ ...g, mp, sysdbaPassword: t.sysdbaPassword })),
    faultDomains: t.faultDomains.map((d) => ({ ...d, mp, sysdbaPassword: t.sysdbaPassword })),
  };
}

export type ClusterStep =
  | { readonly kind: "Instance"; readonly spec: InstanceSpec }
  | { readonly kind: "RaftGroup"; readonly spec: RaftGroupSpec }
  | { readonly kind: "BpGroup"; readonly spec: BpGroupSpec }
  | { readonly kind: "FaultDomain"; readonly spec: FaultDomainSpec };

/**
 * The order resources are created in (the design card): instances; the MP group; BP groups;
 * BP group objects; SP groups (so that deletes stop SPs before BPs); fault domains.
 */
export function creationOrder(r: ClusterResources): ClusterStep[] {
  return [
    ...r.instances.map((spec) => ({ kind: "Instance" as const, spec })),
    ...r.rafts.filter((g) => g.role === "MP").map((spec) => ({ kind: "RaftGroup" as const, spec })),
    ...r.rafts.filter((g) => g.role === "BP").map((spec) => ({ kind: "RaftGroup" as const, spec })),
    ...r.bpGroups.map((spec) => ({ kind: "BpGroup" as const, spec })),
    ...r.rafts.filter((g) => g.role === "SP").map((spec) => ({ kind: "RaftGroup" as const, spec })),
    ...r.faultDomains.map((spec) => ({ kind: "FaultDomain" as const, spec })),
  ];
}
