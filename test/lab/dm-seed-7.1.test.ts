/**
 * Replays the seed's 7.1 (DMDPC, single replica) command by command on one host: dminit, mp.ini
 * written with echo, MP started, catalog registered through disql, listings compared with the
 * seed's, SP and BPs started, the SP's V$INSTANCE, then the seed's exit order.
 */
import * as path from "path";
import { DmHost, DmLab, ok, parseListings, pidOf, query, serverLog, startDmLab, startServer, stopServer, waitFor } from "./fixtures/dmlab";
import { project, SEED_7_1 } from "./fixtures/seed-listings";

jest.setTimeout(120000);

let lab: DmLab;
let h: DmHost;
let root: string;

beforeAll(async () => {
  lab = await startDmLab(1);
  h = lab.hosts[0];
  root = path.join(h.dataRoot, "dpc_data_mac");
});
afterAll(async () => lab?.stop());

const mpLogin = () => `SYSDBA/SYSDBA001@${h.addr}:5239`;
const spLogin = () => `SYSDBA/SYSDBA001@${h.addr}:5236`;

test("7.1.1-7.1.4: init, mp.ini, start the MP, register the cluster", async () => {
  const init = [
    `dminit path=${root}/sp1 instance_name=SP1 port_num=5236 ap_port_num=6000 dpc_mode=SP`,
    `dminit path=${root}/bp1 instance_name=BP1 port_num=5237 ap_port_num=6001 dpc_mode=BP`,
    `dminit path=${root}/bp2 instance_name=BP2 port_num=5238 ap_port_num=6002 dpc_mode=BP`,
    `dminit path=${root}/mp  instance_name=MP  port_num=5239 ap_port_num=6003 dpc_mode=MP`,
  ];
  for (const c of init) expect(await ok(h, c)).toMatch(/create dm database success/);
  for (const i of ["sp1", "bp1", "bp2", "mp"]) {
    await ok(h, `echo mp_host = ${h.addr} > ${root}/${i}/DAMENG/mp.ini`);
    await ok(h, `echo 'mp_port = 9000      #与MP、BP和SP上的ap_port_num不冲突的端口号' >> ${root}/${i}/DAMENG/mp.ini`);
  }
  await startServer(h, `${root}/mp/DAMENG/dm.ini dpc_mode=MP`, "MP");

  const ip = h.addr;
  const script = `
-- 注册当前MP实例, MP的RAFT组名可以指定为NULL或者'MP_RAFT'
SP_CREATE_DPC_INSTANCE(NULL,'MP','MP',6003,5239, '${ip}', '${ip}','NORMAL',1,'MP instance');
SP_CREATE_DPC_RAFT('BP','RAFT_1');
SP_CREATE_DPC_INSTANCE('RAFT_1','BP1','BP',6001,5237, '${ip}', '${ip}','NORMAL',1,'BP instance');
SP_CREATE_DPC_RAFT('BP', 'RAFT_2');
SP_CREATE_DPC_INSTANCE('RAFT_2','BP2','BP',6002,5238, '${ip}', '${ip}', 'NORMAL', 1, 'BP instance');
SP_CREATE_DPC_BP_GROUP('BG_1', 'bp group1');
SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_1');
SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_2');
SP_CREATE_DPC_RAFT('SP', 'RAFT_SP1');
SP_CREATE_DPC_INSTANCE('RAFT_SP1','SP1','SP',6000,5236, '${ip}', '${ip}','NORMAL', 2, 'SP instance');
select * from DPC_INSTANCE;
SP_CREATE_FAULT_DOMAIN ('FDOM_1','shanghai');
SP_FAULT_DOMAIN_MV_INST('FDOM_1','MP');
SP_FAULT_DOMAIN_MV_INST('FDOM_1','BP1');
SP_FAULT_DOMAIN_MV_INST('FDOM_1','BP2');
`;
  const out = await ok(h, `disql ${mpLogin()}`, script);
  expect(out).not.toMatch(/出现错误/);
  expect(out.match(/DMSQL 过程已成功完成/g)).toHaveLength(14);
  const [before] = parseListings(out);
  expect(project(before, SEED_7_1.instanceBeforeDomain)).toEqual(SEED_7_1.instanceBeforeDomain);
});

