/**
 * MP replicas through the engine, as the DM8 manual adds and removes them (DMDPC 集群的管理与
 * 使用 §8.2.2.2.1, §8.2.2.2.2): a cluster whose MP group has three members grows to five online
 * (learners restored from the MP leader's online backup with its BAK_MAGIC and RECOVER FOR
 * STANDBY, added and voted in on the MP leader), then shrinks back. No running member restarts,
 * the leader stays, and a second `up` changes nothing.
 *
 * Then the same join and removal interrupted at each step of the manual's procedure by lab faults:
 * after the leader's online backup (a newcomer's restore fails), after the restore (its MOUNT
 * start fails), after the learners started (SP_ADD_RAFT_LEARNER fails), after they were added
 * (SP_ALTER_RAFT_NODE fails), after the configuration changed (the newcomer's host goes down
 * before its dmarch.ini is rewritten); a removal cut after SP_ALTER_RAFT_NODE, whose giving up (an
 * up of the old inputs) is refused. Each time a refresh
 * works and says the group is not in sync, the next `up` finishes from what the database and the
 * hosts show (membership read back from V$GLOBAL_RAFT_INFO; the table written at the start is
 * still there), and a further `up` plans nothing. The last removal cut short is followed by
 * `destroy`. The group goes back to three between joins by the product's own removal (the
 * newcomers' Instances have deleteData, so each join starts from new, blank databases).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Lab } from "../helpers/lab";
import { commandMark, commandsSince, expectFinishedThenQuiet, expectOk as ok, failurePending as failurePendingOn, instancesUnder, processes, sql, topologyLab, upFailingAt, upTwice as upTwiceOn, type Stack, type Topology, type Run } from "./helpers";

jest.setTimeout(400_000);

let lab: Lab;
let stack: Stack;
topologyLab((l, s) => ((lab = l), (stack = s)));

const inst = instancesUnder("mpr");
const MPS = [
  inst("MP1", "MP", "host1", 5239, 6003, { mpPort: 9000 }),
  inst("MP2", "MP", "host2", 5239, 6003, { mpPort: 9000 }),
  inst("MP3", "MP", "host3", 5239, 6003, { mpPort: 9000 }),
  // The newcomers' directories go with their Instances, so that each join finds them blank.
  inst("MP4", "MP", "host4", 5239, 6003, { mpPort: 9000, deleteData: true }),
  inst("MP5", "MP", "host1", 5241, 6005, { mpPort: 9001, deleteData: true }),
];
const hostOf = (name: string) => MPS.find((m) => m.name === name)!.host;
const SP1 = inst("SP1", "SP", "host2", 5236, 6000);
const BP1 = inst("BP1", "BP", "host3", 5237, 6001);
const topology = (mps: number): Topology => ({
  instances: [...MPS.slice(0, mps), SP1, BP1],
  rafts: [{ name: "RAFT_1", role: "BP", members: ["BP1"] }, { name: "RAFT_SP1", role: "SP", members: ["SP1"] }],
  bpGroups: [{ name: "BG_1", rafts: ["RAFT_1"] }],
});

const THREE = topology(3);
const FIVE = topology(5);

const upTwice = (next: Topology) => upTwiceOn(stack, next);

/** The MP rows of DPC_INSTANCE (name, SYS_MODE, SYS_STATUS), read on MP1. */
async function mpRows(): Promise<string[][]> {
  const r = await sql(lab, "host1", 5239, ["SELECT NAME, SYS_MODE, SYS_STATUS FROM DPC_INSTANCE WHERE DPC_MODE = 'MP' ORDER BY NAME;"]);
  expect(r.code).toBe(0);
  return r.rows;
}
const mpLeader = async () => (await mpRows()).find((x) => x[1] === "PRIMARY" && x[2] === "4")?.[0];

