/**
 * Adding replicas to a running BP RAFT group by hand, as the manual describes (dmdpc.md "Beyond
 * the seed"): dminit, register as STANDBY/0, RAFT_LEARNER = 1, online backup on the leader,
 * restore + RECOVER on the new node, start it, SP_ADD_RAFT_LEARNER, then SP_ALTER_RAFT_NODE.
 * The running members are never restarted; the refusals along the way are shown.
 */
import { DmHost, DmLab, ok, pidOf, query, serverLog, startDmLab, stopServer, waitFor } from "./fixtures/dmlab";
import { MiniCluster } from "./fixtures/dmcluster";

jest.setTimeout(240000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;
let x: MiniCluster;
const OLD = ["BP11", "BP12", "BP13"];
const VOTE = [1500, 2000, 2500, 3000, 3500, 4000];
const peersOf = (names: string[], self: string) => names.map((name, j) => ({ name, id: j + 1 })).filter((p) => p.name !== self);

beforeAll(async () => {
  lab = await startDmLab(1);
  h = lab.hosts[0];
  c = new MiniCluster(
    h,
    [
      { name: "MP", mode: "MP", port: 5239, ap: 6003 },
      ...OLD.map((name, k) => ({ name, mode: "BP" as const, port: 5240 + k, ap: 6010 + k, raft: "RAFT_1", sysMode: "STANDBY" as const, status: 0 })),
    ],
    9000,
  );
  // The newcomers: made with dminit like the others, registered later by hand.
  x = new MiniCluster(
    h,
    ["BP14", "BP15", "BP16"].map((name, k) => ({ name, mode: "BP" as const, port: 5243 + k, ap: 6013 + k, raft: "RAFT_1" })),
    9000,
  );
  await c.init();
  await x.init();
  await c.startMpAndRegister();
  // 7.2.6 - 7.2.8: a three-member group, seeded offline.
  await c.prepareFirstMember("BP11");
  const set = `${h.dataRoot}/bp11/BACKUP_01`;
  await c.rman(`BACKUP DATABASE '${c.ini("BP11")}' FULL TO BACKUP_01 BACKUPSET '${set}'`);
  for (const m of ["BP12", "BP13"]) {
    await c.rman(`RESTORE DATABASE '${c.ini(m)}' FROM BACKUPSET '${set}'`);
    await c.rman(`RECOVER DATABASE '${c.ini(m)}' UPDATE DB_MAGIC`);
  }
  for (const [k, m] of OLD.entries()) await c.raftConfig(m, k + 1, VOTE[k], peersOf(OLD, m));
  for (const m of OLD) await c.start(m, true);
  await waitFor(async () => (await bpRows()).filter((r) => r.SYS_STATUS === "4").length === 3, 20000, "RAFT_1 elected");
});
afterAll(async () => lab?.stop());

const mpSql = async (sql: string) => ok(h, `disql -L -S ${c.login("MP")}`, `${sql}\n`);
const bpRows = () => query(h, c.login("MP"), "select NAME, SYS_MODE, SYS_STATUS, STATUS from DPC_INSTANCE where DPC_MODE = 'BP' order by NAME");
const raftInfo = () => query(h, c.login("MP"), "select INSTANCE_NAME, RAFT_STAT, IS_LEARNER from V$GLOBAL_RAFT_INFO order by INSTANCE_NAME");
const leaderName = async () => (await bpRows()).find((r) => r.SYS_MODE === "PRIMARY" && r.SYS_STATUS === "4")?.NAME;
const login = (name: string) => `SYSDBA/SYSDBA001@${h.addr}:${(c.insts.find((i) => i.name === name) ?? x.spec(name)).port}`;
const onlineSet = () => `${h.dataRoot}/bp11/BACKUP_ONLINE`;

/** Registration as STANDBY/0 in the MP (before any peer's dmarch.ini names it: DM resolves ARCH_DEST there). */
async function register(name: string): Promise<void> {
  const s = x.spec(name);
  const out = await mpSql(`SP_CREATE_DPC_INSTANCE('RAFT_1', '${name}', 'BP', ${s.ap}, ${s.port}, '${h.addr}', '${h.addr}', 'STANDBY', 0, 'new replica');`);
  expect(out).not.toMatch(/出现错误/);
}

/** Learner dmarch.ini and the restore of one newcomer, as the manual lists them. */
async function prepareNewcomer(name: string, id: number, members: string[], restoreFrom?: string): Promise<void> {
  await x.raftConfig(name, id, VOTE[id - 1], peersOf(members, name));
  await ok(h, `sed -i '1i RAFT_LEARNER = 1' ${x.db(name)}/dmarch.ini`);
  if (restoreFrom) {
    await x.rman(`RESTORE DATABASE '${x.ini(name)}' FROM BACKUPSET '${restoreFrom}'`);
    await x.rman(`RECOVER DATABASE '${x.ini(name)}' FROM BACKUPSET '${restoreFrom}'`);
    await x.rman(`RECOVER DATABASE '${x.ini(name)}' UPDATE DB_MAGIC`);
  }
}

test("online BACKUP through disql: only on the OPEN leader with archiving; strict syntax; never over a set", async () => {
  const leader = (await leaderName())!;
  const follower = OLD.find((m) => m !== leader)!;
  const dir = onlineSet();
  const run = (who: string, sql: string) => ok(h, `disql -L -S ${login(who)}`, `${sql}\n`);
  expect(await run(follower, `BACKUP DATABASE FULL BACKUPSET '${h.dataRoot}/f';`)).toMatch(/\[-718\]/);
  expect(await run("MP", `BACKUP DATABASE FULL BACKUPSET '${h.dataRoot}/m';`)).toMatch(/\[-719\]/); // the MP does not archive
  expect(await run(leader, `BACKUP DATABASE INCREMENT BACKUPSET '${dir}';`)).toMatch(/\[-2007\]/);
  expect(await run(leader, `BACKUP DATABASE FULL BACKUPSET;`)).toMatch(/\[-2007\]/);
  expect(await run(leader, `BACKUP DATABASE FULL BACKUPSET '${dir}';`)).toMatch(/操作已执行/);
  expect(await run(leader, `BACKUP DATABASE FULL TO B2 BACKUPSET '${dir}';`)).toMatch(/\[-8116\]/);
  expect(await ok(h, `ls ${dir}`)).toMatch(/backupset\.json/);
  // SHADOW (seed 7.5.1 way 1): the lab takes it after FULL only, as the seed writes it; the set says so
  expect(await run(leader, `BACKUP DATABASE SHADOW FULL BACKUPSET '${dir}_s';`)).toMatch(/\[-2007\]/);
  expect(await run(leader, `BACKUP DATABASE FULL SHADOW BACKUPSET '${dir}_s';`)).toMatch(/操作已执行/);
  expect(JSON.parse(await ok(h, `cat ${dir}_s/backupset.json`))).toMatchObject({ shadow: true, online: true });
  expect(JSON.parse(await ok(h, `cat ${dir}/backupset.json`))).toMatchObject({ shadow: false, online: true });
});

test("two learners join the running group, then vote: no member restarts, the leader stays", async () => {
  const leader = (await leaderName())!;
  const pids = OLD.map((m) => pidOf(h, m));
  const ALL = [...OLD, "BP14", "BP15"];

  await register("BP14");
  await register("BP15");
  // An online set cannot skip its REDO: UPDATE DB_MAGIC is refused until RECOVER ... FROM BACKUPSET.
  await x.rman(`RESTORE DATABASE '${x.ini("BP14")}' FROM BACKUPSET '${onlineSet()}'`);
  await expect(x.rman(`RECOVER DATABASE '${x.ini("BP14")}' UPDATE DB_MAGIC`)).rejects.toThrow(/\[-8140\]/);
  await prepareNewcomer("BP14", 4, ALL, onlineSet());
  // A newcomer whose dmarch.ini names an unregistered peer does not start.
  await mpSql("SP_DROP_DPC_INSTANCE('BP15');");
  await expect(x.start("BP14", true)).rejects.toThrow(/ARCH_DEST\[BP15\]/);
  await register("BP15");
  await x.start("BP14", true);
  // Not added as a learner yet: the leader refuses it and it stays in MOUNT.
  await waitFor(() => /SP_ADD_RAFT_LEARNER/.test(serverLog(c.db(leader), leader)), 10000, "the leader refusing an unlisted learner");
  expect((await bpRows()).find((r) => r.NAME === "BP14")).toMatchObject({ SYS_STATUS: "3" });

  expect(await mpSql("SP_ADD_RAFT_LEARNER('BP14');")).toMatch(/DMSQL 过程已成功完成/);
  await waitFor(async () => (await bpRows()).find((r) => r.NAME === "BP14")?.SYS_STATUS === "4", 15000, "BP14 following as a learner");
  expect((await raftInfo()).find((r) => r.INSTANCE_NAME === "BP14")).toMatchObject({ RAFT_STAT: "FOLLOWER", IS_LEARNER: "TRUE" });

  await prepareNewcomer("BP15", 5, ALL, onlineSet());
  await x.start("BP15", true);
  expect(await mpSql("SP_ADD_RAFT_LEARNER('BP15');")).toMatch(/DMSQL 过程已成功完成/);
  await waitFor(async () => (await bpRows()).find((r) => r.NAME === "BP15")?.SYS_STATUS === "4", 15000, "BP15 following as a learner");

  // A database not restored from the group's backup is listed as a learner but never taken in.
  await register("BP16");
  await prepareNewcomer("BP16", 6, [...ALL, "BP16"]);
  await x.start("BP16", true);
  expect(await mpSql("SP_ADD_RAFT_LEARNER('BP16');")).toMatch(/DMSQL 过程已成功完成/);
  await waitFor(() => /BP16.*不是来自同一备份/.test(serverLog(c.db(leader), leader)), 10000, "the leader refusing BP16's data");
  expect((await bpRows()).find((r) => r.NAME === "BP16")).toMatchObject({ SYS_STATUS: "3" });
  expect(await mpSql("SP_ALTER_RAFT_NODE('BP11/BP12/BP13/BP14/BP16');")).toMatch(/\[-8435\]/);

  // The voting list: odd, at most 9, the leader kept.
  expect(await mpSql("SP_ALTER_RAFT_NODE('BP11/BP12/BP13/BP14');")).toMatch(/\[-8428\]/);
  const withoutLeader = ALL.filter((m) => m !== leader).slice(0, 3).join("/");
  expect(await mpSql(`SP_ALTER_RAFT_NODE('${withoutLeader}');`)).toMatch(/\[-8432\]/);
  expect(await mpSql(`SP_ALTER_RAFT_NODE('${ALL.join("/")}');`)).toMatch(/DMSQL 过程已成功完成/);
  await waitFor(async () => (await raftInfo()).filter((r) => ALL.includes(r.INSTANCE_NAME) && r.IS_LEARNER === "FALSE").length === 5, 10000, "five voters");

  expect(OLD.map((m) => pidOf(h, m))).toEqual(pids);
  expect(await leaderName()).toBe(leader);
  expect((await bpRows()).filter((r) => ALL.includes(r.NAME)).map((r) => [r.NAME, r.SYS_STATUS])).toEqual(ALL.map((n) => [n, "4"]));
  await stopServer(h, "BP16");
});

test("the new members vote: with two of the five down, the other three elect a leader", async () => {
  const leader = (await leaderName())!;
  const other = OLD.find((m) => m !== leader)!;
  for (const m of [leader, other]) await ok(h, `kill -9 ${pidOf(h, m)}`);
  // The survivors: one old member and the two newcomers, a majority of five only with the newcomers' votes.
  await waitFor(async () => {
    const l = await leaderName();
    return l !== undefined && l !== leader && l !== other;
  }, 20000, "a leader among the three survivors");
  const survivors = (await bpRows()).filter((r) => r.SYS_STATUS === "4").map((r) => r.NAME);
  expect(survivors).toHaveLength(3);
  expect(survivors).toEqual(expect.arrayContaining(["BP14", "BP15"]));
});
