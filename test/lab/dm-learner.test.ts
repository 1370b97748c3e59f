/**
 * Adding and removing BP replicas of a running RAFT group by hand, as the DM8 manual does it
 * (DMDPC 集群的管理与使用 §8.2.2.1.1 and §8.2.2.1.2), statements adapted only in paths and
 * addresses: dminit and registration as STANDBY/0, learner dmarch.ini (fellow learner as
 * ARCH_TYPE = LEARNER, XMAL and ARCH_DEST addresses), online backup on the BS-mode leader
 * (`bak` → `bak_<LEADER>`), SHOW BACKUPSET for its BAK_MAGIC, RESTORE ... USE BAK_MAGIC, RECOVER
 * ... FOR STANDBY ... UNTIL END_LSN, UPDATE DB_MAGIC, start, SP_ADD_RAFT_LEARNER(4 arguments) and
 * SP_ALTER_RAFT_NODE on the leader; then removal. Each refusal on the way is shown. The running
 * members are never restarted.
 */
import { DmHost, DmLab, ok, pidOf, query, serverLog, startDmap, startDmLab, stopServer, waitFor } from "./fixtures/dmlab";
import { MiniCluster } from "./fixtures/dmcluster";

jest.setTimeout(240000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;
let x: MiniCluster;
const OLD = ["BP11", "BP12", "BP13"];
const NEW = ["BP14", "BP15"];
const ALL = [...OLD, ...NEW];
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
  x = new MiniCluster(
    h,
    ["BP14", "BP15", "BP16"].map((name, k) => ({ name, mode: "BP" as const, port: 5243 + k, ap: 6013 + k, raft: "RAFT_1" })),
    9000,
  );
  x.peerAps = Object.fromEntries(OLD.map((n) => [n, c.spec(n).ap]));
  await c.init();
  await x.init();
  await c.startMpAndRegister();
  // 7.2.6 - 7.2.8: a three-member group, seeded offline; its members run in BS mode (§8.2.2).
  await c.prepareFirstMember("BP11");
  const set = `${h.dataRoot}/bp11/BACKUP_01`;
  await c.rman(`BACKUP DATABASE '${c.ini("BP11")}' FULL TO BACKUP_01 BACKUPSET '${set}'`);
  for (const m of ["BP12", "BP13"]) {
    await c.rman(`RESTORE DATABASE '${c.ini(m)}' FROM BACKUPSET '${set}'`);
    await c.rman(`RECOVER DATABASE '${c.ini(m)}' UPDATE DB_MAGIC`);
  }
  for (const [k, m] of OLD.entries()) await c.raftConfig(m, k + 1, VOTE[k], peersOf(OLD, m));
  for (const m of OLD) await c.start(m, true, "BS");
  await waitFor(async () => (await bpRows()).filter((r) => r.SYS_STATUS === "4").length === 3, 20000, "RAFT_1 elected");
});
afterAll(async () => lab?.stop());

const mpSql = async (sql: string) => ok(h, `disql -L -S ${c.login("MP")}`, `${sql}\n`);
const bpRows = () => query(h, c.login("MP"), "select NAME, SYS_MODE, SYS_STATUS, STATUS from DPC_INSTANCE where DPC_MODE = 'BP' order by NAME");
const leaderName = async () => (await bpRows()).find((r) => r.SYS_MODE === "PRIMARY" && r.SYS_STATUS === "4")?.NAME;
const login = (name: string) => `SYSDBA/SYSDBA001@${h.addr}:${(c.insts.find((i) => i.name === name) ?? x.spec(name)).port}`;
const on = (who: string, sql: string) => ok(h, `disql -L -S ${login(who)}`, `${sql}\n`);
const bak = () => `${h.dataRoot}/bp11/DAMENG/bak`;
const magicOf = async (set: string) => Number(/BAK_MAGIC: (\d+)/.exec(await x.rman(`SHOW BACKUPSET '${set}'`))![1]);
const addLearner = (name: string, id: number) => `SP_ADD_RAFT_LEARNER('${name}','${h.addr}',${x.spec(name).ap},${id});`;

