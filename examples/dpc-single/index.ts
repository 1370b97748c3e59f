/**
 * Seed 7.1: a single-replica DMDPC cluster. One MP, one SP (RAFT_SP1), two single-replica BPs
 * (RAFT_1, RAFT_2) in BP group BG_1, fault domain FDOM_1 = {MP, BP1, BP2}; the seed's ports,
 * spread over the hosts instead of one Windows machine.
 */
import { dm } from "pulumi-dbcluster";
import { hosts, placeOn, sysdbaPassword } from "../shared/hosts";
import { SEED_71, seed71Groups } from "../shared/seed-71";

const all = hosts();

const cluster = new dm.DpcCluster("dpc-single", {
  sysdbaPassword: sysdbaPassword(),
  instances: SEED_71.instances.map((l, i) => {
    const h = placeOn(all, i);
    return { ...l, connection: h.connection, ip: h.ip, path: `${h.dataRoot}/dpc_single/${l.name.toLowerCase()}`, dmHome: h.dmHome, mpPort: l.mode === "MP" ? 9000 : undefined, description: `${l.mode} instance` };
  }),
  ...seed71Groups(),
});

export const spEndpoints = cluster.spEndpoints;
export const leaders = cluster.leaders;