const errors = (r: Run) => r.events.filter((e) => e.diag?.severity === "error").map((e) => `${String(e.diag.urn ?? "").split("::").pop()}: ${String(e.diag.message)}`);
const why = (r: Run) => `exit ${r.code}\n${errors(r).join("\n").slice(0, 4000)}\n${r.out.split("\n").filter((l) => /FAILED|failed|error/i.test(l)).slice(-20).join("\n").slice(-4000)}`;

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
async function finish(x: Topology, deleted: string[] = [], updated = true): Promise<Run> {
  const r = await stack.engine("up", x);
  ok(r);
  if (updated) expect(stack.steps(r, "update")).toContain("topo-MP_RAFT");
  await expectFinishedThenQuiet(stack, r, x, deleted);
  return r;
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

test("an MP group of three, an SP and a BP; a table written through the SP", async () => {
  await upTwice(THREE);
  expect((await mpRows()).map((x) => x[0])).toEqual(["MP1", "MP2", "MP3"]);
  leader = (await mpLeader())!;
  expect(leader).toMatch(/^MP[123]$/);
  const created = await sql(lab, "host2", 5236, ["CREATE TABLESPACE TS_KEEP DATAFILE 'TS_KEEP.DBF' SIZE 128;", "CREATE TABLE KEEP1 (ID INT);"]);
  expect({ code: created.code, out: created.code === 0 ? "" : created.out }).toEqual({ code: 0, out: "" });
});

test("8.2.2.2.1: MP4 and MP5 join online, added and voted in on the MP leader; nothing running restarts", async () => {
  expect(await mpLeader()).toBe(leader);
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
  await expectWhole(FIVE, leader);
});

test("8.2.2.2.2: back to three: the configuration changed on the MP leader, MP4 and MP5 stop, then leave the catalog", async () => {
  expect(await mpLeader()).toBe(leader);
  const r = await upTwice(topology(3));
  expect(r.out).toContain(`disql ${leader}: SP_ALTER_RAFT_NODE('MP1/MP2/MP3');`);
  expect(r.out).toMatch(/SP_DROP_DPC_INSTANCE\('MP4'\); SP_DROP_DPC_INSTANCE\('MP5'\);/);
  expect((await mpRows()).map((x) => x[0])).toEqual(["MP1", "MP2", "MP3"]);
  expect(await mpLeader()).toBe(leader);
  const now = await processes(lab);
  expect([now.MP4, now.MP5]).toEqual([undefined, undefined]);
});

test("interrupted 1: join cut after the leader's backup (MP4's restore fails), then after the restore (MP4's start fails): the third up adds both", async () => {
  // host4 runs dmrman and dmserver only for MP4.
  await lab.fault("host4", "fail", "dmrman", 1);
  const first = await stack.engine("up", FIVE);
  expect(failurePending("host4", "dmrman")).toBe(false);
  expectFailed(first, /dmrman failed .*MP4/);
  // The state keeps the inputs last applied (three MPs): MP4 and MP5, registered, are a join cut short.
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);
  // Whether MP5 (host1) was restored before MP4's restore failed: then it is the group's learner
  // (RAFT self id), and no later up may restore over it.
  const mp5Arch = path.join(lab.host("host1").dataRoot, "mpr/mp5/DAMENG/dmarch.ini");
  const mp5Joined = /RAFT_SELF_ID/.test((await lab.exec("host1", `cat ${mp5Arch} 2>/dev/null || true`)).stdout);
  const mark = commandMark(lab);

  await lab.fault("host4", "fail", "dmserver", 1);
  const second = await stack.engine("up", FIVE);
  expect(failurePending("host4", "dmserver")).toBe(false);
  expectFailed(second, /start failed .*MOUNT \(MP4\)/);
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);

  await finish(FIVE);
  await expectWhole(FIVE, leader);
  const restores = commandsSince(lab, mark).filter((c) => /CTLSTMT=RESTORE DATABASE/.test(c.command)).map((c) => (/RESTORE DATABASE [^ ]*?(mpr\/mp\d)\/DAMENG\/dm\.ini/.exec(c.command) ?? ["", "?"])[1]);
  // The second up restored MP4 (still blank), and MP5 only if it had not been restored yet; the third none.
  expect(restores.sort()).toEqual(mp5Joined ? ["mpr/mp4"] : ["mpr/mp4", "mpr/mp5"]);
});

test("interrupted 2: removal cut after SP_ALTER_RAFT_NODE (the unregistration fails): refresh, then the next up finishes it", async () => {
  const failed = await upCutAt(THREE, "SP_DROP_DPC_INSTANCE");
  expect(failed.out).toMatch(/MP_RAFT .*SP_ALTER_RAFT_NODE\('MP1\/MP2\/MP3'\).* \.\.\. ok/);
  expectFailed(failed, /SP_DROP_DPC_INSTANCE\('MP4'\)/);
  // The state keeps the inputs last applied (five MPs), which name the leavers: marked before SP_ALTER_RAFT_NODE, they are refused.
  const leftAdvice = /MP4 left the configuration of MP_RAFT in a removal cut short .*: remove it from the inputs .*, or move its directory .* aside to add it as a new replica; MP5 left/;
  await expectRefreshSays(THREE, leftAdvice);
  // Giving the removal up (an up of the old inputs) starts no leaver: refused before any step.
  const mark = commandMark(lab);
  const back = await stack.engine("up", FIVE);
  expectFailed(back, leftAdvice);
  expect(commandsSince(lab, mark).filter((c) => /setsid/.test(c.command)).map((c) => c.command)).toEqual([]);
  expect([(await processes(lab)).MP4, (await processes(lab)).MP5]).toEqual([undefined, undefined]);

  await finish(THREE, ["MP4", "MP5"]);
  await expectWhole(THREE, leader);
  const now = await processes(lab);
  expect([now.MP4, now.MP5]).toEqual([undefined, undefined]);
});

