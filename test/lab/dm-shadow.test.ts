/**
 * Shadow replicas by hand over SSH, as the manual has them: made both ways (seed 7.5.1: a FULL
 * SHADOW backup restored normally, a normal backup restored TO SHADOW); holding no data files
 * they still vote like every member (DM8 DMDPC的关键技术 §5.20), so a group of 3 RAFT replicas and
 * 2 shadows keeps a leader with two RAFT members gone, but a shadow never leads; V$GLOBAL_RAFT_INFO
 * shows the whole cluster on a BS-mode member and only the MP's rows on the MP (ch. 12), and
 * V$RLOG_RAFT_INFO.RAFT_SHADOW tells each member what it is (§12.17); SP_ALTER_RAFT_NODE cannot remove a
 * shadow, nor make shadows more than half; and seed 7.5.2 converts a RAFT replica into a shadow
 * and back keeping its name, IP and ports, with no other member's configuration touched and no
 * membership change.
 */
import * as fs from "fs";
import { DmHost, DmLab, ok, pidOf, query, serverLog, startDmap, startDmLab, stopServer, waitFor } from "./fixtures/dmlab";
import { MiniCluster } from "./fixtures/dmcluster";
import { parseMemberRaft } from "../../provider/dm/catalog";
import { memberRaftScript } from "../../provider/dm/sql";

