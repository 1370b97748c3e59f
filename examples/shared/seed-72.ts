/**
 * Seed 7.2's cluster as data (names, ports, groups, fault domains): the example
 * `examples/dpc-bp-raft` deploys it, and `npm run bench` measures the same layout.
 */
export const SEED_72 = {
  instances: [
    { name: "SP1", mode: "SP", portNum: 5236, apPortNum: 6000 },
    { name: "MP", mode: "MP", portNum: 5237, apPortNum: 6001 },
    { name: "BP11", mode: "BP", portNum: 5238, apPortNum: 6002 },
    { name: "BP12", mode: "BP", portNum: 5239, apPortNum: 6003 },
    { name: "BP13", mode: "BP", portNum: 5240, apPortNum: 6004 },
    { name: "BP21", mode: "BP", portNum: 5241, apPortNum: 6005 },
    { name: "BP22", mode: "BP", portNum: 5242, apPortNum: 6006 },
    { name: "BP23", mode: "BP", portNum: 5243, apPortNum: 6007 },
  ],
  rafts: [
    { name: "RAFT_1", role: "BP", members: ["BP11", "BP12", "BP13"] },
    { name: "RAFT_2", role: "BP", members: ["BP21", "BP22", "BP23"] },
    { name: "RAFT_SP1", role: "SP", members: ["SP1"] },
  ],
  bpGroups: [{ name: "BG_1", description: "bp group1", rafts: ["RAFT_1", "RAFT_2"] }],
  faultDomains: [
    { name: "FDOM_1", description: "shanghai_1", instances: ["MP", "BP11", "BP21"] },
    { name: "FDOM_2", description: "shanghai_2", instances: ["BP12", "BP22"] },
    { name: "FDOM_3", description: "shanghai_3", instances: ["BP13", "BP23"] },
  ],
} as const;