/** An up of `x` whose disql run holding `statement` on the leader's host fails (a lab fault keyed on it). */
async function upCutAt(x: Topology, statement: string): Promise<Run> {
  const { run, pending } = await upFailingAt(stack, x, leaderHost(), statement);
  expect(pending).toBe(false);
  return run;
}

test("interrupted 3: join cut after the learners started (SP_ADD_RAFT_LEARNER fails), after they were added (SP_ALTER_RAFT_NODE fails), after the vote (MP4's host down before its dmarch.ini is rewritten): the fourth up finishes", async () => {
  const first = await upCutAt(FIVE, "SP_ADD_RAFT_LEARNER");
  expect(first.out).toMatch(/MP_RAFT .*BACKUP DATABASE FULL BACKUPSET .* \.\.\. ok/);
  expectFailed(first, /SP_ADD_RAFT_LEARNER\('MP4'/);
  expect((await processes(lab)).MP4).toBeDefined();
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);

  const second = await upCutAt(FIVE, "SP_ALTER_RAFT_NODE");
  expect(second.out).toMatch(/MP_RAFT .*wait until MP4, MP5 follow the leader.* \.\.\. ok/);
  expectFailed(second, /SP_ALTER_RAFT_NODE\('MP1\/MP2\/MP3\/MP4\/MP5'\)/);
  expect((await mpGroup()).learners).toEqual(["MP4", "MP5"]);
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);

  // The learners are added again (DM accepts it), voted in, and host4 goes down as the step after
  // SP_ALTER_RAFT_NODE (MP4's dmarch.ini written without RAFT_LEARNER) reaches it: a lab fault keyed
  // on that command line (the write's form: f='<path>'; t=...), set before the up.
  await lab.fault("host4", "down", "--when", "mpr/mp4/DAMENG/dmarch.ini'; t=");
  const third = await stack.engine("up", FIVE);
  expect(third.code).not.toBe(0);
  expect(third.out).toMatch(/MP_RAFT .*SP_ALTER_RAFT_NODE\('MP1\/MP2\/MP3\/MP4\/MP5'\).* \.\.\. ok/);
  expect(errors(third).join("\n")).toMatch(/MP_RAFT.*127\.[\d.]+\.4\b/);
  expect(fs.existsSync(path.join(lab.host("host4").hostDir, "faults", "down-when"))).toBe(false);
  await lab.fault("host4", "up");
  // MP4's file still says learner (the rewrite never reached it); it is a voter all the same.
  const dmarch = await lab.exec("host4", `cat ${path.join(lab.host("host4").dataRoot, "mpr/mp4/DAMENG/dmarch.ini")}`);
  expect(dmarch.stdout).toMatch(/RAFT_LEARNER\s*=\s*1/);
  await expectRefreshSays(FIVE, /MP[45] is registered in this group .*an `up` adding it was cut short/);

  const last = await finish(FIVE);
  // MP4, down when read, was started, then found voting in the leader's V$GLOBAL_RAFT_INFO: not added again.
  expect(last.out).toMatch(new RegExp(`disql ${leader}: wait up to \\d+s for V\\$GLOBAL_RAFT_INFO to show MP4 voting, else SP_ADD_RAFT_LEARNER\\('MP4'.* \\.\\.\\. running .*: MP4 votes \\(V\\$GLOBAL_RAFT_INFO on the leader: IS_LEARNER FALSE, OPEN\\): nothing to add`));
  expect(last.out).not.toMatch(/MP4 is not shown voting|MP4: DM answered/);
  await expectWhole(FIVE, leader);
  expect((await lab.exec("host4", `cat ${path.join(lab.host("host4").dataRoot, "mpr/mp4/DAMENG/dmarch.ini")}`)).stdout).not.toMatch(/RAFT_LEARNER\s*=\s*1/);
});

test("interrupted 4: removal cut after SP_ALTER_RAFT_NODE, then destroy instead of up: everything stops", async () => {
  const failed = await upCutAt(THREE, "SP_DROP_DPC_INSTANCE");
  expect(failed.out).toMatch(/MP_RAFT .*SP_ALTER_RAFT_NODE\('MP1\/MP2\/MP3'\).* \.\.\. ok/);
  expectFailed(failed, /SP_DROP_DPC_INSTANCE\('MP4'\)/);
  await expectRefreshSays(THREE, /drift: .*MP4 left the configuration of MP_RAFT/);
  // RAFT_1 would keep its data (DM drops no instance of a group holding tables): the user drops them first.
  const dropped = await sql(lab, "host2", 5236, ["DROP TABLE KEEP1;", "DROP TABLESPACE TS_KEEP;"]);
  expect({ code: dropped.code, out: dropped.code === 0 ? "" : dropped.out }).toEqual({ code: 0, out: "" });
  const destroyed = await stack.engine("destroy", THREE);
  ok(destroyed);
  expect(errors(destroyed)).toEqual([]);
  expect(await processes(lab)).toEqual({});
});
