/**
 * The online join and the online removal of MP replicas (DM8 manual §8.2.2.2.1-2: MP_RAFT 3 → 5
 * → 3) interrupted at each step of the manual's procedure by lab faults, through the local
 * engine: after the leader's online backup (a newcomer's restore fails), after the restore (its
 * MOUNT start fails), after the learners started (SP_ADD_RAFT_LEARNER fails), after they were
 * added (SP_ALTER_RAFT_NODE fails), after the configuration changed (the newcomer's host goes down
 * before its dmarch.ini is rewritten), and a removal cut after SP_ALTER_RAFT_NODE. Each time a
 * refresh works and says the group is not in sync, the next `up` finishes from what the database
 * and the hosts show (membership read back from V$GLOBAL_RAFT_INFO; the table written before is
 * still there), and a third `up` plans nothing. The last removal is cut short and followed by a
 * `destroy`.
 *
 * One lab; the group goes back to three between joins by the product's own removal (the
 * newcomers' Instances have deleteData, so each join starts from new, blank databases).
 */
import * as path from "node:path";
import { startLab, type Lab } from "../helpers/lab";
import { commandMark, commandsSince, failurePending as failurePendingOn, processes, sql, Stack, upCutAt as cutAt, type Run, type TopoInstance, type Topology } from "../topology/helpers";

jest.setTimeout(600_000);

let lab: Lab;
let stack: Stack;

const inst = (name: string, host: string, portNum: number, apPortNum: number, mpPort: number, extra: Partial<TopoInstance> = {}): TopoInstance => ({
  name, mode: "MP", host, dir: `ij/${name.toLowerCase()}`, portNum, apPortNum, mpPort, ...extra,
});
const MPS = [
  inst("MP1", "host1", 5239, 6003, 9000),
  inst("MP2", "host2", 5239, 6003, 9000),
  inst("MP3", "host3", 5239, 6003, 9000),
  // The newcomers' directories go with their Instances, so that the next join finds them blank.
  inst("MP4", "host4", 5239, 6003, 9000, { deleteData: true }),
  inst("MP5", "host1", 5241, 6005, 9001, { deleteData: true }),
];
const hostOf = (name: string) => MPS.find((m) => m.name === name)!.host;
const SP1: TopoInstance = { name: "SP1", mode: "SP", host: "host2", dir: "ij/sp1", portNum: 5236, apPortNum: 6000 };
const BP1: TopoInstance = { name: "BP1", mode: "BP", host: "host3", dir: "ij/bp1", portNum: 5237, apPortNum: 6001 };
const topology = (mps: number): Topology => ({
  instances: [...MPS.slice(0, mps), SP1, BP1],
  rafts: [{ name: "RAFT_1", role: "BP", members: ["BP1"] }, { name: "RAFT_SP1", role: "SP", members: ["SP1"] }],
  bpGroups: [{ name: "BG_1", rafts: ["RAFT_1"] }],
});
const THREE = topology(3);
const FIVE = topology(5);

const errors = (r: Run) => r.events.filter((e) => e.diag?.severity === "error").map((e) => `${String(e.diag.urn ?? "").split("::").pop()}: ${String(e.diag.message)}`);
const why = (r: Run) => `exit ${r.code}\n${errors(r).join("\n").slice(0, 4000)}\n${r.out.split("\n").filter((l) => /FAILED|failed|error/i.test(l)).slice(-20).join("\n").slice(-4000)}`;
const ok = (r: Run) => expect({ code: r.code, why: r.code === 0 ? "" : why(r) }).toEqual({ code: 0, why: "" });

const failurePending = (host: string, tool: string) => failurePendingOn(lab, host, tool);

/** The up failed on MP_RAFT only, with a message matching `step` and the advice to run up again. */
function expectFailed(r: Run, step: RegExp): void {
  expect(r.code).not.toBe(0);
  const failed = [...new Set(errors(r).map((e) => e.split(":")[0]).filter((n) => n.startsWith("topo-")))];
  expect({ failed, why: "" }).toEqual({ failed: ["topo-MP_RAFT"], why: "" });
  expect(errors(r).join("\n")).toMatch(step);
}

/** A refresh right after a failed up works, and says that MP_RAFT is not in sync (what the next up would run). */
async function expectRefreshSays(x: Topology, pending: RegExp): Promise<void> {
  const r = await stack.engine("refresh", x);
  ok(r);
  expect(errors(r)).toEqual([]);
  const drift = r.out.split("\n").filter((l) => l.includes("MP_RAFT") && /drift/.test(l)).join("\n");
  expect(drift).toMatch(pending);
}

/** The next up finishes (MP_RAFT updated, nothing replaced), then an up that plans nothing. */
async function finish(x: Topology, deleted: string[] = [], updated = true): Promise<void> {
  const r = await stack.engine("up", x);
  ok(r);
  if (updated) expect(stack.steps(r, "update")).toContain("topo-MP_RAFT");
  expect(stack.steps(r, "replace")).toEqual([]);
  expect(stack.steps(r, "delete")).toEqual(deleted.map((n) => `topo-${n}`).sort());
  const again = await stack.engine("up", x);
  ok(again);
  expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
  expect(again.out).not.toMatch(/plan: phase/);
}

