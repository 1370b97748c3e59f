/**
 * Seed 7.2 (BP multi-replica) as a user runs it: the examples/dpc-bp-raft program, the local
 * engine, real SSH into four lab hosts, the DM simulator.
 */
import { SEED_7_2 } from "../lab/fixtures/seed-listings";
import { describeExample } from "./example-suite";

jest.setTimeout(300_000);

describeExample({
  example: "dpc-bp-raft",
  resources: 18,
  layout: [
    { name: "SP1", mode: "SP", portNum: 5236 },
    { name: "MP", mode: "MP", portNum: 5237 },
    { name: "BP11", mode: "BP", portNum: 5238 },
    { name: "BP12", mode: "BP", portNum: 5239 },
    { name: "BP13", mode: "BP", portNum: 5240 },
    { name: "BP21", mode: "BP", portNum: 5241 },
    { name: "BP22", mode: "BP", portNum: 5242 },
    { name: "BP23", mode: "BP", portNum: 5243 },
  ],
  rafts: { MP_RAFT: ["MP"], RAFT_1: ["BP11", "BP12", "BP13"], RAFT_2: ["BP21", "BP22", "BP23"], RAFT_SP1: ["SP1"] },
  bpGroups: { BG_1: ["RAFT_1", "RAFT_2"] },
  domains: { MP: "FDOM_1", BP11: "FDOM_1", BP21: "FDOM_1", BP12: "FDOM_2", BP22: "FDOM_2", BP13: "FDOM_3", BP23: "FDOM_3", SP1: null },
  seed: SEED_7_2,
});