test("8.2.2.1.1 step 3: the online backup on the BS-mode leader writes bak_<LEADER>, with a BAK_MAGIC SHOW BACKUPSET prints", async () => {
  const leader = (await leaderName())!;
  const follower = OLD.find((m) => m !== leader)!;
  expect(await on(follower, `BACKUP DATABASE BACKUPSET '${h.dataRoot}/f';`)).toMatch(/\[-718\]/);
  expect(await on("MP", `BACKUP DATABASE FULL BACKUPSET '${h.dataRoot}/m';`)).toMatch(/\[-719\]/); // the MP does not archive
  expect(await on(leader, `BACKUP DATABASE INCREMENT BACKUPSET '${bak()}';`)).toMatch(/\[-2007\]/);
  // BAK_USE_AP = 1 (dm.ini's default): no backup before DMAP runs on the host (备份还原简介 §1.5)
  expect(await on(leader, `BACKUP DATABASE BACKUPSET '${bak()}';`)).toMatch(/\[-8109\]:创建DMAP管道失败/);
  // dmrman likewise with USE_AP = 1, its default; USE_AP=2 goes without DMAP (and finds no database here)
  const none = `RECOVER DATABASE '${h.dataRoot}/none/dm.ini' UPDATE DB_MAGIC`;
  expect((await h.run(`dmrman CTLSTMT="${none}"`)).stdout).toMatch(/\[-8109\]:创建DMAP管道失败/);
  expect((await h.run(`dmrman CTLSTMT="${none}" USE_AP=2`)).stdout).toMatch(/\[-8002\]/);
  // "启动 DMAP，连接 BP1，联机备份"
  await startDmap(h);
  expect(await on(leader, `BACKUP DATABASE BACKUPSET '${bak()}';`)).toMatch(/操作已执行/);
  const set = `${bak()}_${leader}`;
  expect(await ok(h, `ls ${set}`)).toMatch(/backupset\.json/);
  expect(await on(leader, `BACKUP DATABASE FULL BACKUPSET '${bak()}';`)).toMatch(/\[-8116\]/); // never over a set
  expect(await magicOf(set)).toBeGreaterThan(0);
  // SHADOW after FULL only, as seed 7.5.1 writes it
  expect(await on(leader, `BACKUP DATABASE SHADOW FULL BACKUPSET '${bak()}s';`)).toMatch(/\[-2007\]/);
  expect(await on(leader, `BACKUP DATABASE FULL SHADOW BACKUPSET '${bak()}s';`)).toMatch(/操作已执行/);
  expect(JSON.parse(await ok(h, `cat ${bak()}s_${leader}/backupset.json`))).toMatchObject({ shadow: true, online: true });
});

