import { PlanError, flatten, type Plan } from "../../../../provider/dm/ops";
import { planBpGroup } from "../../../../provider/dm/plan/bp-group";
import { planFaultDomain, planFaultDomainDelete } from "../../../../provider/dm/plan/fault-domain";
import { description, type BpGroupSpec, type DpcClusterArgs, type FaultDomainSpec } from "../../../../provider/dm/schema";
import { hostileStrings } from "../../../fixtures/hostile-strings";
import { seed71, seed72 } from "../fixtures/seed";
import { buildCluster } from "./world";

const sqlOf = (plan: Plan) => flatten(plan).map((o) => o.describe.replace(/^disql \w+: /, "").replace(/ \$ .*$/, ""));

describe("BP groups", () => {
  test("membership changes: a RAFT group taken out, another put in; afterwards nothing to do", () => {
    const { sim, steps } = buildCluster(seed71);
    const bg = steps.find((s) => s.kind === "BpGroup")!.spec as BpGroupSpec;
    const only2 = { ...bg, rafts: ["RAFT_2"] };
    const plan = planBpGroup(only2, { catalog: sim.readCatalog() });
    expect(sqlOf(plan)).toEqual(["SP_BP_GROUP_DEL_RAFT('BG_1', 'RAFT_1');"]);
    sim.apply(plan);
    expect(sim.readCatalog().bpGroups[0].raftIds).toEqual([2]);
    expect(planBpGroup(only2, { catalog: sim.readCatalog() })).toEqual([]);
    expect(sqlOf(planBpGroup(bg, { catalog: sim.readCatalog() }))).toEqual(["SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_1');"]);
  });

  test("a RAFT group moving from another BP group leaves it first; the other group then has nothing to do", () => {
    const { sim, steps } = buildCluster(seed71);
    const bg = steps.find((s) => s.kind === "BpGroup")!.spec as BpGroupSpec;
    const bg2: BpGroupSpec = { ...bg, name: "BG_2", rafts: ["RAFT_2"] };
    const plan = planBpGroup(bg2, { catalog: sim.readCatalog() });
    expect(sqlOf(plan)).toEqual(["SP_CREATE_DPC_BP_GROUP('BG_2', 'bp group1'); SP_BP_GROUP_DEL_RAFT('BG_1', 'RAFT_2'); SP_BP_GROUP_ADD_RAFT('BG_2', 'RAFT_2');"]);
    sim.apply(plan);
    expect(planBpGroup({ ...bg, rafts: ["RAFT_1"] }, { catalog: sim.readCatalog() })).toEqual([]);
    expect(planBpGroup(bg2, { catalog: sim.readCatalog() })).toEqual([]);
  });

  test("taking a RAFT group out is SP_BP_GROUP_DEL_RAFT alone (DM puts no data check there); unknown or non-BP RAFT groups refused", () => {
    const { sim, steps } = buildCluster(seed71);
    const bg = steps.find((s) => s.kind === "BpGroup")!.spec as BpGroupSpec;
    expect(sqlOf(planBpGroup({ ...bg, rafts: ["RAFT_2"] }, { catalog: sim.readCatalog() }))).toEqual(["SP_BP_GROUP_DEL_RAFT('BG_1', 'RAFT_1');"]);
    expect(() => planBpGroup({ ...bg, rafts: ["RAFT_9"] }, { catalog: sim.readCatalog() })).toThrow(/not registered/);
    expect(() => planBpGroup({ ...bg, rafts: ["RAFT_SP1"] }, { catalog: sim.readCatalog() })).toThrow(/SP group/);
  });
});

