/**
 * Seed 7.2: BP multi-replica. One MP, one SP, RAFT_1 = {BP11, BP12, BP13} and RAFT_2 = {BP21,
 * BP22, BP23} seeded from their first member's backup, BG_1 = {RAFT_1, RAFT_2}, three fault
 * domains so that no two replicas of a group share one.
 */
import { dm } from "pulumi-dbcluster";
import { hosts, placeOn, sysdbaPassword } from "../shared/hosts";
import { SEED_72 } from "../shared/seed-72";

const all = hosts();

const cluster = new dm.DpcCluster("dpc-bp-raft", {
  sysdbaPassword: sysdbaPassword(),
  instances: SEED_72.instances.map((l, i) => {
    const h = placeOn(all, i);
    return { ...l, connection: h.connection, ip: h.ip, path: `${h.dataRoot}/dpc_bp_raft/${l.name.toLowerCase()}`, dmHome: h.dmHome, mpPort: l.mode === "MP" ? 9000 : undefined, description: `${l.mode} instance` };
  }),
  rafts: SEED_72.rafts.map((r) => ({ ...r, members: [...r.members] })),
  bpGroups: SEED_72.bpGroups.map((g) => ({ ...g, rafts: [...g.rafts] })),
  faultDomains: SEED_72.faultDomains.map((d) => ({ ...d, instances: [...d.instances] })),
});

export const spEndpoints = cluster.spEndpoints;
export const leaders = cluster.leaders;
