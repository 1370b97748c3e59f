/**
 * Replays the seed's 7.2 (DMDPC with multi-replica BP groups) command by command, spread over three
 * hosts so that each fault domain is one host: MP, SP1, BP11 and BP21 on host1, BP12/BP22 on host2,
 * BP13/BP23 on host3. Each group's data comes from an offline backup of its first member; the
 * members start with MOUNT and elect one leader per group over their AP ports.
 */
import * as path from "path";
import { DmHost, DmLab, ok, parseListings, pidOf, query, serverLog, startDmLab, startServer, stopServer, waitFor } from "./fixtures/dmlab";
import { project, SEED_7_2 } from "./fixtures/seed-listings";

jest.setTimeout(180000);

let lab: DmLab;
let hosts: DmHost[];
const dir = (h: DmHost, inst: string) => path.join(h.dataRoot, "dpc_data_mac", inst.toLowerCase());
const db = (h: DmHost, inst: string) => path.join(dir(h, inst), "DAMENG");

interface Inst {
  name: string;
  host: () => DmHost;
  port: number;
  ap: number;
  mode: "MP" | "SP" | "BP";
}

const H = (i: number) => () => hosts[i];
const INSTANCES: Inst[] = [
  { name: "SP1", host: H(0), port: 5236, ap: 6000, mode: "SP" },
  { name: "MP", host: H(0), port: 5237, ap: 6001, mode: "MP" },
  { name: "BP11", host: H(0), port: 5238, ap: 6002, mode: "BP" },
  { name: "BP12", host: H(1), port: 5239, ap: 6003, mode: "BP" },
  { name: "BP13", host: H(2), port: 5240, ap: 6004, mode: "BP" },
  { name: "BP21", host: H(0), port: 5241, ap: 6005, mode: "BP" },
  { name: "BP22", host: H(1), port: 5242, ap: 6006, mode: "BP" },
  { name: "BP23", host: H(2), port: 5243, ap: 6007, mode: "BP" },
];
const inst = (n: string) => INSTANCES.find((i) => i.name === n)!;
const login = (n: string) => `SYSDBA/SYSDBA001@${inst(n).host().addr}:${inst(n).port}`;
const VOTE = [1500, 2000, 2500];

beforeAll(async () => {
  lab = await startDmLab(3);
  hosts = lab.hosts;
});
afterAll(async () => lab?.stop());

test("7.2.1-7.2.4: init eight instances, mp.ini everywhere, start the MP, register", async () => {
  for (const i of INSTANCES) {
    const h = i.host();
    await ok(h, `dminit path=${dir(h, i.name)} instance_name=${i.name} port_num=${i.port} ap_port_num=${i.ap} dpc_mode=${i.mode}`);
    await ok(h, `echo mp_host = ${hosts[0].addr} > ${db(h, i.name)}/mp.ini`);
    await ok(h, `echo "mp_port = 9000      #与MP、BP和SP上的ap_port_num不冲突的端口号 " >> ${db(h, i.name)}/mp.ini`);
  }
  await startServer(hosts[0], `${db(hosts[0], "MP")}/dm.ini dpc_mode=MP`, "MP");
  const reg = (n: string, raft: string, sysMode: string, status: number, desc: string) => {
    const i = inst(n);
    const a = i.host().addr;
    return `SP_CREATE_DPC_INSTANCE(${raft}, '${n}', '${i.mode}', ${i.ap}, ${i.port}, '${a}', '${a}','${sysMode}', ${status}, '${desc}');`;
  };
  const script = [
    reg("MP", "NULL", "NORMAL", 1, "MP instance"),
    "SP_CREATE_DPC_RAFT('BP', 'RAFT_1');",
    ...["BP11", "BP12", "BP13"].map((n) => reg(n, "'RAFT_1'", "STANDBY", 0, "BP instance")),
    "SP_CREATE_DPC_RAFT('BP', 'RAFT_2');",
    ...["BP21", "BP22", "BP23"].map((n) => reg(n, "'RAFT_2'", "STANDBY", 0, "BP instance")),
    "SP_CREATE_DPC_BP_GROUP('BG_1', 'bp group1');",
    "SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_1');",
    "SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_2');",
    "SP_CREATE_DPC_RAFT('SP', 'RAFT_SP1');",
    reg("SP1", "'RAFT_SP1'", "NORMAL", 2, "SP instance"),
    "SP_CREATE_FAULT_DOMAIN ('FDOM_1', 'shanghai_1');",
    "SP_CREATE_FAULT_DOMAIN ('FDOM_2', 'shanghai_2');",
    "SP_CREATE_FAULT_DOMAIN ('FDOM_3', 'shanghai_3');",
    "SP_FAULT_DOMAIN_MV_INST('FDOM_1', 'MP');",
    "SP_FAULT_DOMAIN_MV_INST('FDOM_1', 'BP11');",
    "SP_FAULT_DOMAIN_MV_INST('FDOM_1', 'BP21');",
    "SP_FAULT_DOMAIN_MV_INST('FDOM_2', 'BP12');",
    "SP_FAULT_DOMAIN_MV_INST('FDOM_2', 'BP22');",
    "SP_FAULT_DOMAIN_MV_INST('FDOM_3', 'BP13');",
    "SP_FAULT_DOMAIN_MV_INST('FDOM_3', 'BP23');",
    "select * from DPC_BP_GROUP;",
    "select * from DPC_BP_RAFT;",
    "select * from DPC_INSTANCE;",
  ].join("\n");
  const out = await ok(hosts[0], `disql ${login("MP")}`, script);
  expect(out).not.toMatch(/出现错误/);
  // 7.2.5: the three listings, as the seed prints them.
  const [group, raft, instances] = parseListings(out);
  expect(project(group, SEED_7_2.bpGroup)).toEqual(SEED_7_2.bpGroup);
  expect(project(raft, SEED_7_2.bpRaft)).toEqual(SEED_7_2.bpRaft);
  expect(project(instances, SEED_7_2.instance)).toEqual(SEED_7_2.instance);
  for (const r of instances) expect(r.IP_INTERNAL).toBe(inst(r.NAME).host().addr);
});