test("8.2.2.1.1: two BP replicas join as learners, then vote; refusals on the way; no member restarts, the leader stays", async () => {
  const leader = (await leaderName())!;
  const follower = OLD.find((m) => m !== leader)!;
  const pids = OLD.map((m) => pidOf(h, m));
  const set = `${bak()}_${leader}`;
  const magic = await magicOf(set);
  const members = OLD.map((name, j) => ({ name, id: j + 1 }));

  // step 1: registration as STANDBY/0 in the MP
  for (const n of NEW) {
    const s = x.spec(n);
    expect(await mpSql(`SP_CREATE_DPC_INSTANCE('RAFT_1', '${n}', 'BP', ${s.ap}, ${s.port}, '${h.addr}', '', 'STANDBY', 0, 'BP instance');`)).not.toMatch(/出现错误/);
  }
  // step 2: ARCH_INI = 1; learner dmarch.ini naming the other learner as LEARNER
  await x.learnerConfig("BP14", 4, VOTE[3], members, [{ name: "BP15", id: 5 }], true);
  await x.learnerConfig("BP15", 5, VOTE[4], members, [{ name: "BP14", id: 4 }], true);

  // step 3: restore with the set's BAK_MAGIC (another one is -8379), RECOVER FOR STANDBY, UPDATE DB_MAGIC
  await expect(x.rman(`RESTORE DATABASE '${x.ini("BP14")}' FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic + 1}`)).rejects.toThrow(/\[-8379\]:指定的BAK MAGIC值与备份集不匹配/);
  await expect(x.rman(`RESTORE DATABASE '${x.ini("BP14")}' FROM BACKUPSET '${set}'`)).rejects.toThrow(/\[-8379\]/);
  for (const n of NEW) {
    await x.rman(`RESTORE DATABASE '${x.ini(n)}' FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic}`);
    if (n === "BP14") await expect(x.rman(`RECOVER DATABASE '${x.ini(n)}' UPDATE DB_MAGIC`)).rejects.toThrow(/\[-8140\]/); // an online set cannot skip its REDO
    await x.rman(`RECOVER DATABASE '${x.ini(n)}' FOR STANDBY FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic} UNTIL END_LSN`);
    await x.rman(`RECOVER DATABASE '${x.ini(n)}' UPDATE DB_MAGIC`);
  }

  // step 4: start; not added yet, the leader refuses them and they stay in MOUNT
  for (const n of NEW) await x.start(n, true, "BS");
  await waitFor(() => /BP14.*SP_ADD_RAFT_LEARNER/.test(serverLog(c.db(leader), leader)), 10000, "the leader refusing an unlisted learner");
  expect((await bpRows()).find((r) => r.NAME === "BP14")).toMatchObject({ SYS_STATUS: "3" });

  // Refused: other argument counts, the MP, a follower, a BP-mode node, wrong address or id.
  expect(await on(leader, "SP_ADD_RAFT_LEARNER('BP14');")).toMatch(/\[-5402\]:参数个数不匹配/);
  expect(await on(leader, `SP_ADD_RAFT_LEARNER('BP14','${h.addr}',${x.spec("BP14").ap});`)).toMatch(/\[-5402\]/);
  expect(await mpSql(addLearner("BP14", 4))).toMatch(/\[-8432\]/);
  expect(await on(follower, addLearner("BP14", 4))).toMatch(/\[-8432\]/);
  expect(await on(leader, `SP_ADD_RAFT_LEARNER('BP14','${h.addr}',${x.spec("BP14").port},4);`)).toMatch(/\[-8442\]/);
  expect(await on(leader, addLearner("BP14", 2))).toMatch(/\[-8443\]/);

  expect(await on(leader, addLearner("BP14", 4))).toMatch(/DMSQL 过程已成功完成/);
  expect(await on(leader, addLearner("BP15", 5))).toMatch(/DMSQL 过程已成功完成/);
  await waitFor(async () => (await bpRows()).filter((r) => NEW.includes(r.NAME) && r.SYS_STATUS === "4").length === 2, 15000, "BP14, BP15 following as learners");

  // SP_ALTER_RAFT_NODE: only on the leader, odd, the leader kept, one argument
  expect(await mpSql(`SP_ALTER_RAFT_NODE('${ALL.join("/")}');`)).toMatch(/\[-8432\]/);
  expect(await on(follower, `SP_ALTER_RAFT_NODE('${ALL.join("/")}');`)).toMatch(/\[-8432\]/);
  expect(await on(leader, `SP_ALTER_RAFT_NODE('${ALL.join("/")}', 1);`)).toMatch(/\[-5402\]/);
  expect(await on(leader, "SP_ALTER_RAFT_NODE('BP11/BP12/BP13/BP14');")).toMatch(/\[-8428\]/);
  expect(await on(leader, `SP_ALTER_RAFT_NODE('${ALL.filter((m) => m !== leader).slice(0, 3).join("/")}');`)).toMatch(/\[-8432\]/);
  expect(await on(leader, `SP_ALTER_RAFT_NODE('${ALL.join("/")}');`)).toMatch(/DMSQL 过程已成功完成/);
  // voted in: a node of the configuration is no learner to add again
  expect(await on(leader, addLearner("BP14", 4))).toMatch(/\[-8441\]/);

  expect(OLD.map((m) => pidOf(h, m))).toEqual(pids);
  expect(await leaderName()).toBe(leader);
  expect((await bpRows()).filter((r) => ALL.includes(r.NAME)).map((r) => [r.NAME, r.SYS_STATUS])).toEqual(ALL.map((n) => [n, "4"]));
});

