/**
 * Seed 7.3: MP multi-replica. MP1, MP2, MP3 form the MP RAFT group (mp.ini with [MP1]..[MP3]),
 * seeded from MP1's backup; one BP (BPRAFT_1) in BG_1; one SP (SPRAFT_1); IP_EXTERNAL left ''.
 */
import { dm } from "pulumi-dbcluster";
import { hosts, placeOn, sysdbaPassword } from "../shared/hosts";

const all = hosts();
const layout = [
  { name: "SP1", mode: "SP", portNum: 5236, apPortNum: 6000 },
  { name: "BP1", mode: "BP", portNum: 5336, apPortNum: 6100 },
  { name: "MP1", mode: "MP", portNum: 5436, apPortNum: 6200, mpPort: 10622 },
  { name: "MP2", mode: "MP", portNum: 5437, apPortNum: 6201, mpPort: 10623 },
  { name: "MP3", mode: "MP", portNum: 5438, apPortNum: 6202, mpPort: 10624 },
] as const;

const cluster = new dm.DpcCluster("dpc-mp-raft", {
  sysdbaPassword: sysdbaPassword(),
  instances: layout.map((l, i) => {
    const h = placeOn(all, i);
    return { ...l, connection: h.connection, ip: h.ip, ipExternal: "", path: `${h.dataRoot}/dpc_mp_raft/${l.name.toLowerCase()}`, dmHome: h.dmHome, description: `${l.mode} instance` };
  }),
  rafts: [
    { name: "BPRAFT_1", role: "BP", members: ["BP1"] },
    { name: "SPRAFT_1", role: "SP", members: ["SP1"] },
  ],
  bpGroups: [{ name: "BG_1", description: "bp group1", rafts: ["BPRAFT_1"] }],
  faultDomains: [
    { name: "FDOM_1", description: "shanghai_1", instances: ["MP1", "BP1"] },
    { name: "FDOM_2", description: "shanghai_2", instances: ["MP2"] },
    { name: "FDOM_3", description: "shanghai_3", instances: ["MP3"] },
  ],
});

export const spEndpoints = cluster.spEndpoints;
export const leaders = cluster.leaders;