describe("fault domains", () => {
  const fd = (steps: ReturnType<typeof buildCluster>["steps"], name: string) => steps.find((s) => s.kind === "FaultDomain" && s.spec.name === name)!.spec as FaultDomainSpec;

  test("moving an instance between domains: the new domain moves it in, the old one does not move it back out", () => {
    const { sim, steps } = buildCluster(seed72);
    const f1 = fd(steps, "FDOM_1");
    const f2 = fd(steps, "FDOM_2");
    const f2new = { ...f2, instances: [...f2.instances, "MP"] };
    const f1new = { ...f1, instances: f1.instances.filter((n) => n !== "MP") };
    const p2 = planFaultDomain(f2new, { catalog: sim.readCatalog() });
    expect(sqlOf(p2)).toEqual(["SP_FAULT_DOMAIN_MV_INST('FDOM_2', 'MP');"]);
    sim.apply(p2);
    expect(planFaultDomain(f1new, { catalog: sim.readCatalog() })).toEqual([]);
    // the other order: the old domain lets go first, the new one takes it
    const again = buildCluster(seed72);
    const p1 = planFaultDomain(f1new, { catalog: again.sim.readCatalog() });
    expect(sqlOf(p1)).toEqual(["SP_FAULT_DOMAIN_MV_INST(NULL, 'MP');"]);
    again.sim.apply(p1);
    again.sim.apply(planFaultDomain(f2new, { catalog: again.sim.readCatalog() }));
    expect(again.sim.readCatalog().instances.find((i) => i.name === "MP")!.faultDomainId).toBe(2);
  });

  test("an SP, or two members of one RAFT group, are refused; description changes are modified in place", () => {
    const { sim, steps } = buildCluster(seed72);
    const f1 = fd(steps, "FDOM_1");
    expect(() => planFaultDomain({ ...f1, instances: [...f1.instances, "SP1"] }, { catalog: sim.readCatalog() })).toThrow(/SP/);
    expect(() => planFaultDomain({ ...f1, instances: [...f1.instances, "BP12"] }, { catalog: sim.readCatalog() })).toThrow(PlanError);
    expect(sqlOf(planFaultDomain({ ...f1, description: "beijing" }, { catalog: sim.readCatalog() }))).toEqual(["SP_MODIFY_FAULT_DOMAIN(1, NULL, 'beijing');"]);
  });

  test("delete moves the members out, then drops the domain", () => {
    const { sim, steps } = buildCluster(seed72);
    expect(sqlOf(planFaultDomainDelete(fd(steps, "FDOM_3"), { catalog: sim.readCatalog() }))).toEqual([
      "SP_FAULT_DOMAIN_MV_INST(NULL, 'BP13'); SP_FAULT_DOMAIN_MV_INST(NULL, 'BP23'); SP_DROP_FAULT_DOMAIN('FDOM_3', 0);",
    ]);
  });
});

describe("hostile free text reaches the catalog intact", () => {
  const texts = hostileStrings.filter((h) => description.safeParse(h).success);
  test("the schema refuses only what disql's padded, line-based output cannot carry back", () => {
    expect(hostileStrings.filter((h) => !description.safeParse(h).success).every((h) => /[\r\n]/.test(h) || h.length > 256 || h !== h.trim() || h === "NULL")).toBe(true);
  });
  test.each(texts.map((h) => [h]))("description %j", (h) => {
    const t: DpcClusterArgs = {
      ...seed71,
      instances: seed71.instances.map((i) => ({ ...i, description: h })),
      bpGroups: [{ ...seed71.bpGroups![0], description: h }],
      faultDomains: [{ ...seed71.faultDomains![0], description: h }],
    };
    const { sim, steps } = buildCluster(t);
    const cat = sim.readCatalog();
    expect(cat.instances.map((i) => i.description)).toEqual(cat.instances.map(() => h));
    expect(cat.bpGroups[0].description).toBe(h);
    expect(cat.faultDomains[0].description).toBe(h);
    for (const s of steps.filter((x) => x.kind === "FaultDomain")) expect(planFaultDomain(s.spec as FaultDomainSpec, { catalog: cat })).toEqual([]);
  });
});
