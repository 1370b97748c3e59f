/**
 * Seed 7.1: a single-replica DMDPC cluster. One MP, one SP (RAFT_SP1), two single-replica BPs
 * (RAFT_1, RAFT_2) in BP group BG_1, fault domain FDOM_1 = {MP, BP1, BP2}; the seed's ports,
 * spread over the hosts instead of one Windows machine.
 */
import { dm } from "pulumi-dbcluster";
import { hosts, placeOn, sysdbaPassword } from "../shared/hosts";

const all = hosts();
const layout = [
  { name: "MP", mode: "MP", portNum: 5239, apPortNum: 6003 },
  { name: "SP1", mode: "SP", portNum: 5236, apPortNum: 6000 },
  { name: "BP1", mode: "BP", portNum: 5237, apPortNum: 6001 },
  { name: "BP2", mode: "BP", portNum: 5238, apPortNum: 6002 },
] as const;

const cluster = new dm.DpcCluster("dpc-single", {
  sysdbaPassword: sysdbaPassword(),
  instances: layout.map((l, i) => {
    const h = placeOn(all, i);
    return { ...l, connection: h.connection, ip: h.ip, path: `${h.dataRoot}/dpc_single/${l.name.toLowerCase()}`, dmHome: h.dmHome, mpPort: l.mode === "MP" ? 9000 : undefined, description: `${l.mode} instance` };
  }),
  rafts: [
    { name: "RAFT_1", role: "BP", members: ["BP1"] },
    { name: "RAFT_2", role: "BP", members: ["BP2"] },
    { name: "RAFT_SP1", role: "SP", members: ["SP1"] },
  ],
  bpGroups: [{ name: "BG_1", description: "bp group1", rafts: ["RAFT_1", "RAFT_2"] }],
  faultDomains: [{ name: "FDOM_1", description: "shanghai", instances: ["MP", "BP1", "BP2"] }],
});

export const spEndpoints = cluster.spEndpoints;
export const leaders = cluster.leaders;
