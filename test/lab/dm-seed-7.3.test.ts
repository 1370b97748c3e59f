/**
 * Replays the seed's 7.3 (DMDPC with an MP RAFT group) command by command on one host: five
 * instances initialised with AUTO_OVERWRITE=1, an mp.ini with [MP1]..[MP3], MP1 started alone to
 * register the cluster, its offline backup restored into MP2 and MP3, the three MPs started with
 * MOUNT to elect a leader, then SP and BP, then the seed's exit order (SP, BP, exit all of the MPs).
 */
import * as path from "path";
import { DmHost, DmLab, ok, parseListings, pidOf, query, serverLog, startDmLab, startServer, stopServer, waitFor } from "./fixtures/dmlab";
import { project, SEED_7_3 } from "./fixtures/seed-listings";

jest.setTimeout(180000);

let lab: DmLab;
let h: DmHost;
let root: string;
const db = (i: string) => path.join(root, i.toLowerCase(), "DAMENG");
const PORTS: Record<string, number> = { SP1: 5236, BP1: 5336, MP1: 5436, MP2: 5437, MP3: 5438 };
const login = (i: string) => `SYSDBA/SYSDBA001@${h.addr}:${PORTS[i]}`;

beforeAll(async () => {
  lab = await startDmLab(1);
  h = lab.hosts[0];
  root = path.join(h.dataRoot, "mpraft_data");
});
afterAll(async () => lab?.stop());

/** Asks each MP which one leads now (the catalog's PRIMARY MP that is OPEN). */
async function mpLeader(): Promise<string | undefined> {
  for (const m of ["MP1", "MP2", "MP3"]) {
    const r = await h.run(`disql -L -S ${login(m)}`, "select NAME, SYS_MODE, SYS_STATUS from DPC_INSTANCE where DPC_MODE = 'MP';\n");
    const rows = parseListings(r.stdout)[0] ?? [];
    const leader = rows.find((x) => x.SYS_MODE === "PRIMARY" && x.SYS_STATUS === "4");
    if (leader && leader.NAME === m) return m;
  }
  return undefined;
}

