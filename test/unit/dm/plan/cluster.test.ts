import { flatten } from "../../../../provider/dm/ops";
import { seed71, seed71Sql, seed72, seed72Sql, seed73, seed73Sql } from "../fixtures/seed";
import { normalizeSql } from "../helpers/sql-parse";
import { buildCluster, planDelete, planStep } from "./world";

const statements = (text: string) => text.split("\n").filter((l) => l.trim() !== "").map(normalizeSql);

describe.each([
  ["7.1 single replica", seed71, seed71Sql],
  ["7.2 BP multi-replica", seed72, seed72Sql],
  ["7.3 MP multi-replica", seed73, seed73Sql],
])("seed topology %s", (_name, topology, seedSql) => {
  test("up from nothing runs exactly the seed's catalog statements, and obeys the seed's order (enforced by the simulation)", () => {
    const { sim } = buildCluster(topology);
    const ours = sim.sql.map(normalizeSql);
    expect([...ours].sort()).toEqual([...statements(seedSql)].sort());
    // catalog statements that depend on each other keep the seed's relative order
    const seed = statements(seedSql);
    const pos = (s: string) => ours.indexOf(s);
    for (let i = 0; i < seed.length; i++)
      for (let j = i + 1; j < seed.length; j++) {
        const dependent = seed[j].includes("SP_CREATE_DPC_INSTANCE") || seed[j].includes("MV_INST") || seed[j].includes("ADD_RAFT");
        if (dependent && seed[i].match(/CREATE_DPC_RAFT|CREATE_DPC_BP_GROUP|CREATE_FAULT_DOMAIN/)) {
          const name = /\('(?:BP|SP)',\s*'(\w+)'\)|\('(\w+)',/.exec(seed[i]);
          if (name && seed[j].includes(`'${name[1] ?? name[2]}'`)) expect(pos(seed[i])).toBeLessThan(pos(seed[j]));
        }
      }
    // every SP/BP was registered before its first start; the MP started before anything
    const ev = sim.events;
    const firstStart = (n: string) => ev.findIndex((e) => e.startsWith(`start:${n}`));
    for (const inst of sim.readCatalog().instances) {
      expect(firstStart(inst.name)).toBeGreaterThan(-1);
      if (inst.mode !== "MP") expect(ev.indexOf(`register:${inst.name}`)).toBeLessThan(firstStart(inst.name));
    }
    const firstMp = ev.findIndex((e) => /^start:MP/.test(e));
    expect(ev.findIndex((e) => /^start:(SP|BP)/.test(e))).toBeGreaterThan(firstMp);
    // the whole cluster is up
    expect(sim.running.size).toBe(topology.instances.length);
  });

  test("planning again after up plans nothing (the plan of a state against itself is empty)", () => {
    const { sim, steps } = buildCluster(topology);
    for (const s of steps) expect(flatten(planStep(sim, s, false)).map((o) => `${o.kind} ${o.describe}`)).toEqual([]);
  });

  test("destroy in reverse order stops SP, then BP, then MP (rule 8) and leaves the catalog empty of SP/BP", () => {
    const { sim, steps } = buildCluster(topology);
    sim.isFullShutdown = true;
    const from = sim.events.length;
    for (const s of [...steps].reverse()) sim.apply(planDelete(sim, s));
    expect(sim.running.size).toBe(0);
    const cat = sim.readCatalog();
    expect(cat.instances.filter((i) => i.mode !== "MP")).toEqual([]);
    expect(cat.bpGroups).toEqual([]);
    expect(cat.faultDomains).toEqual([]);
    const stops = sim.events.slice(from).filter((e) => e.startsWith("stop:")).map((e) => sim.instances.get(e.slice(5).toUpperCase())!.mode);
    expect(stops.join("")).toMatch(/^(SP)*(BP)*(MP)+$/);
  });
});

describe("deleteData per instance", () => {
  test("an instance's own deleteData wins over the cluster's", async () => {
    const { clusterSteps } = await import("../../../../provider/dm/topology");
    const all = clusterSteps({ ...seed71, instances: seed71.instances.map((i) => (i.name === "BP2" ? { ...i, deleteData: true } : i)) });
    const byName = Object.fromEntries(all.flatMap((s) => (s.kind === "Instance" ? [[s.spec.name, s.spec.deleteData]] : [])));
    expect(byName).toEqual({ MP: false, SP1: false, BP1: false, BP2: true });
  });
});