function archIni(self: string, peers: string[], selfId: number, h: DmHost): string {
  const ids: Record<string, number> = {};
  const group = self.slice(0, 3);
  [1, 2, 3].forEach((n) => (ids[`${group}${n}`] = n));
  const raft = peers
    .map(
      (p, k) => `
[ARCHIVE_RAFT${k + 1}]
ARCH_TYPE = RAFT   #RAFT归档
ARCH_DEST = ${p}  #归档目标实例名
ARCH_DEST_ID = ${ids[p]}   #归档目标多副本节点ID`,
    )
    .join("\n");
  return `XMAL_HB_INTERVAL = 5   #节点通信检测间隔
RAFT_HB_INTERVAL = 150   #选举心跳间隔
RAFT_VOTE_INTERVAL = ${VOTE[selfId - 1]}  #选举超时时间,三个库设置不同以尽快选出主库
RAFT_SELF_ID = ${selfId}   #多副本自身节点ID
${raft}

[ARCHIVE_LOCAL1]
ARCH_TYPE = LOCAL  #本地归档类型
ARCH_DEST = ${db(h, self)}/arch   #本地归档文件路径
ARCH_FILE_SIZE = 128   #本地单个归档文件最大值,单位MB
ARCH_SPACE_LIMIT = 0   #本地归档文件总大小,0表示无限制
`;
}

test("7.2.6-7.2.7: each group's data comes from one offline backup of its first member", async () => {
  for (const g of ["BP1", "BP2"]) {
    const first = `${g}1`;
    const h1 = inst(first).host();
    await ok(h1, `echo "ARCH_INI = 1   #打开归档配置" >> ${db(h1, first)}/dm.ini`);
    await ok(h1, `cat > ${db(h1, first)}/dmarch.ini`, `[ARCHIVE_LOCAL1]\nARCH_TYPE = LOCAL #本地归档类型\nARCH_DEST = ${db(h1, first)}/arch  #本地归档文件路径\nARCH_FILE_SIZE = 128\nARCH_SPACE_LIMIT = 0\n`);
    await startServer(h1, `${db(h1, first)}/dm.ini dpc_mode=bp`, first);
    const v = await query(h1, login(first), "select STATUS$ from V$INSTANCE");
    expect(v).toEqual([{ STATUS$: "OPEN" }]);
    await stopServer(h1, first);
    const set = `${dir(h1, first)}/BACKUP_01`;
    expect(await ok(h1, `dmrman CTLSTMT="BACKUP DATABASE '${db(h1, first)}/dm.ini' FULL TO BACKUP_01 BACKUPSET '${set}'" USE_AP=2`)).toMatch(/backup successfully/);
    for (const n of [`${g}2`, `${g}3`]) {
      const h = inst(n).host();
      expect(await ok(h, `dmrman CTLSTMT="RESTORE DATABASE '${db(h, n)}/dm.ini' FROM BACKUPSET '${set}'" USE_AP=2`)).toMatch(/restore successfully/);
      expect(await ok(h, `dmrman CTLSTMT="RECOVER DATABASE '${db(h, n)}/dm.ini' UPDATE DB_MAGIC" USE_AP=2`)).toMatch(/recover successfully/);
    }
    for (const [k, n] of [`${g}1`, `${g}2`, `${g}3`].entries()) {
      const h = inst(n).host();
      await ok(h, `echo "ARCH_INI = 1   #打开归档配置" >> ${db(h, n)}/dm.ini && echo "ALTER_MODE_STATUS = 0   #不允许用户直接通过SQL语句修改服务器模式" >> ${db(h, n)}/dm.ini`);
      const peers = [`${g}1`, `${g}2`, `${g}3`].filter((p) => p !== n);
      await ok(h, `cat > ${db(h, n)}/dmarch.ini`, archIni(n, peers, k + 1, h));
    }
  }
});

