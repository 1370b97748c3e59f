/**
 * One example's life on a 4-host lab, as a user runs it: up creates everything and the catalog
 * is the seed's; a second up is all "unchanged" and runs nothing but reads; destroy stops every
 * process in DM's order (SP → BP → MP) and keeps the data directories (deleteData defaults to false).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { project } from "../lab/fixtures/seed-listings";
import {
  catalogByName,
  dmProcesses,
  writes,
  labOf,
  LAB_PASSWORD,
  mark,
  outcome,
  readCatalog,
  REPO,
  since,
  stackOn,
  stepLines,
  stoppedInstance,
  type CatalogRows,
  type Lab,
  type Row,
  type Stack,
} from "./helpers";

export interface ExampleExpectations {
  /** Directory under examples/ (also the data directory name, with - as _). */
  readonly example: string;
  readonly resources: number;
  /** Instances in the example's order (placed on host1, host2, ... in turn), with their mode and ports. */
  readonly layout: readonly { name: string; mode: "MP" | "SP" | "BP"; portNum: number }[];
  /** The RAFT groups' members by group name (MP_RAFT included). */
  readonly rafts: Record<string, string[]>;
  readonly bpGroups: Record<string, string[]>;
  /** Fault domain of every instance (null: none), as the seed registers them. */
  readonly domains: Record<string, string | null>;
  /** The seed's listings (test/lab/fixtures/seed-listings.ts). */
  readonly seed: { instance: Row[]; bpRaft: Row[]; bpGroup: Row[] };
}

/** Columns of the seed's DPC_INSTANCE listing that do not change once the instances run. */
const STABLE = ["NAME", "DPC_MODE", "XMAL_PORT", "INST_PORT", "DESCRIPTION", "INFO1"];
const only = (rows: Row[], cols: string[]) => rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c]])));
const byName = (rows: Row[]) => [...rows].sort((a, b) => a.NAME.localeCompare(b.NAME));

export function describeExample(x: ExampleExpectations): void {
  const root = x.example.replace(/-/g, "_");
  let lab: Lab;
  let stack: Stack;
  let catalogAfterUp: CatalogRows;
  const hostOf = (i: number) => lab.hosts[i % lab.hosts.length];
  const mpIndex = () => x.layout.findIndex((l) => l.mode === "MP");
  const mpLogin = () => ({ ip: hostOf(mpIndex()).address, port: x.layout[mpIndex()].portNum, password: LAB_PASSWORD });
  const catalog = () => readCatalog(lab, hostOf(mpIndex()).name, mpLogin());

  beforeAll(async () => {
    lab = await labOf(4);
    stack = stackOn(lab, path.join(REPO, "examples", x.example));
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  });

  test("up creates every resource; the outputs name the SP endpoint and each group's leader", async () => {
    const r = await stack.engine("up");
    expect(outcome(r)).toEqual({ code: 0, tail: "" });
    expect(r.summary).toMatchObject({ create: x.resources, update: 0, delete: 0, replace: 0 });
    const o = await stack.outputs();
    const sps = x.layout.map((l, i) => ({ ...l, i })).filter((l) => l.mode === "SP");
    expect(o.spEndpoints).toEqual(sps.map((s) => `${hostOf(s.i).address}:${s.portNum}`));
    expect(Object.keys(o.leaders).sort()).toEqual(Object.keys(x.rafts).sort());
    for (const [group, members] of Object.entries(x.rafts)) expect(members).toContain(o.leaders[group]);
  });

  test("the MP catalog holds the seed's topology", async () => {
    catalogAfterUp = await catalog();
    const c = catalogAfterUp;
    // The seed's listings, in the columns that do not depend on the processes' state.
    expect(byName(only(c.instance, STABLE))).toEqual(byName(only(x.seed.instance, STABLE)));
    expect(project(c.bpRaft, x.seed.bpRaft).map((r) => r.NAME).sort()).toEqual(x.seed.bpRaft.map((r) => r.NAME).sort());
    expect(only(c.bpGroup, ["NAME", "DESCRIPTION", "RAFT_NUM"])).toEqual(only(x.seed.bpGroup, ["NAME", "DESCRIPTION", "RAFT_NUM"]));
    // By name: every instance in its RAFT group and fault domain, every BP group's RAFT groups.
    const named = catalogByName(c);
    for (const [group, members] of Object.entries(x.rafts)) for (const m of members) expect([m, named.instances[m]?.raft]).toEqual([m, group]);
    for (const [inst, domain] of Object.entries(x.domains)) expect([inst, named.instances[inst]?.domain]).toEqual([inst, domain]);
    expect(named.bpGroups).toEqual(x.bpGroups);
    // Each instance registered with the address of the host it was placed on.
    x.layout.forEach((l, i) => expect([l.name, named.instances[l.name]?.ip]).toEqual([l.name, hostOf(i).address]));
  });

  test("the instances run spread over the hosts, each where the example placed it", async () => {
    const running = await dmProcesses(lab);
    const expected: Record<string, string[]> = Object.fromEntries(lab.hosts.map((h) => [h.name, []]));
    x.layout.forEach((l, i) => expected[hostOf(i).name].push(l.name));
    for (const k of Object.keys(expected)) expected[k].sort();
    expect(running).toEqual(expected);
    expect(Object.values(running).filter((v) => v.length > 0).length).toBeGreaterThanOrEqual(3);
  });

  test("a second up is all unchanged and runs nothing but reads", async () => {
    const m = mark(lab);
    const r = await stack.engine("up");
    expect(outcome(r)).toEqual({ code: 0, tail: "" });
    expect(r.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0, same: x.resources });
    expect(stepLines(r)).toEqual([]);
    const ran = since(lab, m);
    expect(writes(ran)).toEqual([]);
    // The disql runs above were catalog reads: the catalog is what the first up left.
    expect(await catalog()).toEqual(catalogAfterUp);
  });

  test("destroy deletes everything in DM's order (SP, BP, MP) and keeps the data", async () => {
    const m = mark(lab);
    const r = await stack.engine("destroy");
    expect(outcome(r)).toEqual({ code: 0, tail: "" });
    expect(r.summary).toMatchObject({ delete: x.resources });
    expect(await dmProcesses(lab)).toEqual(Object.fromEntries(lab.hosts.map((h) => [h.name, []])));
    for (const h of lab.hosts) {
      const pids = path.join(h.hostDir, "run", "dm");
      expect([h.name, fs.existsSync(pids) ? fs.readdirSync(pids) : []]).toEqual([h.name, []]);
    }
    x.layout.forEach((l, i) => expect(fs.existsSync(path.join(hostOf(i).dataRoot, root, l.name.toLowerCase(), "DAMENG", "dm.ini"))).toBe(true));

    // The first stop command of each instance, in the order the hosts ran them.
    const modeOf = new Map(x.layout.map((l) => [l.name, l.mode]));
    const stops = since(lab, m).map((c) => stoppedInstance(c, root)).filter((n): n is string => n !== undefined);
    const order = [...new Set(stops)];
    expect(order.sort((a, b) => stops.indexOf(a) - stops.indexOf(b)).map((n) => modeOf.get(n))).toEqual(
      [...x.layout.filter((l) => l.mode === "SP"), ...x.layout.filter((l) => l.mode === "BP"), ...x.layout.filter((l) => l.mode === "MP")].map((l) => l.mode),
    );
    expect(new Set(order)).toEqual(new Set(x.layout.map((l) => l.name)));
  });
}