test("7.1.5: the catalog listings equal the seed's", async () => {
  expect(project(await query(h, mpLogin(), "select * from DPC_BP_GROUP"), SEED_7_1.bpGroup)).toEqual(SEED_7_1.bpGroup);
  expect(project(await query(h, mpLogin(), "select * from DPC_BP_RAFT"), SEED_7_1.bpRaft)).toEqual(SEED_7_1.bpRaft);
  const inst = await query(h, mpLogin(), "select * from DPC_INSTANCE");
  expect(project(inst, SEED_7_1.instance)).toEqual(SEED_7_1.instance);
  for (const r of inst) {
    expect(r.IP_INTERNAL).toBe(h.addr);
    expect(r.IP_EXTERNAL).toBe(h.addr);
  }
});

test("7.1.6-7.1.7: SP and BPs start; the SP sees every instance OPEN", async () => {
  await startServer(h, `${root}/sp1/DAMENG/dm.ini dpc_mode=SP`, "SP1");
  // Before any BP is OPEN the SP answers with DM's invalid-system-state error.
  const early = await h.run(`disql -L -S ${spLogin()}`, "select * from V$INSTANCE;\n");
  expect(early.stdout).toContain("第1 行附近出现错误[-509]:无效的系统状态.");
  await startServer(h, `${root}/bp1/DAMENG/dm.ini dpc_mode=BP`, "BP1");
  await startServer(h, `${root}/bp2/DAMENG/dm.ini dpc_mode=BP`, "BP2");
  const rows = await query(h, spLogin(), "select NAME, STATUS$, MODE$, DPC_MODE from V$INSTANCE order by NAME");
  expect(rows).toEqual([
    { NAME: "BP1", STATUS$: "OPEN", MODE$: "NORMAL", DPC_MODE: "BP" },
    { NAME: "BP2", STATUS$: "OPEN", MODE$: "NORMAL", DPC_MODE: "BP" },
    { NAME: "MP", STATUS$: "OPEN", MODE$: "NORMAL", DPC_MODE: "MP" },
    { NAME: "SP1", STATUS$: "OPEN", MODE$: "NORMAL", DPC_MODE: "SP" },
  ]);
  const cat = await query(h, mpLogin(), "select NAME, SYS_MODE, SYS_STATUS, STATUS from DPC_INSTANCE");
  expect(cat.map((r) => [r.NAME, r.SYS_MODE, r.SYS_STATUS, r.STATUS])).toEqual([
    ["MP", "NORMAL", "4", "1"],
    ["BP1", "NORMAL", "4", "1"],
    ["BP2", "NORMAL", "4", "1"],
    ["SP1", "NORMAL", "4", "1"],
  ]);
});

test("7.1.8: exit in the seed's order (SP, BPs, MP) is clean everywhere", async () => {
  await stopServer(h, "SP1");
  const afterSp = await query(h, mpLogin(), "select NAME, SYS_STATUS, STATUS from DPC_INSTANCE where NAME = 'SP1'");
  expect(afterSp).toEqual([{ NAME: "SP1", SYS_STATUS: "6", STATUS: "2" }]);
  await stopServer(h, "BP1");
  await stopServer(h, "BP2");
  await stopServer(h, "MP");
  for (const [dir, inst] of [["sp1", "SP1"], ["bp1", "BP1"], ["bp2", "BP2"], ["mp", "MP"]]) {
    const log = serverLog(`${root}/${dir}/DAMENG`, inst);
    expect(log).toContain("shutdown successfully");
    expect(log).not.toMatch(/FATAL|REDO/);
    expect(pidOf(h, inst)).toBeUndefined();
  }
  // The MP's catalog survived in its database directory.
  await startServer(h, `${root}/mp/DAMENG/dm.ini dpc_mode=MP`, "MP");
  const inst = await query(h, mpLogin(), "select NAME, SYS_STATUS, STATUS from DPC_INSTANCE where DPC_MODE = 'SP'");
  expect(inst).toEqual([{ NAME: "SP1", SYS_STATUS: "6", STATUS: "2" }]);
  await stopServer(h, "MP");
  await waitFor(() => pidOf(h, "MP") === undefined, 5000, "MP pid file removed");
});
