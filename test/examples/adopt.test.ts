/**
 * `adopt: true`: a DMDPC cluster built by hand with the seed's 7.1 procedure (dminit, mp.ini with
 * echo, the MP started, the catalog registered with disql, SP and BPs started), spread over four
 * lab hosts, is taken over by a program declaring the same cluster, with no operation. Without
 * adopt the same program refuses, naming the database, and touches nothing.
 */
import * as path from "node:path";
import { ok, startServer, type DmHost } from "../lab/fixtures/dmlab";
import { dpcProgram, labOf, mark, outcome, readCatalog, since, stepLines, writes, type CatalogRows, type EngineRun, type Lab, type Stack } from "./helpers";

jest.setTimeout(300_000);

/** The seed's instances and ports; the seed's password (dminit's default). */
const SEED = [
  { name: "MP", mode: "MP", host: "host1", portNum: 5239, apPortNum: 6003 },
  { name: "SP1", mode: "SP", host: "host2", portNum: 5236, apPortNum: 6000 },
  { name: "BP1", mode: "BP", host: "host3", portNum: 5237, apPortNum: 6001 },
  { name: "BP2", mode: "BP", host: "host4", portNum: 5238, apPortNum: 6002 },
] as const;
const PASSWORD = "SYSDBA001";

const topology = (adopt: boolean | undefined) => ({
  sysdbaPassword: PASSWORD,
  secretPassword: true,
  adopt,
  instances: SEED.map((i) => ({ ...i, dir: `seed71/${i.name.toLowerCase()}`, mpPort: i.mode === "MP" ? 9000 : undefined, description: `${i.mode} instance` })),
  rafts: [
    { name: "RAFT_1", role: "BP", members: ["BP1"] },
    { name: "RAFT_2", role: "BP", members: ["BP2"] },
    { name: "RAFT_SP1", role: "SP", members: ["SP1"] },
  ],
  bpGroups: [{ name: "BG_1", description: "bp group1", rafts: ["RAFT_1", "RAFT_2"] }],
  faultDomains: [{ name: "FDOM_1", description: "shanghai", instances: ["MP", "BP1", "BP2"] }],
});

let lab: Lab;
let stack: Stack;
let seeded: CatalogRows;
const dmHost = (name: string): DmHost => {
  const h = lab.host(name);
  return { name, addr: h.address, hostDir: h.hostDir, dataRoot: h.dataRoot, run: (command, stdin) => lab.exec(name, command, stdin ?? "") };
};
const addr = (host: string) => lab.host(host).address;
const db = (i: (typeof SEED)[number]) => path.join(lab.host(i.host).dataRoot, "seed71", i.name.toLowerCase());
/** The DM resources' steps (the stack and the DpcCluster component are not DM resources). */
const dmSteps = (r: EngineRun) => r.events.filter((e) => e.step && /dynamic\/dm:/.test(e.step.type)).map((e) => `${e.step.op} ${e.step.name}`);
const catalog = () => readCatalog(lab, "host1", { ip: addr("host1"), port: 5239, password: PASSWORD });

