/**
 * MP replicas through the engine, as the DM8 manual adds and removes them (DMDPC 集群的管理与
 * 使用 §8.2.2.2.1, §8.2.2.2.2): a cluster whose MP group has three members grows to five online
 * (learners restored from the MP leader's online backup with its BAK_MAGIC and RECOVER FOR
 * STANDBY, added and voted in on the MP leader), then shrinks back. No running member restarts,
 * the leader stays, and a second `up` changes nothing.
 */
import { startLab, type Lab } from "../helpers/lab";
import { commandMark, commandsSince, processes, sql, Stack, type TopoInstance, type Topology, type Run } from "./helpers";

let lab: Lab;
let stack: Stack;

const inst = (name: string, mode: TopoInstance["mode"], host: string, portNum: number, apPortNum: number, extra: Partial<TopoInstance> = {}): TopoInstance => ({
  name, mode, host, dir: `mpr/${name.toLowerCase()}`, portNum, apPortNum, ...extra,
});
const MPS = [
  inst("MP1", "MP", "host1", 5239, 6003, { mpPort: 9000 }),
  inst("MP2", "MP", "host2", 5239, 6003, { mpPort: 9000 }),
  inst("MP3", "MP", "host3", 5239, 6003, { mpPort: 9000 }),
  inst("MP4", "MP", "host4", 5239, 6003, { mpPort: 9000 }),
  inst("MP5", "MP", "host1", 5241, 6005, { mpPort: 9001 }),
];
const SP1 = inst("SP1", "SP", "host2", 5236, 6000);
const BP1 = inst("BP1", "BP", "host3", 5237, 6001);
const topology = (mps: number): Topology => ({
  instances: [...MPS.slice(0, mps), SP1, BP1],
  rafts: [{ name: "RAFT_1", role: "BP", members: ["BP1"] }, { name: "RAFT_SP1", role: "SP", members: ["SP1"] }],
  bpGroups: [{ name: "BG_1", rafts: ["RAFT_1"] }],
});

const ok = (r: Run) => expect({ code: r.code, tail: r.code === 0 ? "" : r.out.split("\n").filter((l) => /FAILED|failed|error/i.test(l)).join("\n").slice(-4000) }).toEqual({ code: 0, tail: "" });
async function upTwice(next: Topology): Promise<Run> {
  const r = await stack.engine("up", next);
  ok(r);
  const again = await stack.engine("up", next);
  ok(again);
  expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
  return r;
}

/** The MP rows of DPC_INSTANCE (name, SYS_MODE, SYS_STATUS), read on MP1. */
async function mpRows(): Promise<string[][]> {
  const r = await sql(lab, "host1", 5239, ["SELECT NAME, SYS_MODE, SYS_STATUS FROM DPC_INSTANCE WHERE DPC_MODE = 'MP' ORDER BY NAME;"]);
  expect(r.code).toBe(0);
  return r.rows;
}
const mpLeader = async () => (await mpRows()).find((x) => x[1] === "PRIMARY" && x[2] === "4")?.[0];

beforeAll(async () => {
  lab = await startLab({ hosts: 4 });
  stack = new Stack(lab);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  stack?.remove();
});

test("an MP group of three, an SP and a BP", async () => {
  await upTwice(topology(3));
  expect((await mpRows()).map((x) => x[0])).toEqual(["MP1", "MP2", "MP3"]);
  expect(await mpLeader()).toBeDefined();
}, 300_000);

test("8.2.2.2.1: MP4 and MP5 join online, added and voted in on the MP leader; nothing running restarts", async () => {
  const leader = (await mpLeader())!;
  const before = await processes(lab);
  const mark = commandMark(lab);
  const r = await upTwice(topology(5));
  expect((await mpRows()).map((x) => [x[0], x[2]])).toEqual(["MP1", "MP2", "MP3", "MP4", "MP5"].map((n) => [n, "4"]));
  expect(await mpLeader()).toBe(leader);
  const now = await processes(lab);
  for (const [name, pid] of Object.entries(before)) expect([name, now[name]]).toEqual([name, pid]);
  // the manual's statements: the leader's online backup, its set restored with its BAK_MAGIC, FOR STANDBY
  // BAK_USE_AP = 2 in the leader's memory first: the backup needs no DMAP (sql.ts onlineBackup)
  expect(r.out).toContain(`disql ${leader}: SP_SET_PARA_VALUE(0, 'BAK_USE_AP', 2); BACKUP DATABASE FULL BACKUPSET`);
  expect(r.out).toMatch(new RegExp(`disql ${leader}: SP_ADD_RAFT_LEARNER\\('MP4', '[\\d.]+', 6003, 4\\); SP_ADD_RAFT_LEARNER\\('MP5', '[\\d.]+', 6005, 5\\);`));
  expect(r.out).toContain(`disql ${leader}: SP_ALTER_RAFT_NODE('MP1/MP2/MP3/MP4/MP5');`);
  const restores = commandsSince(lab, mark).filter((x) => /CTLSTMT=RESTORE DATABASE/.test(x.command));
  expect(restores.map((x) => x.host).sort()).toEqual(["host1", "host4"]);
  for (const x of restores) {
    expect(x.command).toMatch(new RegExp(`CTLSTMT=SHOW BACKUPSET [^ ]*_JOIN_\\w+_${leader}\\b`));
    expect(x.command).toMatch(/CTLSTMT=RECOVER DATABASE .* FOR STANDBY FROM BACKUPSET .* USE BAK_MAGIC .*\$magic.* UNTIL END_LSN/);
  }
  expect(commandsSince(lab, mark).filter((x) => /kill -(TERM|USR1)/.test(x.command))).toEqual([]);
}, 400_000);

test("8.2.2.2.2: back to three: the configuration changed on the MP leader, MP4 and MP5 stop, then leave the catalog", async () => {
  const leader = (await mpLeader())!;
  const r = await upTwice(topology(3));
  expect(r.out).toContain(`disql ${leader}: SP_ALTER_RAFT_NODE('MP1/MP2/MP3');`);
  expect(r.out).toMatch(/SP_DROP_DPC_INSTANCE\('MP4'\); SP_DROP_DPC_INSTANCE\('MP5'\);/);
  expect((await mpRows()).map((x) => x[0])).toEqual(["MP1", "MP2", "MP3"]);
  expect(await mpLeader()).toBe(leader);
  const now = await processes(lab);
  expect([now.MP4, now.MP5]).toEqual([undefined, undefined]);
}, 400_000);