jest.setTimeout(240000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;
const MEMBERS = ["BP11", "BP12", "BP13", "BP14", "BP15"];
const VOTE = [1500, 2000, 2500, 3000, 3500];
const SHADOWS = ["BP13", "BP14"];

beforeAll(async () => {
  lab = await startDmLab(1);
  h = lab.hosts[0];
  c = new MiniCluster(
    h,
    [
      { name: "MP", mode: "MP", port: 5239, ap: 6003 },
      ...MEMBERS.map((name, k) => ({ name, mode: "BP" as const, port: 5240 + k, ap: 6010 + k, raft: "RAFT_1", sysMode: "STANDBY" as const, status: 0 })),
    ],
    9000,
  );
  await c.init();
  await c.startMpAndRegister();
});
afterAll(async () => lab?.stop());

const mp = async (sql: string) => (await h.run(`disql -L -S ${c.login("MP")}`, `SET FEEDBACK OFF\nSET TIMING OFF\n${sql}\n`)).stdout.trim();
const RAFT_INFO = "select INSTANCE_NAME, RAFT_ID, IS_SHADOW, RAFT_STAT, SYS_MODE, SYS_STATUS from V$GLOBAL_RAFT_INFO order by INSTANCE_NAME";
/** V$GLOBAL_RAFT_INFO on a BS-mode member, which shows the whole cluster (on the MP only the MP's rows: DM8 ch. 12). */
const raftInfo = async () => query(h, c.login((await leaderOf())!), RAFT_INFO);
/** V$RLOG_RAFT_INFO of the member itself (§12.17): RAFT_SHADOW 1 on a shadow replica. */
const rlog = async (m: string) => (await query(h, c.login(m), "select STATE, LEADER, RAFT_SHADOW from V$RLOG_RAFT_INFO"))[0];
const bpRows = () => query(h, c.login("MP"), "select NAME, SYS_MODE, SYS_STATUS, STATUS from DPC_INSTANCE where DPC_MODE = 'BP' order by NAME");
const leaderOf = async () => (await bpRows()).find((r) => r.SYS_MODE === "PRIMARY" && r.SYS_STATUS === "4")?.NAME;
const peersOf = (m: string) => MEMBERS.map((name, j) => ({ name, id: j + 1 })).filter((p) => p.name !== m);
const everyOpen = () => waitFor(async () => (await bpRows()).every((r) => r.SYS_STATUS === "4"), 30000, "every member OPEN");
const dmarch = (m: string) => fs.readFileSync(`${c.db(m)}/dmarch.ini`, "utf8");
const errLine = (code: number, msg: string) => `第1 行附近出现错误[${code}]:${msg}.`;
/** The replica procedures run on the group's leader, a BP started in BS mode (MGT §8.2.2); the members run so. */
const onLeader = async (sql: string) => (await h.run(`disql -L -S ${c.login((await leaderOf())!)}`, `SET FEEDBACK OFF\nSET TIMING OFF\n${sql}\n`)).stdout.trim();
const alter = (list: string) => onLeader(`SP_ALTER_RAFT_NODE('${list}');`);

test("7.5.1: both ways of making a shadow replica; the group of 3 RAFT replicas and 2 shadows starts with MOUNT", async () => {
  await c.prepareFirstMember("BP11");
  const set1 = `${h.dataRoot}/bp11/BACKUP_01`;
  const set2 = `${h.dataRoot}/bp11/BACKUP_02`;
  await c.rman(`BACKUP DATABASE '${c.ini("BP11")}' FULL TO BACKUP_01 BACKUPSET '${set1}'`);
  await c.rman(`BACKUP DATABASE '${c.ini("BP11")}' FULL SHADOW TO BACKUP_02 BACKUPSET '${set2}'`);
  await c.rman(`RESTORE DATABASE '${c.ini("BP12")}' FROM BACKUPSET '${set1}'`);
  await c.rman(`RESTORE DATABASE '${c.ini("BP13")}' TO SHADOW FROM BACKUPSET '${set1}'`);
  await c.rman(`RESTORE DATABASE '${c.ini("BP14")}' FROM BACKUPSET '${set2}'`);
  await c.rman(`RESTORE DATABASE '${c.ini("BP15")}' FROM BACKUPSET '${set1}'`);
  for (const m of MEMBERS.slice(1)) await c.rman(`RECOVER DATABASE '${c.ini(m)}' UPDATE DB_MAGIC`);
  for (const [k, m] of MEMBERS.entries()) await c.raftConfig(m, k + 1, VOTE[k], peersOf(m));
  for (const m of MEMBERS) await c.start(m, true, "BS");
  await everyOpen();
  const info = await raftInfo();
  expect(info.map((r) => r.INSTANCE_NAME)).toEqual(MEMBERS);
  expect(info.filter((r) => r.IS_SHADOW === "TRUE").map((r) => [r.INSTANCE_NAME, r.RAFT_STAT])).toEqual([
    ["BP13", "FOLLOWER"],
    ["BP14", "FOLLOWER"],
  ]);
  expect(info.filter((r) => r.RAFT_STAT === "LEADER").map((r) => [r.RAFT_ID, r.SYS_MODE, r.SYS_STATUS])).toEqual([["1", "PRIMARY", "OPEN"]]);
  expect(["BP11", "BP12", "BP15"]).toContain(await leaderOf());
  // On the MP "查询到的只有 MP 站点自身的信息": a single MP runs no RAFT, so no row at all.
  expect(await query(h, c.login("MP"), RAFT_INFO)).toEqual([]);
  // RAFT_SHADOW is the documented flag, on each member itself; a follower names its leader.
  for (const m of MEMBERS) {
    const r = await rlog(m);
    expect([m, r.RAFT_SHADOW]).toEqual([m, SHADOWS.includes(m) ? "1" : "0"]);
    if (m !== (await leaderOf())) expect([m, r.STATE, r.LEADER]).toEqual([m, "FOLLOWER", await leaderOf()]);
  }
  // The product's read of a member (handlers/read-raft.ts) through disql: its RAFT_SHADOW, and on the leader the cluster's rows.
  const leader = (await leaderOf())!;
  for (const m of MEMBERS) {
    const script = memberRaftScript({ password: "SYSDBA001", ip: h.addr, port: 5240 + MEMBERS.indexOf(m) }, m === leader);
    const read = parseMemberRaft((await h.run("disql -S -L /nolog", script)).stdout);
    expect([m, read.shadow]).toEqual([m, SHADOWS.includes(m)]);
    expect([m, read.global?.map((r) => r.name).sort() ?? null]).toEqual([m, m === leader ? MEMBERS : null]);
    // BAK_USE_AP in memory (SF_GET_PARA_VALUE scope 2), what an online backup from it sets back: dm.ini's default
    expect([m, read.bakUseAp, read.complete]).toEqual([m, 1, true]);
  }
});

test("shadows vote: with the leader killed and another RAFT member stopped, the last RAFT member leads on the shadows' votes", async () => {
  const leader = (await leaderOf())!;
  const [second, last] = ["BP11", "BP12", "BP15"].filter((n) => n !== leader);
  await stopServer(h, second);
  await ok(h, `kill -9 ${pidOf(h, leader)}`);
  // One RAFT member and the two shadows are 3 of 5: a majority only if the shadows vote.
  await waitFor(async () => (await leaderOf()) === last, 30000, `${last} elected with the shadows' votes`);
  expect((await raftInfo()).filter((r) => r.RAFT_STAT === "LEADER").map((r) => r.INSTANCE_NAME)).toEqual([last]);
});

test("a shadow never leads; a group with no valid leader prints none of its rows in V$GLOBAL_RAFT_INFO", async () => {
  const last = (await leaderOf())!;
  await ok(h, `kill -9 ${pidOf(h, last)}`);
  // Once both shadows have heard nothing for their vote interval they stop counting as followers
  // (MOUNT): the moment a candidate would have stood. Two shadows are 2 of 5 and hold no data.
  const shadowStatus = async () => (await bpRows()).filter((r) => SHADOWS.includes(r.NAME)).map((r) => r.SYS_STATUS);
  await waitFor(async () => (await shadowStatus()).every((x) => x === "3"), 20000, "the shadows without a leader");
  expect((await bpRows()).filter((r) => r.SYS_MODE === "PRIMARY" && r.SYS_STATUS === "4")).toEqual([]);
  // Only the shadows run, in MOUNT: each knows itself a shadow that follows no leader.
  for (const s of SHADOWS) expect(await rlog(s)).toEqual({ STATE: "FOLLOWER", LEADER: "NULL", RAFT_SHADOW: "1" });
  for (const m of MEMBERS.filter((n) => !SHADOWS.includes(n))) await c.start(m, true, "BS");
  await everyOpen();
  expect(["BP11", "BP12", "BP15"]).toContain(await leaderOf());
  for (const s of SHADOWS) expect(serverLog(c.db(s), s)).not.toMatch(/elected LEADER/);
});

test("SP_ALTER_RAFT_NODE cannot leave a shadow out or make shadows more than half of the nodes; the whole configuration, shadows included, is taken", async () => {
  const leader = (await leaderOf())!;
  const otherRaft = ["BP11", "BP12", "BP15"].find((n) => n !== leader)!;
  // Leaving a shadow out of the new configuration would remove it online.
  expect(await alter(`${leader}/${otherRaft}/BP13`)).toBe(errLine(-8436, "不支持对影子库节点[BP14]执行动态增加和删除"));
  // SP_DELETE_RAFT_NODE removes a shadow online no more than SP_ALTER_RAFT_NODE does (on the leader too).
  expect(await onLeader("SP_DELETE_RAFT_NODE('BP13');")).toBe(errLine(-8436, "不支持对影子库节点[BP13]执行动态增加和删除"));
  // 3 nodes with 2 shadows: more than half.
  expect(await alter(`${leader}/BP13/BP14`)).toBe(errLine(-8437, "影子库的数量[2]不能超过节点数量[3]的一半"));
  // Every node of the configuration, shadows included, is the manual's form.
  expect(await alter(MEMBERS.join("/"))).toBe("");
  await everyOpen();
});


/** Seed 7.5.2 for `m`: exit alone, a new database with the same name and ports, a (SHADOW) backup of the leader restored, start. */
async function convert(m: string, toShadow: boolean, tag: string): Promise<void> {
  const leader = (await leaderOf())!;
  const k = MEMBERS.indexOf(m);
  await stopServer(h, m); // exit, not exit all
  const base = `${h.dataRoot}/${m.toLowerCase()}`;
  await ok(h, `mv ${base}/DAMENG ${base}/DAMENG.${tag} && dminit path=${base} instance_name=${m} port_num=${5240 + k} ap_port_num=${6010 + k} dpc_mode=BP && cp ${base}/DAMENG.${tag}/mp.ini ${base}/DAMENG/`);
  await c.raftConfig(m, k + 1, VOTE[k], peersOf(m));
  const dir = `${h.dataRoot}/${leader.toLowerCase()}/CONV_${tag}`;
  await startDmap(h); // the online backup needs the host's DMAP (BAK_USE_AP = 1, the default)
  const out = await ok(h, `disql -L -S ${c.login(leader)}`, `BACKUP DATABASE FULL${toShadow ? " SHADOW" : ""} BACKUPSET '${dir}';\n`);
  expect(out).not.toMatch(/错误/);
  // DM writes the online set as `<dir>_<INSTANCE>` with a BAK_MAGIC (MGT §8.2.2.1.1), applied FOR STANDBY.
  const set = `${dir}_${leader}`;
  const magic = Number(/BAK_MAGIC: (\d+)/.exec(await c.rman(`SHOW BACKUPSET '${set}'`))![1]);
  await c.rman(`RESTORE DATABASE '${c.ini(m)}' FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic}`);
  await c.rman(`RECOVER DATABASE '${c.ini(m)}' FOR STANDBY FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic} UNTIL END_LSN`);
  await c.rman(`RECOVER DATABASE '${c.ini(m)}' UPDATE DB_MAGIC`);
  await c.start(m, true, "BS");
  await everyOpen();
}

test("7.5.2: a RAFT replica becomes a shadow and back, name, IP and ports kept; no other member's configuration changes; its vote still counts", async () => {
  const leader = (await leaderOf())!;
  const victim = ["BP11", "BP12", "BP15"].find((n) => n !== leader)!;
  const others = MEMBERS.filter((n) => n !== victim);
  const archBefore = Object.fromEntries(others.map((n) => [n, dmarch(n)]));
  const catalogBefore = await bpRows();
  await convert(victim, true, "RAFT");
  let info = await raftInfo();
  expect(info.filter((r) => r.IS_SHADOW === "TRUE").map((r) => r.INSTANCE_NAME)).toEqual([...SHADOWS, victim].sort());
  expect((await rlog(victim)).RAFT_SHADOW).toBe("1");
  expect(await leaderOf()).toBe(leader);
  // No membership change: the other members' files and the registrations are what they were.
  expect(Object.fromEntries(others.map((n) => [n, dmarch(n)]))).toEqual(archBefore);
  expect((await bpRows()).map((r) => r.NAME)).toEqual(catalogBefore.map((r) => r.NAME));
  // Three shadows of five are more than half: convert back (7.5.2 part 2).
  await convert(victim, false, "SHADOW");
  info = await raftInfo();
  expect(info.filter((r) => r.IS_SHADOW === "TRUE").map((r) => r.INSTANCE_NAME)).toEqual(SHADOWS);
  expect((await rlog(victim)).RAFT_SHADOW).toBe("0");
  expect(Object.fromEntries(others.map((n) => [n, dmarch(n)]))).toEqual(archBefore);
  // The rebuilt RAFT replica and the shadows carry the group with the leader and the third RAFT member gone.
  const third = ["BP11", "BP12", "BP15"].find((n) => n !== leader && n !== victim)!;
  await stopServer(h, third);
  await ok(h, `kill -9 ${pidOf(h, leader)}`);
  await waitFor(async () => (await leaderOf()) === victim, 30000, `${victim} elected with the shadows' votes`);
  const anyMember = "BP13";
  await stopServer(h, anyMember, "USR1");
  await waitFor(() => MEMBERS.every((n) => pidOf(h, n) === undefined || n === leader), 15000, "exit all from a shadow");
  await stopServer(h, "MP");
});
