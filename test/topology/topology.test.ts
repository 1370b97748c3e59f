/**
 * Changing a running DMDPC cluster, step by step, as a user does: one program whose topology
 * comes from a JSON file, the local engine, real SSH into four lab hosts, the DM simulator.
 * Each step runs `up`, checks the MP catalog, the processes and the hosts' command logs, and a
 * second `up` that changes nothing. The steps build on each other, so they run in order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Lab } from "../helpers/lab";
import { catalog, commandMark, commandsSince, expectOk as ok, instancesUnder, processes, sql, topologyLab, upTwice as upTwiceOn, type Stack, type TopoInstance, type Topology, type Run } from "./helpers";

let lab: Lab;
let stack: Stack;
topologyLab((l, s) => ((lab = l), (stack = s)));

const inst = instancesUnder("topo");
const MP = inst("MP", "MP", "host1", 5239, 6003, { mpPort: 9000 });
const SP1 = inst("SP1", "SP", "host2", 5236, 6000);
const BP1 = inst("BP1", "BP", "host3", 5237, 6001);
const BP2 = inst("BP2", "BP", "host4", 5238, 6002);
const SP2 = inst("SP2", "SP", "host1", 5240, 6004);
const BP12 = inst("BP12", "BP", "host4", 5241, 6005);
const BP13 = inst("BP13", "BP", "host2", 5242, 6006);
const BP14 = inst("BP14", "BP", "host1", 5243, 6007);
const BP15 = inst("BP15", "BP", "host3", 5244, 6008);

/** The topology as it stands after the last step; each step derives the next from it. */
let t: Topology = {
  instances: [MP, SP1, BP1],
  rafts: [{ name: "RAFT_1", role: "BP", members: ["BP1"] }, { name: "RAFT_SP1", role: "SP", members: ["SP1"] }],
  bpGroups: [{ name: "BG_1", rafts: ["RAFT_1"] }],
};

const dataDir = (i: TopoInstance) => path.join(lab.host(i.host).dataRoot, i.dir, "DAMENG");

/** `upTwice`, then `t` is `next`. */
async function upTwice(next: Topology): Promise<Run> {
  const r = await upTwiceOn(stack, next);
  t = next;
  return r;
}

test("1. a 7.1-like cluster (MP, SP1, RAFT_1 = {BP1}, BG_1) on four hosts", async () => {
  const mark = commandMark(lab);
  const r = await upTwice(t);
  expect(r.summary).toMatchObject({ create: 9, update: 0, delete: 0 });
  const c = await catalog(lab);
  expect(Object.keys(c.instances).sort()).toEqual(["BP1", "MP", "SP1"]);
  expect(c.instances.BP1.slice(0, 2)).toEqual(["RAFT_1", "BP"]);
  expect(c.bpGroups).toEqual({ BG_1: ["RAFT_1"] });
  expect(Object.keys(await processes(lab)).sort()).toEqual(["BP1", "MP", "SP1"]);
  expect(commandsSince(lab, mark).filter((x) => /\bdminit\b/.test(x.command)).map((x) => x.host).sort()).toEqual(["host1", "host2", "host3"]);
});

test("2. scale-out: RAFT_2 joins BG_1, SP2 comes in its own SP group; nothing running is restarted", async () => {
  const before = await processes(lab);
  const r = await upTwice({
    ...t,
    instances: [...t.instances, BP2, SP2],
    rafts: [...t.rafts, { name: "RAFT_2", role: "BP", members: ["BP2"] }, { name: "RAFT_SP2", role: "SP", members: ["SP2"] }],
    bpGroups: [{ name: "BG_1", rafts: ["RAFT_1", "RAFT_2"] }],
  });
  expect(r.summary).toMatchObject({ create: 4, update: 1, delete: 0 });
  expect(stack.steps(r, "update")).toEqual(["topo-BG_1"]);
  const c = await catalog(lab);
  expect(c.bpGroups).toEqual({ BG_1: ["RAFT_1", "RAFT_2"] });
  expect([c.instances.BP2[0], c.instances.SP2[0]]).toEqual(["RAFT_2", "RAFT_SP2"]);
  const now = await processes(lab);
  expect(Object.keys(now).sort()).toEqual(["BP1", "BP2", "MP", "SP1", "SP2"]);
  for (const [name, pid] of Object.entries(before)) expect([name, now[name]]).toEqual([name, pid]);
  expect(stack.outputs(r).spEndpoints).toEqual([`${lab.host("host2").address}:5236`, `${lab.host("host1").address}:5240`]);
});

