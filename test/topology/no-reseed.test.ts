/**
 * What the hosts prove decides what may be restored over (issue: converge you can trust). Two
 * three-replica BP groups share hosts and base paths (one dbName each); a group whose members
 * hold a RAFT configuration is never seeded again, however its catalog rows look; a server
 * started by hand the way a DmService unit starts it (`dmserver path=<ini> -noconsole`) is found.
 * Each step is `up` through the local engine, real SSH, the DM simulator, checked in the hosts'
 * command logs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Lab } from "../helpers/lab";
import { commandMark, commandsSince, processes, sql, topologyLab, upTwice as upTwiceOn, type Stack, type TopoInstance, type Topology } from "./helpers";

let lab: Lab;
let stack: Stack;
topologyLab((l, s) => ((lab = l), (stack = s)));

const inst = (name: string, mode: TopoInstance["mode"], host: string, dir: string, portNum: number, apPortNum: number, extra: Partial<TopoInstance> & { dbName?: string } = {}): TopoInstance =>
  ({ name, mode, host, dir, portNum, apPortNum, ...extra }) as TopoInstance;
const MP = inst("MP", "MP", "host1", "nr/mp", 5239, 6003, { mpPort: 9000 });
const SP1 = inst("SP1", "SP", "host1", "nr/sp1", 5236, 6000);
const RAFT_1 = ["host2", "host3", "host4"].map((h, i) => inst(`BP1${i + 1}`, "BP", h, `nr/bp${i + 1}`, 5237, 6001));
// RAFT_2's members live under the same base paths as RAFT_1's, in databases of their own.
const RAFT_2 = ["host2", "host3", "host4"].map((h, i) => inst(`BP2${i + 1}`, "BP", h, `nr/bp${i + 1}`, 5238, 6002, { dbName: "DAMENG2" }));

const base: Topology = {
  instances: [MP, SP1, ...RAFT_1, ...RAFT_2],
  rafts: [
    { name: "RAFT_1", role: "BP", members: RAFT_1.map((m) => m.name) },
    { name: "RAFT_2", role: "BP", members: RAFT_2.map((m) => m.name) },
    { name: "RAFT_SP1", role: "SP", members: ["SP1"] },
  ],
  bpGroups: [{ name: "BG_1", rafts: ["RAFT_1", "RAFT_2"] }],
};

const baseDir = (i: TopoInstance) => path.join(lab.host(i.host).dataRoot, i.dir);
const iniOf = (i: TopoInstance & { dbName?: string }) => path.join(baseDir(i), i.dbName ?? "DAMENG", "dm.ini");

const upTwice = (t: Topology) => upTwiceOn(stack, t);

/** Waits (bounded) until `check` holds; polls every 200 ms. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function rows(statement: string): Promise<string[][]> {
  const r = await sql(lab, "host1", 5239, [statement]);
  if (r.code !== 0) throw new Error(r.out);
  return r.rows;
}

test("two groups seeded on shared hosts and base paths: each backs up into its own set, and no set is left behind", async () => {
  const mark = commandMark(lab);
  await upTwice(base);
  const backups = commandsSince(lab, mark).filter((c) => /dmrman.*BACKUP DATABASE/.test(c.command));
  expect(backups.map((c) => / TO (BACKUP_[A-Z0-9_]+?)_[0-9a-f]{8} BACKUPSET /.exec(c.command)?.[1]).sort()).toEqual(["BACKUP_RAFT_1_SEED", "BACKUP_RAFT_2_SEED"]);
  for (const m of [...RAFT_1, ...RAFT_2]) expect([m.name, fs.readdirSync(baseDir(m)).filter((f) => f.startsWith("BACKUP"))]).toEqual([m.name, []]);
  const created = await sql(lab, "host1", 5236, ["CREATE TABLESPACE TS_KEEP DATAFILE 'TS_KEEP.DBF' SIZE 128;", "CREATE TABLE KEEP1 (ID INT);"]);
  expect({ code: created.code, out: created.code === 0 ? "" : created.out }).toEqual({ code: 0, out: "" });
});

test("check refuses two instances with one host, path and dbName", async () => {
  const clash: Topology = { ...base, instances: base.instances.map((i) => (i.name === "BP21" ? { ...i, dbName: undefined } : i)) as TopoInstance[] };
  const r = await stack.engine("preview", clash);
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/instances\[5\]\.path: instances on one host need their own database directory: .*nr\/bp1\/DAMENG on .* is already instances\[2\]'s/);
});

test("a stopped group, one member restarted by hand as a DmService unit would (no leader recorded), voteIntervalStep changed: up starts and repairs it, restores nothing", async () => {
  const before = await processes(lab);
  for (const m of RAFT_1) expect((await lab.exec(m.host, `kill -TERM ${before[m.name]}`)).code).toBe(0);
  await until("RAFT_1 has exited", async () => Object.keys(await processes(lab)).every((n) => !RAFT_1.some((m) => m.name === n)));
  // BP11 alone, in MOUNT, the DmService way: it cannot be elected alone, and reports STANDBY.
  const bp11 = RAFT_1[0];
  const started = await lab.exec(bp11.host, `cd / && (setsid nohup dmserver path=${iniOf(bp11)} -noconsole dpc_mode=BP MOUNT > /dev/null 2>&1 < /dev/null &)`);
  expect(started.code).toBe(0);
  await until("BP11 reports STANDBY in the MP catalog", async () => (await rows("SELECT NAME, SYS_MODE, SYS_STATUS FROM DPC_INSTANCE;")).some(([n, mode, st]) => n === "BP11" && mode === "STANDBY" && st === "3"));
  expect((await rows("SELECT NAME, SYS_MODE, SYS_STATUS FROM DPC_INSTANCE;")).filter(([n, mode, st]) => /^BP1/.test(n) && mode === "PRIMARY" && st === "4")).toEqual([]);
  const handPid = (await processes(lab)).BP11;

  const mark = commandMark(lab);
  const changed: Topology = { ...base, archive: { voteIntervalStep: 400 } } as Topology;
  await upTwice(changed);
  const ran = commandsSince(lab, mark);
  expect(ran.filter((c) => /RESTORE DATABASE|BACKUP DATABASE/.test(c.command))).toEqual([]);
  // the hand-started server was found (not started a second time), and the group elected a leader
  const now = await processes(lab);
  expect(now.BP11).toBe(handPid);
  for (const m of RAFT_1) expect(now[m.name]).toBeDefined();
  expect((await rows("SELECT NAME, SYS_MODE, SYS_STATUS FROM DPC_INSTANCE;")).filter(([n, mode, st]) => /^BP1/.test(n) && mode === "PRIMARY" && st === "4")).toHaveLength(1);
  // the members' dmarch.ini carry the new step (BP12: 1500 + 400)
  expect((await lab.exec("host3", `grep -E '^RAFT_VOTE_INTERVAL' ${path.join(baseDir(RAFT_1[1]), "DAMENG", "dmarch.ini")}`)).stdout).toMatch(/=\s*1900\b/);
  // the table written before is still there: DM refuses to create it again
  const again = await sql(lab, "host1", 5236, ["CREATE TABLE KEEP1 (ID INT);"]);
  expect(again.code).not.toBe(0);
  expect(again.out).toMatch(/KEEP1/);
});

/** RAFT_1's open leader in the MP catalog. */
async function leaderOfRaft1(): Promise<string | undefined> {
  return (await rows("SELECT NAME, SYS_MODE, SYS_STATUS FROM DPC_INSTANCE;")).find(([n, mode, st]) => /^BP1/.test(n) && mode === "PRIMARY" && st === "4")?.[0];
}