test("a learner restored from the online set without FOR STANDBY is never taken in; a BP-mode BP refuses the replica procedures", async () => {
  const leader = (await leaderName())!;
  const set = `${bak()}_${leader}`;
  const magic = await magicOf(set);
  const s = x.spec("BP16");
  expect(await mpSql(`SP_CREATE_DPC_INSTANCE('RAFT_1', 'BP16', 'BP', ${s.ap}, ${s.port}, '${h.addr}', '', 'STANDBY', 0, 'BP instance');`)).not.toMatch(/出现错误/);
  await x.learnerConfig("BP16", 6, VOTE[5], ALL.map((name, j) => ({ name, id: j + 1 })), [], true);
  await x.rman(`RESTORE DATABASE '${x.ini("BP16")}' FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic}`);
  await x.rman(`RECOVER DATABASE '${x.ini("BP16")}' FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic}`);
  await x.rman(`RECOVER DATABASE '${x.ini("BP16")}' UPDATE DB_MAGIC`);
  // Started in BP mode, it cannot run the replica procedures, leader or not.
  await x.start("BP16", true, "BP");
  expect(await on("BP16", addLearner("BP16", 6))).toMatch(/\[-8444\]:当前BP实例未以BS模式启动/);
  expect(await on(leader, addLearner("BP16", 6))).toMatch(/DMSQL 过程已成功完成/);
  await waitFor(() => /BP16.*FOR STANDBY/.test(serverLog(c.db(leader), leader)), 10000, "the leader refusing BP16");
  expect((await bpRows()).find((r) => r.NAME === "BP16")).toMatchObject({ SYS_STATUS: "3" });
  await stopServer(h, "BP16");
  await mpSql("SP_DROP_DPC_INSTANCE('BP16');");
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
  expect(survivors).toEqual(expect.arrayContaining(NEW));
  // Bring the killed members back (MOUNT, BS mode): they follow the new leader.
  for (const m of [leader, other]) await c.start(m, true, "BS");
  await waitFor(async () => (await bpRows()).filter((r) => ALL.includes(r.NAME) && r.SYS_STATUS === "4").length === 5, 20000, "all five following");
});

test("8.2.2.1.2: removal on the leader (SP_ALTER_RAFT_NODE or SP_DELETE_RAFT_NODE), then SP_DROP_DPC_INSTANCE on the MP", async () => {
  const leader = (await leaderName())!;
  const follower = ALL.find((m) => m !== leader)!;
  const leaving = ALL.filter((m) => m !== leader).slice(-2);
  const staying = ALL.filter((m) => !leaving.includes(m));
  expect(await on(follower, `SP_DELETE_RAFT_NODE('${leaving.join("/")}');`)).toMatch(/\[-8432\]/);
  expect(await on(leader, `SP_DELETE_RAFT_NODE('${leader}/${leaving[0]}');`)).toMatch(/\[-8432\]/); // never the leader
  expect(await on(leader, `SP_DELETE_RAFT_NODE('${leaving[0]}');`)).toMatch(/\[-8428\]/); // four left: even
  expect(await on(leader, `SP_DELETE_RAFT_NODE('${leaving.join("/")}');`)).toMatch(/DMSQL 过程已成功完成/);
  // a node no longer in the configuration, or of another group, is no node to delete
  expect(await on(leader, `SP_DELETE_RAFT_NODE('${leaving[0]}');`)).toMatch(/\[-8445\]/);
  expect(await on(leader, "SP_DELETE_RAFT_NODE('MP');")).toMatch(/\[-8413\]/);
  // the other form of the same change is accepted too (the configuration it names is the current one)
  expect(await on(leader, `SP_ALTER_RAFT_NODE('${staying.join("/")}');`)).toMatch(/DMSQL 过程已成功完成/);
  for (const m of leaving) await stopServer(h, m);
  for (const m of leaving) expect(await mpSql(`SP_DROP_DPC_INSTANCE('${m}');`)).toMatch(/DMSQL 过程已成功完成/);
  const left = await bpRows();
  expect(left.map((r) => r.NAME).sort()).toEqual([...staying].sort());
  expect(await leaderName()).toBe(leader);
  expect(left.every((r) => r.SYS_STATUS === "4")).toBe(true);
});