test("3. RAFT_1 grows from one to three replicas and elects a leader", async () => {
  const mark = commandMark(lab);
  const r = await upTwice({
    ...t,
    instances: [...t.instances, BP12, BP13],
    rafts: t.rafts.map((x) => (x.name === "RAFT_1" ? { ...x, members: ["BP1", "BP12", "BP13"] } : x)),
  });
  expect(stack.steps(r, "update")).toEqual(["topo-RAFT_1"]);
  const c = await catalog(lab);
  const raft1 = c.raftInfo.filter((x) => x[0] === "RAFT_1");
  expect(raft1.map((x) => x[1]).sort()).toEqual(["BP1", "BP12", "BP13"]);
  expect(raft1.filter((x) => x[2] === "LEADER")).toHaveLength(1);
  expect(raft1.filter((x) => x[2] === "FOLLOWER")).toHaveLength(2);
  expect(["BP1", "BP12", "BP13"]).toContain(stack.outputs(r).leaders.RAFT_1);
  // From a single replica the group is seeded as a new one (seed 7.2.6–7.2.8): BP1's data is
  // backed up offline and restored into the new replicas; each new one recovers its DB_MAGIC.
  const cmds = commandsSince(lab, mark);
  expect(cmds.filter((x) => /dmrman'? .*BACKUP DATABASE/.test(x.command)).map((x) => x.host)).toEqual(["host3"]);
  expect(cmds.filter((x) => /dmrman'? .*UPDATE DB_MAGIC/.test(x.command)).map((x) => x.host).sort()).toEqual(["host2", "host4"]);
  expect(Object.keys(await processes(lab)).sort()).toEqual(["BP1", "BP12", "BP13", "BP2", "MP", "SP1", "SP2"]);
});

test("3b. RAFT_1 grows from three to five replicas online: learners from the leader's online backup; nothing else restarts", async () => {
  const before = await processes(lab);
  const leaderBefore = (await catalog(lab)).raftInfo.find((x) => x[0] === "RAFT_1" && x[2] === "LEADER")![1];
  const mark = commandMark(lab);
  const r = await upTwice({
    ...t,
    instances: [...t.instances, BP14, BP15],
    rafts: t.rafts.map((x) => (x.name === "RAFT_1" ? { ...x, members: ["BP1", "BP12", "BP13", "BP14", "BP15"] } : x)),
  });
  expect(stack.steps(r, "update")).toEqual(["topo-RAFT_1"]);
  const c = await catalog(lab);
  const raft1 = c.raftInfo.filter((x) => x[0] === "RAFT_1");
  expect(raft1.map((x) => x[1]).sort()).toEqual(["BP1", "BP12", "BP13", "BP14", "BP15"]);
  expect(raft1.filter((x) => x[2] === "LEADER").map((x) => x[1])).toEqual([leaderBefore]);
  expect(raft1.filter((x) => x[2] === "FOLLOWER")).toHaveLength(4);
  // V$GLOBAL_RAFT_INFO on an SP: the MP shows only its own group's rows (DM8 ch. 12).
  const learners = await sql(lab, "host2", 5236, ["SELECT INSTANCE_NAME FROM V$GLOBAL_RAFT_INFO WHERE IS_LEARNER = 'TRUE';"]);
  expect({ code: learners.code, rows: learners.rows }).toEqual({ code: 0, rows: [] });
  const now = await processes(lab);
  for (const [name, pid] of Object.entries(before)) expect([name, now[name]]).toEqual([name, pid]);
  expect(Object.keys(now).sort()).toEqual(["BP1", "BP12", "BP13", "BP14", "BP15", "BP2", "MP", "SP1", "SP2"]);
  // The manual's procedure (8.2.2.1.1): one online backup on the leader (no offline one), DM's
  // set <path>_<LEADER>, each newcomer restored from it with its BAK_MAGIC and RECOVER FOR STANDBY.
  const cmds = commandsSince(lab, mark);
  expect(cmds.filter((x) => /dmrman'? .*BACKUP DATABASE/.test(x.command))).toEqual([]);
  const restores = cmds.filter((x) => /CTLSTMT=RESTORE DATABASE/.test(x.command));
  expect(restores.map((x) => x.host).sort()).toEqual(["host1", "host3"]);
  for (const x of restores) {
    expect(x.command).toMatch(new RegExp(`CTLSTMT=SHOW BACKUPSET [^ ]*BACKUP_RAFT_1_JOIN_\\w+_${leaderBefore}\\b`));
    expect(x.command).toMatch(/CTLSTMT=RESTORE DATABASE .* FROM BACKUPSET .*_JOIN_\w+\W* USE BAK_MAGIC .*\$magic/);
    expect(x.command).toMatch(/CTLSTMT=RECOVER DATABASE .* FOR STANDBY FROM BACKUPSET .* USE BAK_MAGIC .*\$magic.* UNTIL END_LSN/);
  }
  expect(cmds.filter((x) => /dmrman'? .*UPDATE DB_MAGIC/.test(x.command)).map((x) => x.host).sort()).toEqual(["host1", "host3"]);
  expect(cmds.filter((x) => /kill -(TERM|USR1)/.test(x.command))).toEqual([]);
  // The newcomers run in BS mode, like every member of a multi-replica BP group.
  expect(cmds.filter((x) => /setsid nohup\W+dmserver\W+[^ ]*\/bp1[45]\/DAMENG\/dm\.ini\W+dpc_mode=BS\W+MOUNT/.test(x.command)).map((x) => x.host).sort()).toEqual(["host1", "host3"]);
  // The SQL the steps ran on the leader (the plan lines name the login).
  // BAK_USE_AP = 2 in the leader's memory first: the backup needs no DMAP (sql.ts onlineBackup)
  expect(r.out).toContain(`disql ${leaderBefore}: SP_SET_PARA_VALUE(0, 'BAK_USE_AP', 2); BACKUP DATABASE FULL BACKUPSET`);
  expect(r.out).toMatch(new RegExp(`disql ${leaderBefore}: SP_ADD_RAFT_LEARNER\\('BP14', '[\\d.]+', 6007, \\d\\); SP_ADD_RAFT_LEARNER\\('BP15', '[\\d.]+', 6008, \\d\\);`));
  expect(r.out).toContain(`disql ${leaderBefore}: SP_ALTER_RAFT_NODE('BP1/BP12/BP13/BP14/BP15');`);
});

test("3c. RAFT_1 shrinks back to three (8.2.2.1.2): the configuration changed on the leader, the two stop, then leave the catalog", async () => {
  const leader = (await catalog(lab)).raftInfo.find((x) => x[0] === "RAFT_1" && x[2] === "LEADER")![1];
  const keep = ["BP1", "BP12", "BP13", "BP14", "BP15"].filter((n) => n !== leader).slice(-2);
  const members = ["BP1", "BP12", "BP13", "BP14", "BP15"].filter((n) => !keep.includes(n));
  const r = await upTwice({
    ...t,
    instances: t.instances.filter((i) => !keep.includes(i.name)),
    rafts: t.rafts.map((x) => (x.name === "RAFT_1" ? { ...x, members } : x)),
  });
  expect(r.out).toContain(`disql ${leader}: SP_ALTER_RAFT_NODE('${members.join("/")}');`);
  expect(r.out).toContain(`disql MP: ${keep.map((n) => `SP_DROP_DPC_INSTANCE('${n}');`).join(" ")}`);
  expect(r.out.indexOf("SP_ALTER_RAFT_NODE")).toBeLessThan(r.out.indexOf("SP_DROP_DPC_INSTANCE"));
  const c = await catalog(lab);
  expect(c.raftInfo.filter((x) => x[0] === "RAFT_1").map((x) => x[1]).sort()).toEqual([...members].sort());
  expect((await catalog(lab)).raftInfo.find((x) => x[0] === "RAFT_1" && x[2] === "LEADER")![1]).toBe(leader);
  const now = await processes(lab);
  for (const n of keep) expect([n, now[n]]).toEqual([n, undefined]);
});

test("4. fault domains are created, then an instance moves from one to another", async () => {
  const FD1 = 65536;
  const FD2 = 131072;
  await upTwice({ ...t, faultDomains: [{ name: "FDOM_1", instances: ["MP", "BP1", "BP2"] }, { name: "FDOM_2", instances: ["BP12"] }, { name: "FDOM_3", instances: ["BP13"] }] });
  let c = await catalog(lab);
  expect(["MP", "BP1", "BP2", "BP12", "BP13"].map((n) => c.instances[n][3])).toEqual([String(FD1), String(FD1), String(FD1), String(FD2), "196608"]);
  const r = await upTwice({ ...t, faultDomains: [{ name: "FDOM_1", instances: ["MP", "BP1"] }, { name: "FDOM_2", instances: ["BP12", "BP2"] }, { name: "FDOM_3", instances: ["BP13"] }] });
  expect(stack.steps(r, "update")).toEqual(["topo-FDOM_1", "topo-FDOM_2"]);
  c = await catalog(lab);
  expect(c.instances.BP2[3]).toBe(String(FD2));
  // one domain after the other, so that the move out of FDOM_1 cannot undo the move into FDOM_2
  expect(stack.dependencies("topo-FDOM_2")).toContain("topo-FDOM_1");
});

test("5. a second BP group takes RAFT_2 from BG_1", async () => {
  const r = await upTwice({ ...t, bpGroups: [{ name: "BG_1", rafts: ["RAFT_1"] }, { name: "BG_2", rafts: ["RAFT_2"] }] });
  expect(r.summary).toMatchObject({ create: 1, update: 1 });
  expect((await catalog(lab)).bpGroups).toEqual({ BG_1: ["RAFT_1"], BG_2: ["RAFT_2"] });
  expect(stack.dependencies("topo-BG_2")).toContain("topo-BG_1");
});

test("6. scale-in is refused while a user tablespace sits on RAFT_2 (DPC_TABLESPACE), and nothing is stopped; after DROP TABLE and DROP TABLESPACE it goes, its directory stays", async () => {
  const created = await sql(lab, "host2", 5236, ["CREATE TABLESPACE TS_2 DATAFILE 'TS_2.DBF' SIZE 128 STORAGE( ON RAFT_2);", "CREATE TABLE T (ID INT) TABLESPACE TS_2;"]);
  expect({ code: created.code, out: created.code === 0 ? "" : created.out }).toEqual({ code: 0, out: "" });
  const without: Topology = {
    ...t,
    instances: t.instances.filter((i) => i.name !== "BP2"),
    rafts: t.rafts.filter((x) => x.name !== "RAFT_2"),
    bpGroups: [{ name: "BG_1", rafts: ["RAFT_1"] }, { name: "BG_2", rafts: [] }],
    faultDomains: [{ name: "FDOM_1", instances: ["MP", "BP1"] }, { name: "FDOM_2", instances: ["BP12"] }, { name: "FDOM_3", instances: ["BP13"] }],
  };
  const catalogBefore = await catalog(lab);
  const before = await processes(lab);
  const mark = commandMark(lab);
  const refused = await stack.engine("up", without);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toMatch(/RAFT_2 holds user tablespace TS_2 \(DPC_TABLESPACE\)/);
  expect(refused.out).toMatch(/move it to a RAFT group that stays \(ALTER TABLESPACE \.\.\. MOVE TO\), or drop its tables and the tablespace/);
  expect(refused.summary).toMatchObject({ delete: 0 });
  expect(await processes(lab)).toEqual(before);
  // Every registration stays. The updates the engine ran before the refused delete may have taken
  // RAFT_2 out of BG_2 and BP2 out of FDOM_2: DM makes no data check there (the manual puts it on
  // dropping instances), and neither loses a row.
  const after = await catalog(lab);
  const withoutDomain = (c: typeof after) => Object.fromEntries(Object.entries(c.instances).map(([n, [raft, mode, sysMode, info1]]) => [n, n === "BP2" ? [raft, mode, sysMode] : [raft, mode, sysMode, info1]]));
  expect(withoutDomain(after)).toEqual(withoutDomain(catalogBefore));
  expect(commandsSince(lab, mark).filter((x) => /kill -(TERM|USR1)|rm -rf/.test(x.command))).toEqual([]);

  const dropped = await sql(lab, "host2", 5236, ["DROP TABLE T;", "DROP TABLESPACE TS_2;"]);
  expect(dropped.code).toBe(0);
  const r = await upTwice(without);
  expect(stack.steps(r, "delete")).toEqual(["topo-BP2", "topo-RAFT_2"]);
  const c = await catalog(lab);
  expect(c.instances.BP2).toBeUndefined();
  expect(c.bpGroups).toEqual({ BG_1: ["RAFT_1"], BG_2: [] });
  const now = await processes(lab);
  expect(now.BP2).toBeUndefined();
  for (const n of ["MP", "SP1", "SP2", "BP1", "BP12", "BP13"]) expect([n, now[n]]).toEqual([n, before[n]]);
  expect(fs.existsSync(path.join(dataDir(BP2), "dm.ini"))).toBe(true);
});

test("7. an instance removed with deleteData: true loses its directory", async () => {
  const flagged: Topology = { ...t, instances: t.instances.map((i) => (i.name === "SP2" ? { ...i, deleteData: true } : i)) };
  const mark = commandMark(lab);
  const r = await upTwice(flagged);
  expect(stack.steps(r, "update")).toEqual(["topo-SP2"]);
  expect(commandsSince(lab, mark).filter((x) => /rm -rf|kill -/.test(x.command))).toEqual([]);
  expect(fs.existsSync(path.join(dataDir(SP2), "dm.ini"))).toBe(true);

  const gone = await upTwice({ ...t, instances: t.instances.filter((i) => i.name !== "SP2"), rafts: t.rafts.filter((x) => x.name !== "RAFT_SP2") });
  expect(stack.steps(gone, "delete")).toEqual(["topo-RAFT_SP2", "topo-SP2"]);
  expect(fs.existsSync(dataDir(SP2))).toBe(false);
  expect((await catalog(lab)).instances.SP2).toBeUndefined();
  expect((await processes(lab)).SP2).toBeUndefined();
});

test("8. a static port or page size change: an SP is replaced (preview says so); a BP is refused in check", async () => {
  const bpPage: Topology = { ...t, instances: t.instances.map((i) => (i.name === "BP12" ? { ...i, pageSize: 16, dir: "topo/bp12b" } : i)) };
  const refused = await stack.engine("preview", bpPage);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toMatch(/pageSize: changing pageSize replaces the database .* a BP's rows do not move to a new one/);

  const samePath: Topology = { ...t, instances: t.instances.map((i) => (i.name === "SP1" ? { ...i, portNum: 5246 } : i)) };
  const needsDelete = await stack.engine("preview", samePath);
  expect(needsDelete.code).not.toBe(0);
  expect(needsDelete.out).toMatch(/portNum: portNum is fixed .* set deleteData: true first, or choose a new path/);

  const moved: Topology = { ...t, instances: t.instances.map((i) => (i.name === "SP1" ? { ...i, portNum: 5246, dir: "topo/sp1b" } : i)) };
  const preview = await stack.engine("preview", moved);
  ok(preview);
  expect(stack.steps(preview, "replace")).toEqual(["topo-SP1"]);
  expect(stack.steps(preview, "update")).toEqual(["topo-RAFT_SP1"]);

  const before = await processes(lab);
  const r = await upTwice(moved);
  expect(r.summary).toMatchObject({ replace: 1, update: 1, delete: 0 });
  const now = await processes(lab);
  expect(now.SP1).not.toBe(before.SP1);
  for (const n of ["MP", "BP1", "BP12", "BP13"]) expect([n, now[n]]).toEqual([n, before[n]]);
  expect(stack.outputs(r).spEndpoints).toEqual([`${lab.host("host2").address}:5246`]);
  // the SP answers SQL on its new port, and the old database is kept (deleteData is false)
  expect((await sql(lab, "host2", 5246, ["CREATE TABLESPACE TS_T2 DATAFILE 'TS_T2.DBF' SIZE 128;", "CREATE TABLE T2 (ID INT);", "DROP TABLE T2;", "DROP TABLESPACE TS_T2;"])).code).toBe(0);
  expect(fs.existsSync(path.join(dataDir(SP1), "dm.ini"))).toBe(true);
});

test("9. a group of two RAFT replicas and a shadow (seed 7.5); a second shadow, which would outnumber the RAFT replicas, is refused in check", async () => {
  const shadowGroup = [inst("BP31", "BP", "host1", 5250, 6010), inst("BP32", "BP", "host2", 5251, 6011), inst("BP34", "BP", "host4", 5253, 6013)];
  const mark = commandMark(lab);
  await upTwice({
    ...t,
    instances: [...t.instances, ...shadowGroup],
    rafts: [...t.rafts, { name: "RAFT_3", role: "BP", members: shadowGroup.map((i) => i.name), shadows: ["BP34"] }],
    bpGroups: [{ name: "BG_1", rafts: ["RAFT_1", "RAFT_3"] }, { name: "BG_2", rafts: [] }],
  });
  const c = await catalog(lab);
  const raft3 = c.raftInfo.filter((x) => x[0] === "RAFT_3");
  expect(raft3.filter((x) => x[3] === "1").map((x) => x[1])).toEqual(["BP34"]);
  expect(raft3.filter((x) => x[2] === "LEADER").map((x) => x[1])).not.toContain("BP34");
  expect(raft3.filter((x) => x[2] === "LEADER")).toHaveLength(1);
  expect(commandsSince(lab, mark).filter((x) => /dmrman'? .*RESTORE DATABASE .*TO SHADOW/.test(x.command)).map((x) => x.host)).toEqual(["host4"]);

  // 1 RAFT replica + 2 shadows: refused in check with the field, its value and the rule; nothing stopped
  const before = await processes(lab);
  const twoShadows: Topology = { ...t, rafts: t.rafts.map((x) => (x.name === "RAFT_3" ? { ...x, shadows: ["BP32", "BP34"] } : x)) };
  const refused = await stack.engine("up", twoShadows);
  expect(refused.code).not.toBe(0);
  expect(refused.out).toMatch(/rafts\[\d+\]\.shadows: shadow replicas are at most half of a RAFT group's nodes \(got 2 of 3\)[^\n]*\(got \[\W*BP32\W+BP34\W*\]\)/);
  expect(await processes(lab)).toEqual(before);
  expect((await catalog(lab)).raftInfo.filter((x) => x[0] === "RAFT_3")).toEqual(raft3);
});