/** MP_RAFT as the database shows it: V$GLOBAL_RAFT_INFO's rows of RAFT 0 (members, learners, leader). */
async function mpGroup(): Promise<{ members: string[]; learners: string[]; leader: string[] }> {
  const r = await sql(lab, "host1", 5239, ["SELECT INSTANCE_NAME, RAFT_ID, IS_LEARNER, RAFT_STAT FROM V$GLOBAL_RAFT_INFO WHERE RAFT_ID = 0;"]);
  if (r.code !== 0) throw new Error(r.out);
  return {
    members: r.rows.map((x) => x[0]).sort(),
    learners: r.rows.filter((x) => x[2] !== "FALSE").map((x) => x[0]).sort(),
    leader: r.rows.filter((x) => x[3] === "LEADER").map((x) => x[0]),
  };
}

/** The group has every member of `x` voting, the leader `leader`, and the table written at the start. */
async function expectWhole(x: Topology, leader: string): Promise<void> {
  const g = await mpGroup();
  expect(g).toEqual({ members: x.instances.filter((i) => i.mode === "MP").map((i) => i.name).sort(), learners: [], leader: [leader] });
  // DM refuses to create the table again: it is still in the catalog the MPs replicate.
  const again = await sql(lab, "host2", 5236, ["CREATE TABLE KEEP1 (ID INT);"]);
  expect(again.code).not.toBe(0);
  expect(again.out).toMatch(/KEEP1/);
}

let leader = "";
const leaderHost = () => hostOf(leader);

beforeAll(async () => {
  lab = await startLab({ hosts: 4 });
  stack = new Stack(lab);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  stack?.remove();
});

test("0. three MPs, an SP and a BP; a table written through the SP", async () => {
  await finish(THREE, [], false);
  leader = (await mpGroup()).leader[0];
  expect(leader).toMatch(/^MP[123]$/);
  const created = await sql(lab, "host2", 5236, ["CREATE TABLESPACE TS_KEEP DATAFILE 'TS_KEEP.DBF' SIZE 128;", "CREATE TABLE KEEP1 (ID INT);"]);
  expect({ code: created.code, out: created.code === 0 ? "" : created.out }).toEqual({ code: 0, out: "" });
});

test("1. join cut after the leader's backup (MP4's restore fails), then after the restore (MP4's start fails): the third up adds both", async () => {
  // host4 runs dmrman and dmserver only for MP4.
  await lab.fault("host4", "fail", "dmrman", 1);
  const first = await stack.engine("up", FIVE);
  expect(failurePending("host4", "dmrman")).toBe(false);
  expectFailed(first, /dmrman failed .*MP4/);
  // The state keeps the inputs last applied (three MPs): MP4 and MP5, registered, are a join cut short.
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);
  // Whether MP5 (host1) was restored before MP4's restore failed: then it is the group's learner
  // (RAFT self id), and no later up may restore over it.
  const mp5Arch = path.join(lab.host("host1").dataRoot, "ij/mp5/DAMENG/dmarch.ini");
  const mp5Joined = /RAFT_SELF_ID/.test((await lab.exec("host1", `cat ${mp5Arch} 2>/dev/null || true`)).stdout);
  const mark = commandMark(lab);

  await lab.fault("host4", "fail", "dmserver", 1);
  const second = await stack.engine("up", FIVE);
  expect(failurePending("host4", "dmserver")).toBe(false);
  expectFailed(second, /start failed .*MOUNT \(MP4\)/);
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);

  await finish(FIVE);
  await expectWhole(FIVE, leader);
  const restores = commandsSince(lab, mark).filter((c) => /CTLSTMT=RESTORE DATABASE/.test(c.command)).map((c) => (/RESTORE DATABASE [^ ]*?(ij\/mp\d)\/DAMENG\/dm\.ini/.exec(c.command) ?? ["", "?"])[1]);
  // The second up restored MP4 (still blank), and MP5 only if it had not been restored yet; the third none.
  expect(restores.sort()).toEqual(mp5Joined ? ["ij/mp4"] : ["ij/mp4", "ij/mp5"]);
});

test("2. removal cut after SP_ALTER_RAFT_NODE (the unregistration fails): refresh, then the next up finishes it", async () => {
  const failed = await upCutAt(THREE, /MP_RAFT .*SP_ALTER_RAFT_NODE\('MP1\/MP2\/MP3'\).* \.\.\. ok/);
  expectFailed(failed, /SP_DROP_DPC_INSTANCE\('MP4'\)/);
  // The state keeps the inputs last applied (five MPs): what an up with those would run.
  await expectRefreshSays(THREE, /drift: the next up would run: .*\(MP4\)/);

  await finish(THREE, ["MP4", "MP5"]);
  await expectWhole(THREE, leader);
  const now = await processes(lab);
  expect([now.MP4, now.MP5]).toEqual([undefined, undefined]);
});