test("7.3.1-7.3.5: init, mp.ini with three MPs, MP1 alone registers the cluster", async () => {
  const init = [
    `dminit path=${root}/sp1 instance_name=SP1 port_num=5236 ap_port_num=6000 dpc_mode=SP AUTO_OVERWRITE=1`,
    `dminit path=${root}/bp1 instance_name=BP1 port_num=5336 ap_port_num=6100 dpc_mode=BP AUTO_OVERWRITE=1`,
    `dminit path=${root}/mp1 instance_name=MP1 port_num=5436 ap_port_num=6200 dpc_mode=MP AUTO_OVERWRITE=1`,
    `dminit path=${root}/mp2 instance_name=MP2 port_num=5437 ap_port_num=6201 dpc_mode=MP AUTO_OVERWRITE=1`,
    `dminit path=${root}/mp3 instance_name=MP3 port_num=5438 ap_port_num=6202 dpc_mode=MP AUTO_OVERWRITE=1`,
  ];
  for (const c of init) expect(await ok(h, c)).toMatch(/create dm database success/);
  const mpIni = `# mp_port端口号必须与MP、BP和SP上的ap_port_num端口号不冲突
[MP1]
mp_host = ${h.addr}
mp_port = 10622

[MP2]
mp_host = ${h.addr}
mp_port = 10623

[MP3]
mp_host = ${h.addr}
mp_port = 10624
`;
  for (const i of ["SP1", "BP1", "MP1", "MP2", "MP3"]) await ok(h, `cat > ${db(i)}/mp.ini`, mpIni);
  await ok(h, `cat > ${db("MP1")}/dmarch.ini`, `[ARCHIVE_LOCAL1]\nARCH_TYPE = LOCAL #本地归档类型\nARCH_DEST = ${db("MP1")}/arch  #本地归档文件路径\nARCH_FILE_SIZE = 128  #本地单个归档文件最大值,单位MB\nARCH_SPACE_LIMIT = 0  #本地归档文件总大小,0表示无限制\n`);
  await ok(h, `echo "ARCH_INI = 1" >> ${db("MP1")}/dm.ini`);
  await startServer(h, `${db("MP1")}/dm.ini dpc_mode=MP`, "MP1");
  const ip = h.addr;
  const script = `
SP_CREATE_DPC_INSTANCE(NULL, 'MP1', 'MP', 6200, 5436, '${ip}','', 'STANDBY', 0, 'MP instance');
SP_CREATE_DPC_INSTANCE(NULL, 'MP2', 'MP', 6201, 5437, '${ip}', '','STANDBY', 0, 'MP instance');
SP_CREATE_DPC_INSTANCE(NULL, 'MP3', 'MP', 6202, 5438, '${ip}', '', 'STANDBY', 0, 'MP instance');
SP_CREATE_DPC_RAFT('BP', 'BPRAFT_1');
SP_CREATE_DPC_INSTANCE('BPRAFT_1', 'BP1', 'BP', 6100, 5336, '${ip}', '','NORMAL', 1, 'BP instance');
SP_CREATE_DPC_BP_GROUP('BG_1', 'bp group1');
SP_BP_GROUP_ADD_RAFT('BG_1', 'BPRAFT_1');
SP_CREATE_DPC_RAFT('SP', 'SPRAFT_1');
SP_CREATE_DPC_INSTANCE('SPRAFT_1', 'SP1', 'SP', 6000, 5236, '${ip}', '','NORMAL', 1, 'SP instance');
SP_CREATE_FAULT_DOMAIN ('FDOM_1', 'shanghai_1');
SP_CREATE_FAULT_DOMAIN ('FDOM_2', 'shanghai_2');
SP_CREATE_FAULT_DOMAIN ('FDOM_3', 'shanghai_3');
SP_FAULT_DOMAIN_MV_INST('FDOM_1', 'MP1');
SP_FAULT_DOMAIN_MV_INST('FDOM_1', 'BP1');
SP_FAULT_DOMAIN_MV_INST('FDOM_2', 'MP2');
SP_FAULT_DOMAIN_MV_INST('FDOM_3', 'MP3');
select * from DPC_BP_GROUP;
select * from DPC_BP_RAFT;
select * from DPC_INSTANCE;
`;
  const out = await ok(h, `disql ${login("MP1")}`, script);
  expect(out).not.toMatch(/出现错误/);
  const [group, raft, inst] = parseListings(out);
  expect(project(group, SEED_7_3.bpGroup)).toEqual(SEED_7_3.bpGroup);
  expect(project(raft, SEED_7_3.bpRaft)).toEqual(SEED_7_3.bpRaft);
  expect(project(inst, SEED_7_3.instance)).toEqual(SEED_7_3.instance);
  // An empty external address is listed as the internal one, as the seed's listing shows.
  for (const r of inst) expect(r.IP_EXTERNAL).toBe(ip);
});

const arch = (self: number, voteMs: number) => {
  const peers = [1, 2, 3].filter((n) => n !== self);
  return `XMAL_HB_INTERVAL         = 5                #节点通信检测间隔
RAFT_HB_INTERVAL         = 150              #选举心跳间隔
RAFT_VOTE_INTERVAL       = ${voteMs}            #选举超时时间
RAFT_SELF_ID              = ${self}               #多副本自身节点ID
${peers
  .map(
    (p, k) => `
[ARCHIVE_RAFT${k + 1}]
ARCH_TYPE                 = RAFT                #RAFT归档
ARCH_DEST                 = MP${p}                #归档目标实例名
ARCH_DEST_ID              = ${p}                   #归档目标多副本节点ID`,
  )
  .join("\n")}