test("7.2.8-7.2.9: SP and all BPs start (BPs with MOUNT); each group elects one leader", async () => {
  await startServer(hosts[0], `${db(hosts[0], "SP1")}/dm.ini dpc_mode=SP`, "SP1");
  for (const n of ["BP11", "BP12", "BP13", "BP21", "BP22", "BP23"]) {
    const h = inst(n).host();
    await startServer(h, `${db(h, n)}/dm.ini dpc_mode=BP MOUNT`, n);
  }
  let rows: Record<string, string>[] = [];
  await waitFor(async () => {
    rows = await query(hosts[0], login("MP"), "select NAME, RAFT_ID, SYS_MODE, SYS_STATUS, STATUS from DPC_INSTANCE where DPC_MODE = 'BP'");
    return rows.every((r) => r.SYS_STATUS === "4");
  }, 20000, "every BP OPEN");
  for (const raft of ["1", "2"]) {
    const members = rows.filter((r) => r.RAFT_ID === raft);
    expect(members.filter((r) => r.SYS_MODE === "PRIMARY")).toHaveLength(1);
    expect(members.filter((r) => r.SYS_MODE === "STANDBY")).toHaveLength(2);
    expect(members.every((r) => r.STATUS === "1")).toBe(true);
  }
  // The whole cluster's RAFT rows on an SP; on the MP "只有 MP 站点自身的信息" (DM8 ch. 12): a single MP runs no RAFT.
  const RAFT_INFO = "select INSTANCE_NAME, RAFT_ID, RAFT_STAT, IS_SHADOW from V$GLOBAL_RAFT_INFO order by INSTANCE_NAME";
  expect(await query(hosts[0], login("MP"), RAFT_INFO)).toEqual([]);
  const info = await query(hosts[0], login("SP1"), RAFT_INFO);
  expect(info).toHaveLength(6);
  for (const g of ["1", "2"]) {
    expect(info.filter((r) => r.RAFT_ID === g && r.RAFT_STAT === "LEADER")).toHaveLength(1);
    expect(info.filter((r) => r.RAFT_ID === g && r.RAFT_STAT === "FOLLOWER")).toHaveLength(2);
  }
  const v = await query(hosts[0], login("SP1"), "select NAME, STATUS$ from V$INSTANCE");
  expect(v).toHaveLength(8);
  expect(v.every((r) => r.STATUS$ === "OPEN")).toBe(true);
});

test("7.2.10: SP exit, one exit all per BP group (via a follower and via the leader), MP exit", async () => {
  await stopServer(hosts[0], "SP1");
  const rows = await query(hosts[0], login("MP"), "select NAME, RAFT_ID, SYS_MODE from DPC_INSTANCE where DPC_MODE = 'BP'");
  const follower1 = rows.find((r) => r.RAFT_ID === "1" && r.SYS_MODE === "STANDBY")!.NAME;
  const leader2 = rows.find((r) => r.RAFT_ID === "2" && r.SYS_MODE === "PRIMARY")!.NAME;
  const pids = (g: string) => ["1", "2", "3"].map((k) => [`${g}${k}`, pidOf(inst(`${g}${k}`).host(), `${g}${k}`)] as const);
  const group1 = pids("BP1");
  await stopServer(inst(follower1).host(), follower1, "USR1");
  await waitFor(() => group1.every(([n]) => pidOf(inst(n).host(), n) === undefined), 10000, "RAFT_1 exit all");
  await stopServer(inst(leader2).host(), leader2, "USR1");
  await waitFor(() => pids("BP2").every(([, p]) => p === undefined), 10000, "RAFT_2 exit all");
  await stopServer(hosts[0], "MP");
  for (const i of INSTANCES) {
    const log = serverLog(db(i.host(), i.name), i.name);
    expect(log).toContain("shutdown successfully");
    expect(log).not.toMatch(/FATAL|REDO/);
  }
});
