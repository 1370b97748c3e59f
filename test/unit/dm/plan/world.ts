/** Drives the planners against the simulated world, the way a handler would: read → plan → apply. */
import type { Plan } from "../../../../provider/dm/ops";
import { planBpGroup, planBpGroupDelete } from "../../../../provider/dm/plan/bp-group";
import { planFaultDomain, planFaultDomainDelete } from "../../../../provider/dm/plan/fault-domain";
import { planInstance, planInstanceDelete } from "../../../../provider/dm/plan/instance";
import { planRaftGroup, planRaftGroupDelete, type RaftGroupActual } from "../../../../provider/dm/plan/raft-group";
import type { RaftGroupSpec } from "../../../../provider/dm/schema";
import { clusterSteps, type ClusterStep } from "../../../../provider/dm/topology";
import type { DpcClusterArgs } from "../../../../provider/dm/schema";
import { Sim } from "../helpers/sim";

/** The resource graph DpcCluster registers, each node's inputs as its resource's check parses them. */
export function steps(topology: DpcClusterArgs): ClusterStep[] {
  return clusterSteps(topology);
}

export function raftActual(sim: Sim, spec: RaftGroupSpec, extra: RaftGroupSpec["members"] = []): RaftGroupActual {
  const mpUp = [...sim.running].some((n) => sim.instances.get(n)?.mode === "MP");
  return {
    catalog: mpUp ? sim.readCatalog() : null,
    members: Object.fromEntries([...spec.members, ...extra].map((m) => [m.name, sim.hostState(m)])),
  };
}

export function planStep(sim: Sim, step: ClusterStep, creating: boolean): Plan {
  switch (step.kind) {
    case "Instance":
      return planInstance(step.spec, sim.hostState(step.spec), { creating });
    case "RaftGroup":
      return planRaftGroup(step.spec, raftActual(sim, step.spec), { catalogMayBeEmpty: creating, runId: "r1" });
    case "BpGroup":
      return planBpGroup(step.spec, { catalog: sim.readCatalog() });
    case "FaultDomain":
      return planFaultDomain(step.spec, { catalog: sim.readCatalog() });
  }
}

export function planDelete(sim: Sim, step: ClusterStep): Plan {
  switch (step.kind) {
    case "Instance":
      return planInstanceDelete(step.spec, sim.hostState(step.spec));
    case "RaftGroup":
      return planRaftGroupDelete(step.spec, raftActual(sim, step.spec));
    case "BpGroup":
      return planBpGroupDelete(step.spec, { catalog: sim.readCatalog() });
    case "FaultDomain":
      return planFaultDomainDelete(step.spec, { catalog: sim.readCatalog() });
  }
}

/** `up` from nothing: every resource created in dependency order. */
export function buildCluster(topology: DpcClusterArgs): { sim: Sim; steps: ClusterStep[]; plans: Plan[] } {
  const sim = new Sim();
  const all = steps(topology);
  const plans: Plan[] = [];
  for (const s of all) {
    const plan = planStep(sim, s, true);
    plans.push(plan);
    sim.apply(plan);
  }
  return { sim, steps: all, plans };
}