[ARCHIVE_LOCAL1]
ARCH_TYPE                 = LOCAL            #本地归档类型
ARCH_DEST                 = ${db(`MP${self}`)}/arch    #本地归档文件路径
ARCH_FILE_SIZE          = 128                #本地单个归档文件最大值,单位MB
ARCH_SPACE_LIMIT         = 0                #本地归档文件总大小,0表示无限制
`;
};

test("7.3.6-7.3.7: MP1's offline backup seeds MP2 and MP3; the three MPs elect a leader", async () => {
  await stopServer(h, "MP1");
  const set = `${root}/mp1/BACKUP_01`;
  expect(await ok(h, `dmrman CTLSTMT="BACKUP DATABASE '${db("MP1")}/dm.ini' FULL TO BACKUP_01 BACKUPSET '${set}'" USE_AP=2`)).toMatch(/backup successfully/);
  for (const m of ["MP2", "MP3"]) {
    await ok(h, `dmrman CTLSTMT="RESTORE DATABASE '${db(m)}/dm.ini' FROM BACKUPSET '${set}'" USE_AP=2`);
    await ok(h, `dmrman CTLSTMT="RECOVER DATABASE '${db(m)}/dm.ini' UPDATE DB_MAGIC" USE_AP=2`);
  }
  for (const [k, m] of ["MP1", "MP2", "MP3"].entries()) {
    await ok(h, `printf 'ARCH_INI = 1  #打开归档配置\\nALTER_MODE_STATUS = 0  #不允许用户直接通过SQL语句修改服务器模式\\n' >> ${db(m)}/dm.ini`);
    await ok(h, `cat > ${db(m)}/dmarch.ini`, arch(k + 1, [1500, 2000, 2500][k]));
  }
  for (const m of ["MP1", "MP2", "MP3"]) await startServer(h, `${db(m)}/dm.ini dpc_mode=MP MOUNT`, m);
  let leader: string | undefined;
  await waitFor(async () => (leader = await mpLeader()) !== undefined, 20000, "an MP leader");
  const rows = await query(h, login(leader!), "select NAME, SYS_MODE, SYS_STATUS from DPC_INSTANCE where DPC_MODE = 'MP'");
  expect(rows.filter((r) => r.SYS_MODE === "PRIMARY")).toHaveLength(1);
  await waitFor(async () => (await query(h, login(leader!), "select NAME from DPC_INSTANCE where DPC_MODE = 'MP' and SYS_STATUS = 4")).length === 3, 10000, "all MPs OPEN");
  // Catalog changes are the leader's alone.
  const follower = ["MP1", "MP2", "MP3"].find((m) => m !== leader)!;
  const r = await h.run(`disql -L -S ${login(follower)}`, "SP_CREATE_FAULT_DOMAIN('FDOM_X', 'x');\n");
  expect(r.stdout).toContain("第1 行附近出现错误[-8402]:当前MP不是RAFT组主库,不能修改元数据.");
});

test("7.3.8-7.3.10: SP and BP start against the MP group, all OPEN; exit SP, BP, then exit all MPs", async () => {
  await startServer(h, `${db("SP1")}/dm.ini dpc_mode=SP`, "SP1");
  await startServer(h, `${db("BP1")}/dm.ini dpc_mode=BP`, "BP1");
  const v = await query(h, login("SP1"), "select NAME, STATUS$ from V$INSTANCE order by NAME");
  expect(v.map((r) => r.NAME)).toEqual(["BP1", "MP1", "MP2", "MP3", "SP1"]);
  expect(v.every((r) => r.STATUS$ === "OPEN")).toBe(true);
  await stopServer(h, "SP1");
  await stopServer(h, "BP1");
  const mps = ["MP1", "MP2", "MP3"].map((m) => pidOf(h, m));
  await stopServer(h, "MP2", "USR1");
  await waitFor(() => ["MP1", "MP2", "MP3"].every((m) => pidOf(h, m) === undefined), 10000, "MP exit all");
  expect(mps.every((p) => p !== undefined)).toBe(true);
  for (const i of ["SP1", "BP1", "MP1", "MP2", "MP3"]) {
    const log = serverLog(db(i), i);
    expect(log).toContain("shutdown successfully");
    expect(log).not.toMatch(/FATAL|REDO/);
  }
});
