/**
 * The seed's 7.5: shadow replicas made both ways (a FULL SHADOW backup restored normally, and a
 * normal backup restored TO SHADOW) follow the elected leader but never vote or lead; a member
 * killed hard replays REDO when it comes back.
 */
import { DmHost, DmLab, ok, pidOf, query, serverLog, startDmLab, stopServer, waitFor } from "./fixtures/dmlab";
import { MiniCluster } from "./fixtures/dmcluster";

jest.setTimeout(180000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;
const MEMBERS = ["BP11", "BP12", "BP13", "BP14"];

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

const raftInfo = () => query(h, c.login("MP"), "select INST_NAME, RAFT_STAT, IS_SHADOW from V$GLOBAL_RAFT_INFO order by INST_NAME");
const bpRows = () => query(h, c.login("MP"), "select NAME, SYS_MODE, SYS_STATUS, STATUS from DPC_INSTANCE where DPC_MODE = 'BP'");

test("7.5.1: both ways of making a shadow replica, then the group starts with MOUNT", async () => {
  await c.prepareFirstMember("BP11");
  const set1 = `${h.dataRoot}/bp11/BACKUP_01`;
  const set2 = `${h.dataRoot}/bp11/BACKUP_02`;
  await c.rman(`BACKUP DATABASE '${c.ini("BP11")}' FULL TO BACKUP_01 BACKUPSET '${set1}'`);
  await c.rman(`BACKUP DATABASE '${c.ini("BP11")}' FULL SHADOW TO BACKUP_02 BACKUPSET '${set2}'`);
  await c.rman(`RESTORE DATABASE '${c.ini("BP12")}' FROM BACKUPSET '${set1}'`);
  await c.rman(`RESTORE DATABASE '${c.ini("BP13")}' TO SHADOW FROM BACKUPSET '${set1}'`);
  await c.rman(`RESTORE DATABASE '${c.ini("BP14")}' FROM BACKUPSET '${set2}'`);
  for (const m of ["BP12", "BP13", "BP14"]) await c.rman(`RECOVER DATABASE '${c.ini(m)}' UPDATE DB_MAGIC`);
  for (const [k, m] of MEMBERS.entries()) {
    await c.raftConfig(m, k + 1, [1500, 2000, 2500, 3000][k], MEMBERS.map((name, j) => ({ name, id: j + 1 })).filter((p) => p.name !== m));
  }
  for (const m of MEMBERS) await c.start(m, true);
  await waitFor(async () => (await bpRows()).every((r) => r.SYS_STATUS === "4"), 20000, "every member OPEN");
  const info = await raftInfo();
  expect(info.find((r) => r.RAFT_STAT === "LEADER")?.INST_NAME).toMatch(/^BP1[12]$/);
  expect(info.filter((r) => r.IS_SHADOW === "1").map((r) => [r.INST_NAME, r.RAFT_STAT])).toEqual([
    ["BP13", "FOLLOWER"],
    ["BP14", "FOLLOWER"],
  ]);
  const rows = await bpRows();
  expect(rows.filter((r) => r.SYS_MODE === "PRIMARY")).toHaveLength(1);
});

test("without a second voter no one leads, shadows included; the killed leader comes back with REDO", async () => {
  const leader = (await raftInfo()).find((r) => r.RAFT_STAT === "LEADER")!.INST_NAME;
  // The other voter; the shadows never stand.
  const voter = leader === "BP11" ? "BP12" : "BP11";
  const termOf = async (name: string) => Number((await query(h, c.login("MP"), `select TERM from V$GLOBAL_RAFT_INFO where INST_NAME = '${name}'`))[0]?.TERM);
  const before = await termOf(voter);
  const pid = pidOf(h, leader)!;
  await ok(h, `kill -9 ${pid}`);
  // Until the remaining voter has stood for election (its term moved on): its chance to lead.
  await waitFor(async () => (await termOf(voter)) > before, 20000, `${voter} standing for election`);
  const rows = await bpRows();
  expect(rows.filter((r) => r.SYS_MODE === "PRIMARY" && r.SYS_STATUS === "4")).toEqual([]);
  await c.start(leader, true);
  expect(serverLog(c.db(leader), leader)).toMatch(/上次未正常关闭.*REDO/);
  await waitFor(async () => (await bpRows()).filter((r) => r.SYS_MODE === "PRIMARY" && r.SYS_STATUS === "4").length === 1, 20000, "a new leader");
  const info = await raftInfo();
  expect(info.find((r) => r.RAFT_STAT === "LEADER")?.INST_NAME).toMatch(/^BP1[12]$/);
  await waitFor(async () => (await bpRows()).every((r) => r.SYS_STATUS === "4"), 20000, "shadows following again");
  const anyMember = "BP13";
  await stopServer(h, anyMember, "USR1");
  await waitFor(() => MEMBERS.every((m) => pidOf(h, m) === undefined), 10000, "exit all from a shadow");
  await stopServer(h, "MP");
});