let current: Topology = { ...base, archive: { voteIntervalStep: 400 } } as Topology;
const BP14 = inst("BP14", "BP", "host1", "nr/bp4", 5241, 6005);
const BP15 = inst("BP15", "BP", "host3", "nr/bp5", 5241, 6005);

test("RAFT_1's leader killed, two members added in the same up: only the newcomers are restored, the killed one rejoins, the data stays", async () => {
  const leader = await leaderOfRaft1();
  expect(leader).toBeDefined();
  const victim = RAFT_1.find((m) => m.name === leader)!;
  const pid = (await processes(lab))[victim.name];
  expect((await lab.exec(victim.host, `kill -KILL ${pid}`)).code).toBe(0);
  await until(`${victim.name} is gone`, async () => (await processes(lab))[victim.name] === undefined);

  const mark = commandMark(lab);
  const grown: Topology = {
    ...current,
    instances: [...current.instances, BP14, BP15],
    rafts: current.rafts.map((r) => (r.name === "RAFT_1" ? { ...r, members: [...r.members, "BP14", "BP15"] } : r)),
  };
  await upTwice(grown);
  current = grown;
  const restores = commandsSince(lab, mark).filter((c) => /RESTORE DATABASE/.test(c.command));
  expect(restores.map((c) => /RESTORE DATABASE [^/]*(\/[^'\\]*\/dm\.ini)/.exec(c.command)?.[1]).sort()).toEqual([iniOf(BP14), iniOf(BP15)].sort());
  const now = await processes(lab);
  for (const m of [...RAFT_1, BP14, BP15]) expect([m.name, now[m.name] !== undefined]).toEqual([m.name, true]);
  expect(await leaderOfRaft1()).toBeDefined();
  const again = await sql(lab, "host1", 5236, ["CREATE TABLE KEEP1 (ID INT);"]);
  expect(again.code).not.toBe(0);
  expect(again.out).toMatch(/KEEP1/);
});

test("a registration change DM takes only after a full restart (SP_MODIFY_DPC_INSTANCE) is refused, nothing applied; a replaced SP is re-registered instead", async () => {
  const regOf = async (name: string) => (await rows("SELECT NAME, IP_EXTERNAL, INST_PORT FROM DPC_INSTANCE;")).find(([n]) => n === name);
  const before = await regOf("SP1");
  const mark = commandMark(lab);
  const external: Topology = { ...current, instances: current.instances.map((i) => (i.name === "SP1" ? { ...i, ipExternal: "10.9.9.9" } : i)) as TopoInstance[] };
  const refused = await stack.engine("up", external);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toMatch(/SP1's registration in the MP differs from the inputs \(IP_EXTERNAL .* → 10\.9\.9\.9\).*applies it only after the whole cluster restarts/);
  expect(commandsSince(lab, mark).filter((c) => /SP_MODIFY_DPC_INSTANCE/.test(c.command))).toEqual([]);
  expect(await regOf("SP1")).toEqual(before);
  // the same for a member of a multi-replica group: refused, not silently taken as done
  const bpBefore = await regOf("BP12");
  const bpExternal: Topology = { ...current, instances: current.instances.map((i) => (i.name === "BP12" ? { ...i, ipExternal: "10.9.9.8" } : i)) as TopoInstance[] };
  const bpRefused = await stack.engine("up", bpExternal);
  expect(bpRefused.code).not.toBe(0);
  expect(bpRefused.out).toMatch(/BP12's registration in the MP differs from the inputs \(IP_EXTERNAL .* → 10\.9\.9\.8\)/);
  expect(await regOf("BP12")).toEqual(bpBefore);
  expect(commandsSince(lab, mark).filter((c) => /SP_MODIFY_DPC_INSTANCE/.test(c.command))).toEqual([]);

  // A new SP database on a new port: the old registration leaves and the new one comes in.
  const moved: Topology = { ...current, instances: current.instances.map((i) => (i.name === "SP1" ? { ...i, portNum: 5246, dir: "nr/sp1b" } : i)) as TopoInstance[] };
  const mark2 = commandMark(lab);
  const r = await upTwice(moved);
  current = moved;
  expect(r.summary).toMatchObject({ replace: 1 });
  const sqlRun = commandsSince(lab, mark2).filter((c) => /disql/.test(c.command));
  expect(sqlRun.filter((c) => /SP_MODIFY_DPC_INSTANCE/.test(c.command))).toEqual([]);
  expect((await regOf("SP1"))?.[2]).toBe("5246");
  expect((await sql(lab, "host1", 5246, ["CREATE TABLE T2 (ID INT);", "DROP TABLE T2;"])).code).toBe(0);
});

test("deleteData never removes the directory of a running server: the replacement is refused naming the pid; once it is stopped, up replaces it", async () => {
  const sp1 = current.instances.find((i) => i.name === "SP1")!;
  const dir = path.join(baseDir(sp1), "DAMENG");
  // deleteData is set first (check asks for it before a database at the same path is replaced)
  const flagged: Topology = { ...current, instances: current.instances.map((i) => (i.name === "SP1" ? { ...i, deleteData: true } : i)) as TopoInstance[] };
  await upTwice(flagged);
  current = flagged;
  const replace: Topology = { ...current, instances: current.instances.map((i) => (i.name === "SP1" ? { ...i, pageSize: 16 } : i)) as TopoInstance[] };
  const pid = (await processes(lab)).SP1;
  fs.writeFileSync(path.join(dir, "old-database-marker"), "");
  const mark = commandMark(lab);
  const refused = await stack.engine("up", replace);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toContain(`a dmserver is running on ${dir} (pid ${pid})`);
  expect(commandsSince(lab, mark).filter((c) => /rm -rf/.test(c.command))).toEqual([]);
  expect(fs.existsSync(path.join(dir, "dm.ini"))).toBe(true);

  expect((await lab.exec(sp1.host, `kill -TERM ${pid}`)).code).toBe(0);
  await until("SP1 has exited", async () => (await processes(lab)).SP1 === undefined);
  const r = await upTwice(replace);
  expect(r.summary).toMatchObject({ replace: 1 });
  // a new database in the same place: the old directory went, with what was in it
  expect(fs.existsSync(path.join(dir, "old-database-marker"))).toBe(false);
  expect(fs.existsSync(path.join(dir, "dm.ini"))).toBe(true);
  expect((await processes(lab)).SP1).toBeDefined();
});