beforeAll(async () => {
  lab = await labOf(4);
  // Seed 7.1.1-7.1.7, each instance on its own host.
  for (const i of SEED) {
    const h = dmHost(i.host);
    await ok(h, `dminit path=${db(i)} instance_name=${i.name} port_num=${i.portNum} ap_port_num=${i.apPortNum} dpc_mode=${i.mode}`);
    await ok(h, `echo mp_host = ${addr("host1")} > ${db(i)}/DAMENG/mp.ini`);
    await ok(h, `echo 'mp_port = 9000      #与MP、BP和SP上的ap_port_num不冲突的端口号' >> ${db(i)}/DAMENG/mp.ini`);
  }
  await startServer(dmHost("host1"), `${db(SEED[0])}/DAMENG/dm.ini dpc_mode=MP`, "MP");
  const ip = (n: number) => addr(SEED[n].host);
  const script = `
SP_CREATE_DPC_INSTANCE(NULL,'MP','MP',6003,5239, '${ip(0)}', '${ip(0)}','NORMAL',1,'MP instance');
SP_CREATE_DPC_RAFT('BP','RAFT_1');
SP_CREATE_DPC_INSTANCE('RAFT_1','BP1','BP',6001,5237, '${ip(2)}', '${ip(2)}','NORMAL',1,'BP instance');
SP_CREATE_DPC_RAFT('BP', 'RAFT_2');
SP_CREATE_DPC_INSTANCE('RAFT_2','BP2','BP',6002,5238, '${ip(3)}', '${ip(3)}', 'NORMAL', 1, 'BP instance');
SP_CREATE_DPC_BP_GROUP('BG_1', 'bp group1');
SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_1');
SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_2');
SP_CREATE_DPC_RAFT('SP', 'RAFT_SP1');
SP_CREATE_DPC_INSTANCE('RAFT_SP1','SP1','SP',6000,5236, '${ip(1)}', '${ip(1)}','NORMAL', 2, 'SP instance');
SP_CREATE_FAULT_DOMAIN ('FDOM_1','shanghai');
SP_FAULT_DOMAIN_MV_INST('FDOM_1','MP');
SP_FAULT_DOMAIN_MV_INST('FDOM_1','BP1');
SP_FAULT_DOMAIN_MV_INST('FDOM_1','BP2');
`;
  const out = await ok(dmHost("host1"), `disql SYSDBA/${PASSWORD}@${addr("host1")}:5239`, script);
  if (/出现错误/.test(out)) throw new Error(out);
  for (const i of SEED.slice(1)) await startServer(dmHost(i.host), `${db(i)}/DAMENG/dm.ini dpc_mode=${i.mode}`, i.name);
  seeded = await catalog();
  stack = dpcProgram(lab, topology(undefined));
}, 180_000);

afterAll(async () => {
  await lab?.stop();
});

test("without adopt, up refuses: it names each existing database and says how to take it over", async () => {
  const m = mark(lab);
  const r = await stack.engine("up");
  expect(r.code).not.toBe(0);
  for (const i of SEED) expect(r.out).toContain(`a database already exists at ${db(i)}/DAMENG (INSTANCE_NAME ${i.name}); set adopt: true to take it over`);
  expect(writes(since(lab, m))).toEqual([]);
  expect(stepLines(r)).toEqual([]);
  expect(dmSteps(r)).toEqual([]);
  expect(await catalog()).toEqual(seeded);
});

test("a second up without adopt refuses the same way (a refusal is not a half-made resource)", async () => {
  const m = mark(lab);
  const r = await stack.engine("up");
  expect(r.code).not.toBe(0);
  for (const i of SEED) expect(r.out).toContain(`a database already exists at ${db(i)}/DAMENG`);
  expect(writes(since(lab, m))).toEqual([]);
  expect(dmSteps(r)).toEqual([]);
  expect(await catalog()).toEqual(seeded);
});

test("with adopt: true, up takes every resource into state and runs nothing but reads", async () => {
  const m = mark(lab);
  const r = await stack.withEnv({ DPC_TOPOLOGY: JSON.stringify(topology(true)) }).engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  // The refused runs left the stack and the component in state; every DM resource is created now.
  expect(r.summary).toMatchObject({ create: 10, update: 0, delete: 0, replace: 0, same: 2 });
  expect(dmSteps(r).filter((s) => s.startsWith("create "))).toHaveLength(10);
  expect(stepLines(r)).toEqual([]);
  const ran = since(lab, m);
  expect(ran.length).toBeGreaterThan(0);
  expect(writes(ran)).toEqual([]);
  expect(await catalog()).toEqual(seeded);
  const o = await stack.outputs();
  expect(o.leaders).toEqual({ MP_RAFT: "MP", RAFT_1: "BP1", RAFT_2: "BP2", RAFT_SP1: "SP1" });
  expect(o.spEndpoints).toEqual([`${addr("host2")}:5236`]);
});

test("a second up with adopt is all unchanged", async () => {
  const m = mark(lab);
  const r = await stack.withEnv({ DPC_TOPOLOGY: JSON.stringify(topology(true)) }).engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(r.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0, same: 12 });
  expect(stepLines(r)).toEqual([]);
  expect(writes(since(lab, m))).toEqual([]);
});
