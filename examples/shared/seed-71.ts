/**
 * Seed 7.1's cluster as data (names, ports, groups, fault domain): `examples/dpc-single` deploys
 * it on the lab or on configured hosts, `examples/hosts-with-command` on hosts it prepares first.
 */
export const SEED_71 = {
  instances: [
    { name: "MP", mode: "MP", portNum: 5239, apPortNum: 6003 },
    { name: "SP1", mode: "SP", portNum: 5236, apPortNum: 6000 },
    { name: "BP1", mode: "BP", portNum: 5237, apPortNum: 6001 },
    { name: "BP2", mode: "BP", portNum: 5238, apPortNum: 6002 },
  ],
  rafts: [
    { name: "RAFT_1", role: "BP", members: ["BP1"] },
    { name: "RAFT_2", role: "BP", members: ["BP2"] },
    { name: "RAFT_SP1", role: "SP", members: ["SP1"] },
  ],
  bpGroups: [{ name: "BG_1", description: "bp group1", rafts: ["RAFT_1", "RAFT_2"] }],
  faultDomains: [{ name: "FDOM_1", description: "shanghai", instances: ["MP", "BP1", "BP2"] }],
} as const;

/** The seed's groups as the mutable arrays `dm.DpcCluster` takes. */
export function seed71Groups() {
  return {
    rafts: SEED_71.rafts.map((r) => ({ ...r, members: [...r.members] })),
    bpGroups: SEED_71.bpGroups.map((g) => ({ ...g, rafts: [...g.rafts] })),
    faultDomains: SEED_71.faultDomains.map((d) => ({ ...d, instances: [...d.instances] })),
  };
}
