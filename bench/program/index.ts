/**
 * The benchmark's Pulumi program: one `dm.DpcCluster` of the topology named by BENCH_TOPOLOGY
 * (`7.2` or `64`, see ../topologies.ts), on the hosts of the lab named by LAB_JSON.
 */
import { dm } from "pulumi-dbcluster";
import { hosts, sysdbaPassword } from "../../examples/shared/hosts";
import { SCENARIOS, topology, type Scenario } from "../topologies";

const scenario = process.env.BENCH_TOPOLOGY as Scenario;
if (!SCENARIOS.includes(scenario)) throw new Error(`set BENCH_TOPOLOGY to one of ${SCENARIOS.join(", ")}`);

const t = topology(scenario, hosts());
const cluster = new dm.DpcCluster(`bench-${scenario.replace(".", "-")}`, { sysdbaPassword: sysdbaPassword(), ...t });

export const spEndpoints = cluster.spEndpoints;
export const leaders = cluster.leaders;