/** An up of `x` that sets `fail disql` on the leader's host once a line matches `at`. */
async function upCutAt(x: Topology, at: RegExp): Promise<Run> {
  const { run, cut, pending } = await cutAt(stack, x, leaderHost, at);
  expect({ cut, pending }).toEqual({ cut: true, pending: false });
  return run;
}

test("3. join cut after the learners started (SP_ADD_RAFT_LEARNER fails), then after they were added (SP_ALTER_RAFT_NODE fails): the third up votes them in", async () => {
  // The next disql on the leader's host after its online backup is SP_ADD_RAFT_LEARNER (restores and starts run no disql).
  const first = await upCutAt(FIVE, /MP_RAFT .*BACKUP DATABASE FULL BACKUPSET .* \.\.\. ok/);
  expectFailed(first, /SP_ADD_RAFT_LEARNER\('MP4'/);
  expect((await processes(lab)).MP4).toBeDefined();
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);

  // The next disql there after the wait for the learners is SP_ALTER_RAFT_NODE.
  const second = await upCutAt(FIVE, /MP_RAFT .*wait until MP4, MP5 follow the leader.* \.\.\. ok/);
  expectFailed(second, /SP_ALTER_RAFT_NODE\('MP1\/MP2\/MP3\/MP4\/MP5'\)/);
  expect((await mpGroup()).learners).toEqual(["MP4", "MP5"]);
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);

  await finish(FIVE);
  await expectWhole(FIVE, leader);
});

test("4. back to three (the product's own removal)", async () => {
  await finish(THREE, ["MP4", "MP5"]);
  await expectWhole(THREE, leader);
});

test("5. join cut after SP_ALTER_RAFT_NODE, before the newcomers' dmarch.ini were rewritten (MP4's host goes down): the next up starts MP4 and only finishes the files", async () => {
  let slowed: Promise<unknown> | undefined;
  let downed: Promise<unknown> | undefined;
  const failed = await stack.engine("up", FIVE, {
    onLine: (l) => {
      // host4 has nothing to do while the leader waits for the learners: slow its SSH down then, so
      // that the host is down before the step after SP_ALTER_RAFT_NODE (MP4's dmarch.ini) reaches it.
      if (!slowed && /MP_RAFT .*SP_ADD_RAFT_LEARNER\('MP4'.* \.\.\. ok/.test(l)) slowed = lab.fault("host4", "latency", 5000);
      if (!downed && /MP_RAFT .*SP_ALTER_RAFT_NODE\('MP1\/MP2\/MP3\/MP4\/MP5'\).* \.\.\. ok/.test(l)) downed = lab.fault("host4", "down");
    },
  });
  expect(downed).toBeDefined();
  await slowed;
  await downed;
  expect(failed.code).not.toBe(0);
  expect(errors(failed).join("\n")).toMatch(/MP_RAFT.*127\.[\d.]+\.4\b/);
  await lab.fault("host4", "latency", 0);
  await lab.fault("host4", "up");
  // MP4's file still says learner (the rewrite never reached it); it is a voter all the same.
  const dmarch = await lab.exec("host4", `cat ${path.join(lab.host("host4").dataRoot, "ij/mp4/DAMENG/dmarch.ini")}`);
  expect(dmarch.stdout).toMatch(/RAFT_LEARNER\s*=\s*1/);
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);

  await finish(FIVE);
  await expectWhole(FIVE, leader);
  expect((await lab.exec("host4", `cat ${path.join(lab.host("host4").dataRoot, "ij/mp4/DAMENG/dmarch.ini")}`)).stdout).not.toMatch(/RAFT_LEARNER\s*=\s*1/);
});

test("6. removal cut after SP_ALTER_RAFT_NODE, then destroy instead of up: everything stops", async () => {
  const failed = await upCutAt(THREE, /MP_RAFT .*SP_ALTER_RAFT_NODE\('MP1\/MP2\/MP3'\).* \.\.\. ok/);
  expectFailed(failed, /SP_DROP_DPC_INSTANCE\('MP4'\)/);
  await expectRefreshSays(THREE, /drift: the next up would run/);
  // RAFT_1 would keep its data (DM drops no instance of a group holding tables): the user drops them first.
  const dropped = await sql(lab, "host2", 5236, ["DROP TABLE KEEP1;", "DROP TABLESPACE TS_KEEP;"]);
  expect({ code: dropped.code, out: dropped.code === 0 ? "" : dropped.out }).toEqual({ code: 0, out: "" });
  const destroyed = await stack.engine("destroy", THREE);
  ok(destroyed);
  expect(errors(destroyed)).toEqual([]);
  expect(await processes(lab)).toEqual({});
});
