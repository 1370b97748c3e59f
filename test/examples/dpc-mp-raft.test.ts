/**
 * Seed 7.3 (MP multi-replica) as a user runs it: the examples/dpc-mp-raft program, the local
 * engine, real SSH into four lab hosts, the DM simulator.
 */
import { SEED_7_3 } from "../lab/fixtures/seed-listings";
import { describeExample } from "./example-suite";

jest.setTimeout(300_000);

describeExample({
  example: "dpc-mp-raft",
  resources: 14,
  layout: [
    { name: "SP1", mode: "SP", portNum: 5236 },
    { name: "BP1", mode: "BP", portNum: 5336 },
    { name: "MP1", mode: "MP", portNum: 5436 },
    { name: "MP2", mode: "MP", portNum: 5437 },
    { name: "MP3", mode: "MP", portNum: 5438 },
  ],
  rafts: { MP_RAFT: ["MP1", "MP2", "MP3"], BPRAFT_1: ["BP1"], SPRAFT_1: ["SP1"] },
  bpGroups: { BG_1: ["BPRAFT_1"] },
  domains: { MP1: "FDOM_1", BP1: "FDOM_1", MP2: "FDOM_2", MP3: "FDOM_3", SP1: null },
  seed: SEED_7_3,
});
