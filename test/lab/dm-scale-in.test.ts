/**
 * The manual's horizontal scale-out and scale-in (DM8 DMDPC 集群的管理与使用 §8.2.1) by hand over
 * SSH, statements as the manual writes them (only names of paths and addresses adapted): a BP
 * RAFT group in its own BP group and an SP are added, the data rule holds on dropping an instance
 * of a RAFT group that table objects use (§5.10), then the single-replica scale-in sequences run as
 * written: SP_DROP_DPC_INSTANCE → SP_DROP_DPC_BP_RAFT → SP_DROP_DPC_BP_GROUP (no DEL_RAFT step), and
 * for the SP SP_DROP_DPC_INSTANCE → SP_DROP_DPC_BP_RAFT.
 */
import { DmHost, DmLab, ok, parseListings, query, startServer, stopServer } from "./fixtures/dmlab";
import { MiniCluster, runningSeed71 } from "./fixtures/dmcluster";

jest.setTimeout(180000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;

beforeAll(async () => ({ lab, h, c } = await runningSeed71()));
afterAll(async () => lab?.stop());

const run = async (inst: string, script: string) => (await h.run(`disql -L -S ${c.login(inst)}`, `SET FEEDBACK OFF\nSET TIMING OFF\n${script}\n`)).stdout.trim();
const errLine = (code: number, msg: string) => `第1 行附近出现错误[${code}]:${msg}.`;
const NEW = { BP_2: { port: 5238, ap: 6002, mode: "BP" }, SP_2: { port: 5240, ap: 6004, mode: "SP" } } as const;
const db = (n: keyof typeof NEW) => `${h.dataRoot}/${n.toLowerCase()}/DAMENG`;
const login = (n: keyof typeof NEW) => `SYSDBA/SYSDBA001@${h.addr}:${NEW[n].port}`;

test("8.2.1.1.1 and 8.2.1.2.1: a BP (new RAFT group, new BP group) and an SP are added, logged into an SP", async () => {
  for (const n of ["BP_2", "SP_2"] as const) {
    await ok(h, `dminit path=${h.dataRoot}/${n.toLowerCase()} instance_name=${n} port_num=${NEW[n].port} ap_port_num=${NEW[n].ap} dpc_mode=${NEW[n].mode}`);
  }
  const a = h.addr;
  expect(
    await run(
      "SP1",
      [
        "SP_CREATE_DPC_RAFT('BP', 'RAFT_2');",
        `SP_CREATE_DPC_INSTANCE('RAFT_2', 'BP_2', 'BP', ${NEW.BP_2.ap}, ${NEW.BP_2.port}, '${a}', '','NORMAL', 1, 'BP instance');`,
        "SP_CREATE_DPC_BP_GROUP('BG_2', 'bp group2');",
        "SP_BP_GROUP_ADD_RAFT('BG_2', 'RAFT_2');",
        "SP_CREATE_DPC_RAFT('SP', 'RAFT_SP2');",
        `SP_CREATE_DPC_INSTANCE('RAFT_SP2', 'SP_2', 'SP', ${NEW.SP_2.ap}, ${NEW.SP_2.port}, '${a}', '','NORMAL', 2, 'SP instance');`,
      ].join("\n"),
    ),
  ).toBe("");
  // 第四步 / 第三步: the MP.INI file copied into the new instances' DAMENG directories
  for (const n of ["BP_2", "SP_2"] as const) await ok(h, `cp ${c.db("MP")}/mp.ini ${db(n)}/`);
  await startServer(h, `${db("BP_2")}/dm.ini dpc_mode=BP`, "BP_2");
  await startServer(h, `${db("SP_2")}/dm.ini dpc_mode=SP`, "SP_2");
  const names = (await query(h, login("SP_2"), "select NAME from V$INSTANCE order by NAME")).map((r) => r.NAME);
  expect(names).toEqual(["BP1", "BP_2", "MP", "SP1", "SP_2"]);
});

test("the data rule: an instance of a RAFT group whose RAFT_ID table objects use cannot be dropped, on the SP or the MP", async () => {
  expect(await run("SP1", "CREATE TABLESPACE TS_2 DATAFILE 'TS_2.DBF' SIZE 128 STORAGE( ON RAFT_2);\nCREATE TABLE T_SCALE (ID INT) TABLESPACE TS_2;")).toBe("");
  const refused = errLine(-8430, "RAFT组[RAFT_2]的RAFT_ID已被表对象使用,不能删除实例[BP_2]");
  expect(await run("SP1", "SP_DROP_DPC_INSTANCE('BP_2');")).toBe(refused);
  expect(await run("MP", "SP_DROP_DPC_INSTANCE('BP_2');")).toBe(refused);
  // Leaving the BP group is no data check (the manual puts none there); the group goes back.
  expect(await run("MP", "SP_BP_GROUP_DEL_RAFT('BG_2', 'RAFT_2');\nSP_BP_GROUP_ADD_RAFT('BG_2', 'RAFT_2');")).toBe("");
  expect(await run("SP1", "DROP TABLE T_SCALE;\nDROP TABLESPACE TS_2;")).toBe("");
});

test("8.2.1.1.2: SP_DROP_DPC_INSTANCE, SP_DROP_DPC_BP_RAFT, SP_DROP_DPC_BP_GROUP as the manual writes them; the cluster carries on", async () => {
  // The SPs leave first (rule 8: a BP exit that leaves an SP without its BP groups halts it).
  await stopServer(h, "SP_2");
  await stopServer(h, "SP1");
  await stopServer(h, "BP_2");
  expect(await run("MP", "SP_DROP_DPC_INSTANCE('BP_2');\nSP_DROP_DPC_BP_RAFT('RAFT_2');\nSP_DROP_DPC_BP_GROUP('BG_2');")).toBe("");
  const [groups] = parseListings(await run("MP", "select NAME, RAFT_NUM from DPC_BP_GROUP order by NAME;"));
  expect(groups).toEqual([{ NAME: "BG_1", RAFT_NUM: "1" }]);
  expect(await run("MP", "select NAME from DPC_BP_RAFT where NAME = 'RAFT_2';")).toContain("未选定行");
  await c.start("SP1");
  expect(await run("SP1", "CREATE TABLESPACE TS_1 DATAFILE 'TS_1.DBF' SIZE 128 STORAGE( ON BG_1);\nCREATE TABLE T_AFTER (ID INT);\nDROP TABLE T_AFTER;")).toBe("");
});

test("8.2.1.2.2: an SP that exited cleanly is dropped, then its RAFT group (SP_DROP_DPC_BP_RAFT), logged into the other SP", async () => {
  expect(await run("SP1", "SP_DROP_DPC_INSTANCE('SP_2');\nSP_DROP_DPC_BP_RAFT('RAFT_SP2');")).toBe("");
  const names = (await query(h, c.login("SP1"), "select NAME from V$INSTANCE order by NAME")).map((r) => r.NAME);
  expect(names).toEqual(["BP1", "MP", "SP1"]);
});

test("the MP group's last instance cannot be dropped (DM8 §6.2.8), from an SP either", async () => {
  expect(await run("SP1", "SP_DROP_DPC_INSTANCE('MP');")).toBe(errLine(-8438, "实例[MP]是RAFT组中最后一个实例,不能删除"));
  await stopServer(h, "SP1");
  await stopServer(h, "BP1");
  await stopServer(h, "MP");
});
