/**
 * The benchmark's two topologies, as plain `DpcCluster` arguments. One source for both ways of
 * deploying: the bench program (`bench/program`, run by the local engine) passes them to
 * `dm.DpcCluster`, and the naive script (`bench/naive.ts`) expands the very same object with the
 * product's planners. Generic over the connection so that the program can pass secrets.
 */

import { SEED_72 } from "../examples/shared/seed-72";

/** Where instances can go: one entry per host. */
export interface BenchHost<C> {
  readonly ip: string;
  readonly connection: C;
  readonly dataRoot: string;
}

export interface BenchInstance<C> {
  readonly name: string;
  readonly mode: "MP" | "SP" | "BP";
  readonly connection: C;
  readonly ip: string;
  readonly path: string;
  readonly portNum: number;
  readonly apPortNum: number;
  readonly mpPort?: number;
  readonly description: string;
}

export interface BenchTopology<C> {
  readonly instances: BenchInstance<C>[];
  readonly rafts: { name: string; role: "SP" | "BP"; members: string[] }[];
  readonly bpGroups: { name: string; description: string; rafts: string[] }[];
  readonly faultDomains: { name: string; description: string; instances: string[] }[];
}

export const SCENARIOS = ["7.2", "64"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Hosts each scenario is spread over. */
export const HOSTS: Record<Scenario, number> = { "7.2": 4, "64": 8 };

export function topology<C>(scenario: Scenario, hosts: readonly BenchHost<C>[]): BenchTopology<C> {
  return scenario === "7.2" ? seed72(hosts) : cluster64(hosts);
}

function instance<C>(h: BenchHost<C>, dir: string, name: string, mode: "MP" | "SP" | "BP", portNum: number, apPortNum: number): BenchInstance<C> {
  return {
    name,
    mode,
    connection: h.connection,
    ip: h.ip,
    path: `${h.dataRoot}/${dir}/${name.toLowerCase()}`,
    portNum,
    apPortNum,
    mpPort: mode === "MP" ? 9000 : undefined,
    description: `${mode} instance`,
  };
}

/**
 * Seed 7.2 exactly as examples/dpc-bp-raft lays it out (same names, ports, round-robin hosts,
 * groups and fault domains), so that the bench's 7.2 figures are the example's.
 */
function seed72<C>(hosts: readonly BenchHost<C>[]): BenchTopology<C> {
  return {
    instances: SEED_72.instances.map((l, i) => instance(hosts[i % hosts.length], "dpc_bp_raft", l.name, l.mode, l.portNum, l.apPortNum)),
    rafts: SEED_72.rafts.map((r) => ({ ...r, members: [...r.members] })),
    bpGroups: SEED_72.bpGroups.map((g) => ({ ...g, rafts: [...g.rafts] })),
    faultDomains: SEED_72.faultDomains.map((d) => ({ ...d, instances: [...d.instances] })),
  };
}

export const BP_RAFTS = 20;
export const REPLICAS = 3;
export const SPS = 3;
export const BP_GROUPS = 4;

/**
 * 64 instances: 1 MP, 3 SPs (each its own SP RAFT group), 20 BP RAFT groups of 3 replicas in 4
 * BP groups of 5. The MP is on the first host, SP k on host k+1; replica r of group g is on host
 * (3g + r) mod N, so the three replicas of a group are on three different hosts and the 60 BPs
 * are spread evenly. Fault domain FDOM_r+1 holds replica r of every group (and the MP), so no
 * two replicas of one group share a domain. Ports are unique across the cluster.
 */
function cluster64<C>(hosts: readonly BenchHost<C>[]): BenchTopology<C> {
  return clusterOf(hosts, { bpRafts: BP_RAFTS, replicas: REPLICAS, sps: SPS, bpGroups: BP_GROUPS });
}

/** The sizes of the 64-instance layout; a test deploys a smaller one of the same shape. */
export interface ClusterSizes {
  readonly bpRafts: number;
  readonly replicas: number;
  readonly sps: number;
  readonly bpGroups: number;
}

/** The 64-instance cluster's layout (above) for any sizes. */
export function clusterOf<C>(hosts: readonly BenchHost<C>[], sizes: ClusterSizes): BenchTopology<C> {
  const { bpRafts, replicas, sps, bpGroups: groups } = sizes;
  if (hosts.length < replicas) throw new Error(`the ${bpRafts * replicas + sps + 1}-instance topology needs at least ${replicas} hosts`);
  const on = (i: number) => hosts[i % hosts.length];
  const instances: BenchInstance<C>[] = [];
  let n = 0;
  const add = (h: BenchHost<C>, name: string, mode: "MP" | "SP" | "BP") => {
    instances.push(instance(h, "bench64", name, mode, 5300 + n, 6300 + n));
    n++;
  };
  add(on(0), "MP", "MP");
  const rafts: BenchTopology<C>["rafts"] = [];
  const domains = Array.from({ length: replicas }, (_, r) => ({ name: `FDOM_${r + 1}`, description: `zone ${r + 1}`, instances: r === 0 ? ["MP"] : [] as string[] }));
  for (let g = 0; g < bpRafts; g++) {
    const members: string[] = [];
    for (let r = 0; r < replicas; r++) {
      const name = `BP${String(g + 1).padStart(2, "0")}_${r + 1}`;
      add(on(replicas * g + r), name, "BP");
      members.push(name);
      domains[r].instances.push(name);
    }
    rafts.push({ name: `RAFT_${String(g + 1).padStart(2, "0")}`, role: "BP", members });
  }
  for (let s = 0; s < sps; s++) {
    add(on(s + 1), `SP${s + 1}`, "SP");
    rafts.push({ name: `RAFT_SP${s + 1}`, role: "SP", members: [`SP${s + 1}`] });
  }
  const perGroup = Math.ceil(bpRafts / groups);
  const bpNames = rafts.filter((r) => r.role === "BP").map((r) => r.name);
  const bpGroups = Array.from({ length: groups }, (_, i) => ({
    name: `BG_${i + 1}`,
    description: `bp group ${i + 1}`,
    rafts: bpNames.slice(i * perGroup, (i + 1) * perGroup),
  }));
  return { instances, rafts, bpGroups, faultDomains: domains };
}
