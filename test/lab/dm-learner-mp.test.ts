/**
 * Adding two MP replicas to a running MP RAFT group by hand, as the DM8 manual does it (DMDPC
 * 集群的管理与使用 §8.2.2.2.1), then removing them (§8.2.2.2.2), statements adapted only in paths
 * and addresses: dminit, registration with '' as RAFT name, learner dmarch.ini without addresses
 * (the manual's MP example), mp.ini equal on every node, the MP leader's online backup
 * (`bak` → `bak_<LEADER>`), SHOW BACKUPSET, RESTORE / RECOVER FOR STANDBY with its BAK_MAGIC,
 * UPDATE DB_MAGIC, start, SP_ADD_RAFT_LEARNER and SP_ALTER_RAFT_NODE on the MP leader only.
 */
import { DmHost, DmLab, ok, parseListings, pidOf, startDmap, startDmLab, stopServer, waitFor } from "./fixtures/dmlab";
import { MiniCluster } from "./fixtures/dmcluster";

jest.setTimeout(240000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;
let x: MiniCluster;
const OLD = ["MP1", "MP2", "MP3"];
const NEW = ["MP4", "MP5"];
const ALL = [...OLD, ...NEW];
const VOTE = [1500, 2000, 2500, 3000, 3500];
const mpIni = () => ALL.map((m, k) => `[${m}]\nmp_host = ${h.addr}\nmp_port = ${10622 + k}\n`).join("\n");
const login = (name: string) => `SYSDBA/SYSDBA001@${h.addr}:${5436 + ALL.indexOf(name)}`;
const on = (who: string, sql: string) => ok(h, `disql -L -S ${login(who)}`, `${sql}\n`);

/** Asks each MP which one leads now (the catalog's PRIMARY MP that is OPEN). */
async function mpLeader(): Promise<string | undefined> {
  for (const m of ALL) {
    const r = await h.run(`disql -L -S ${login(m)}`, "select NAME, SYS_MODE, SYS_STATUS from DPC_INSTANCE where DPC_MODE = 'MP';\n");
    const rows = parseListings(r.stdout)[0] ?? [];
    if (rows.some((x) => x.NAME === m && x.SYS_MODE === "PRIMARY" && x.SYS_STATUS === "4")) return m;
  }
  return undefined;
}
const mpRows = async () => {
  const l = (await mpLeader())!;
  return parseListings(await on(l, "select NAME, SYS_MODE, SYS_STATUS from DPC_INSTANCE where DPC_MODE = 'MP' order by NAME;"))[0];
};

beforeAll(async () => {
  lab = await startDmLab(1);
  h = lab.hosts[0];
  const spec = (name: string, k: number) => ({ name, mode: "MP" as const, port: 5436 + k, ap: 6200 + k, sysMode: "STANDBY" as const, status: 0 });
  c = new MiniCluster(h, OLD.map(spec), 10622);
  x = new MiniCluster(h, NEW.map((n, k) => spec(n, k + 3)), 10622);
  await c.init();
  await x.init();
  for (const m of ALL.slice(0, 3)) await ok(h, `cat > ${c.db(m)}/mp.ini`, mpIni());
  // 7.3.4 - 7.3.7: MP1 registers the three MPs, its offline backup seeds MP2 and MP3, they elect.
  await c.startMpAndRegister();
  await stopServer(h, "MP1");
  const set = `${h.dataRoot}/mp1/BACKUP_01`;
  await c.rman(`BACKUP DATABASE '${c.ini("MP1")}' FULL TO BACKUP_01 BACKUPSET '${set}'`);
  for (const m of ["MP2", "MP3"]) {
    await c.rman(`RESTORE DATABASE '${c.ini(m)}' FROM BACKUPSET '${set}'`);
    await c.rman(`RECOVER DATABASE '${c.ini(m)}' UPDATE DB_MAGIC`);
  }
  for (const [k, m] of OLD.entries()) await c.raftConfig(m, k + 1, VOTE[k], OLD.map((name, j) => ({ name, id: j + 1 })).filter((p) => p.name !== m));
  for (const m of OLD) await c.start(m, true);
  await waitFor(async () => (await mpLeader()) !== undefined, 20000, "an MP leader");
  await waitFor(async () => (await mpRows()).filter((r) => r.SYS_STATUS === "4").length === 3, 10000, "three MPs OPEN");
});
afterAll(async () => lab?.stop());

test("8.2.2.2.1: two MP replicas join as learners on the MP leader, then vote; no MP restarts", async () => {
  const leader = (await mpLeader())!;
  const follower = OLD.find((m) => m !== leader)!;
  const pids = OLD.map((m) => pidOf(h, m));
  // step 1: registration ('' as RAFT name, the manual's form), on the MP leader
  for (const n of NEW) {
    const s = x.spec(n);
    expect(await on(leader, `SP_CREATE_DPC_INSTANCE('', '${n}', 'MP', ${s.ap}, ${s.port}, '${h.addr}', '', 'STANDBY', 0, 'MP instance');`)).not.toMatch(/出现错误/);
  }
  // step 2: ARCH_INI = 1, the learner dmarch.ini of the MP example, mp.ini equal on all nodes
  const members = OLD.map((name, j) => ({ name, id: j + 1 }));
  await x.learnerConfig("MP4", 4, VOTE[3], members, [{ name: "MP5", id: 5 }], false);
  await x.learnerConfig("MP5", 5, VOTE[4], members, [{ name: "MP4", id: 4 }], false);
  for (const m of ALL) await ok(h, `cat > ${c.db(m)}/mp.ini`, mpIni());
  // step 3: online backup of the leader; bak → bak_<LEADER>
  const bak = `${h.dataRoot}/${leader.toLowerCase()}/DAMENG/bak`;
  expect(await on(follower, `BACKUP DATABASE BACKUPSET '${bak}';`)).toMatch(/\[-718\]/);
  // "启动 DMAP， 连接 MP1，联机备份主节点 MP1"
  await startDmap(h);
  expect(await on(leader, `BACKUP DATABASE BACKUPSET '${bak}';`)).toMatch(/操作已执行/);
  const set = `${bak}_${leader}`;
  const magic = Number(/BAK_MAGIC: (\d+)/.exec(await x.rman(`SHOW BACKUPSET '${set}'`))![1]);
  expect(magic).toBeGreaterThan(0);
  for (const n of NEW) {
    await x.rman(`RESTORE DATABASE '${x.ini(n)}' FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic}`);
    await x.rman(`RECOVER DATABASE '${x.ini(n)}' FOR STANDBY FROM BACKUPSET '${set}' USE BAK_MAGIC ${magic} UNTIL END_LSN`);
    await x.rman(`RECOVER DATABASE '${x.ini(n)}' UPDATE DB_MAGIC`);
  }
  // step 4: start, then the learner procedure on the MP leader (a follower refuses it)
  for (const n of NEW) await x.start(n, true);
  const add = (n: string, id: number) => `SP_ADD_RAFT_LEARNER('${n}','${h.addr}',${x.spec(n).ap},${id});`;
  expect(await on(follower, add("MP4", 4))).toMatch(/\[-8432\]/);
  expect(await on(leader, `SP_ADD_RAFT_LEARNER('MP4');`)).toMatch(/\[-5402\]/);
  expect(await on(leader, add("MP4", 4))).toMatch(/DMSQL 过程已成功完成/);
  expect(await on(leader, add("MP5", 5))).toMatch(/DMSQL 过程已成功完成/);
  await waitFor(async () => (await mpRows()).filter((r) => NEW.includes(r.NAME) && r.SYS_STATUS === "4").length === 2, 15000, "MP4, MP5 following as learners");
  expect(await on(follower, `SP_ALTER_RAFT_NODE('${ALL.join("/")}');`)).toMatch(/\[-8402\]|\[-8432\]/);
  expect(await on(leader, `SP_ALTER_RAFT_NODE('${ALL.join("/")}');`)).toMatch(/DMSQL 过程已成功完成/);
  expect(OLD.map((m) => pidOf(h, m))).toEqual(pids);
  expect(await mpLeader()).toBe(leader);
  expect((await mpRows()).map((r) => [r.NAME, r.SYS_STATUS])).toEqual(ALL.map((n) => [n, "4"]));
});

test("the new MPs vote: with two of the five down, the other three elect a leader", async () => {
  const leader = (await mpLeader())!;
  const other = OLD.find((m) => m !== leader)!;
  for (const m of [leader, other]) await ok(h, `kill -9 ${pidOf(h, m)}`);
  let next: string | undefined;
  await waitFor(async () => (next = await mpLeader()) !== undefined && next !== leader && next !== other, 20000, "a leader among the three survivors");
  for (const m of [leader, other]) await c.start(m, true);
  await waitFor(async () => (await mpRows()).filter((r) => r.SYS_STATUS === "4").length === 5, 20000, "all five following");
});

test("8.2.2.2.2: removal on the MP leader, then SP_DROP_DPC_INSTANCE", async () => {
  const leader = (await mpLeader())!;
  const leaving = ALL.filter((m) => m !== leader).slice(-2);
  const staying = ALL.filter((m) => !leaving.includes(m));
  expect(await on(leader, `SP_ALTER_RAFT_NODE('${staying.join("/")}');`)).toMatch(/DMSQL 过程已成功完成/);
  for (const m of leaving) await stopServer(h, m);
  for (const m of leaving) expect(await on(leader, `SP_DROP_DPC_INSTANCE('${m}');`)).toMatch(/DMSQL 过程已成功完成/);
  expect((await mpRows()).map((r) => r.NAME).sort()).toEqual([...staying].sort());
  expect(await mpLeader()).toBe(leader);
});
