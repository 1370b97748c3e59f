/**
 * What the seed replays do not reach: dmserver's console (`exit` typed on its standard input), the
 * monitoring views of dmdpc.md, and the catalog procedures for fault domains and RAFT learners (refused on the MP).
 */
import * as fs from "fs";
import { DmHost, DmLab, ok, parseListings, serverLog, startDmLab, stopServer } from "./fixtures/dmlab";
import { MiniCluster } from "./fixtures/dmcluster";

jest.setTimeout(120000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;

beforeAll(async () => {
  lab = await startDmLab(1);
  h = lab.hosts[0];
  c = new MiniCluster(
    h,
    [
      { name: "MP", mode: "MP", port: 5239, ap: 6003 },
      ...["BP11", "BP12", "BP13", "BP14"].map((name, k) => ({ name, mode: "BP" as const, port: 5240 + k, ap: 6010 + k, raft: "RAFT_1", sysMode: "STANDBY" as const, status: 0 })),
    ],
    9000,
  );
  await c.init();
  await c.startMpAndRegister();
});
afterAll(async () => lab?.stop());

const mp = async (script: string) => ok(h, `disql -L -S ${c.login("MP")}`, `SET TIMING OFF\nSET FEEDBACK OFF\n${script}`);

test("exit typed on dmserver's console ends it cleanly", async () => {
  const db = `${h.dataRoot}/con`;
  await ok(h, `dminit path=${db} instance_name=CON port_num=7300 ap_port_num=7400 dpc_mode=MP && printf 'mp_host = %s\\nmp_port = 7500\\n' ${h.addr} > ${db}/DAMENG/mp.ini`);
  const r = await h.run(`dmserver ${db}/DAMENG/dm.ini dpc_mode=MP`, "exit\n");
  expect(r.code).toBe(0);
  const log = serverLog(`${db}/DAMENG`, "CON");
  expect(log).toMatch(/SYSTEM IS READY[\s\S]*收到exit命令[\s\S]*shutdown successfully/);
});

test("fault domains: SP_MODIFY_FAULT_DOMAIN renames; on the MP V$DPC_EDCT_INSTANCE names every instance's domain (DM8 §12.31), DPC_INSTANCE its id", async () => {
  expect(await mp("SP_CREATE_FAULT_DOMAIN('FDOM_1', 'shanghai_1');\nSP_CREATE_FAULT_DOMAIN('FDOM_2', 'shanghai_2');\nSP_FAULT_DOMAIN_MV_INST('FDOM_1', 'BP11');\nSP_FAULT_DOMAIN_MV_INST('FDOM_2', 'BP12');\n")).toBe("");
  expect(await mp("SP_MODIFY_FAULT_DOMAIN(2, 'FDOM_B', NULL);\n")).toBe("");
  const [domains] = parseListings(await mp("select * from DPC_FAULT_DOMAIN order by DOMAIN_ID;\n"));
  expect(domains).toEqual([
    { DOMAIN_ID: "1", NAME: "FDOM_1", DESCRIPTION: "shanghai_1" },
    { DOMAIN_ID: "2", NAME: "FDOM_B", DESCRIPTION: "shanghai_2" },
  ]);
  // §12.31: on the MP, V$DPC_EDCT_INSTANCE holds what DPC_INSTANCE holds (the chapter head's
  // "MP 站点自身的信息" is for the other views)
  const [edct] = parseListings(await mp("select NAME, FAULT_DOMAIN from V$DPC_EDCT_INSTANCE where RAFT_ID = 1 order by NAME desc;\n"));
  expect(edct).toEqual([
    { NAME: "BP14", FAULT_DOMAIN: "NULL" },
    { NAME: "BP13", FAULT_DOMAIN: "NULL" },
    { NAME: "BP12", FAULT_DOMAIN: "FDOM_B" },
    { NAME: "BP11", FAULT_DOMAIN: "FDOM_1" },
  ]);
  const [info1] = parseListings(await mp("select NAME, INFO1 from DPC_INSTANCE where RAFT_ID = 1 order by NAME;\n"));
  expect(info1).toEqual([
    { NAME: "BP11", INFO1: String(1 << 16) },
    { NAME: "BP12", INFO1: String(2 << 16) },
    { NAME: "BP13", INFO1: "NULL" },
    { NAME: "BP14", INFO1: "NULL" },
  ]);
  // V$DPC_EDCT_RAFT's columns (DM8 §12.30, on the MP what DPC_BP_RAFT holds): RAFT_1's members never started, so it is not valid and has no leader's term.
  const [raft] = parseListings(await mp("select RAFT_ID, DPC_MODE, IS_VALID, NAME, L_TERM_ID from V$DPC_EDCT_RAFT where NAME = 'RAFT_1';\n"));
  expect(raft).toEqual([{ RAFT_ID: "1", DPC_MODE: "BP", IS_VALID: "0", NAME: "RAFT_1", L_TERM_ID: "NULL" }]);
  // V$GLOBAL_RAFT_INFO keeps the chapter head's rule: on the MP only the MP's rows (none for a single MP)
  expect(parseListings(await mp("select INSTANCE_NAME from V$GLOBAL_RAFT_INFO where RAFT_ID = 1;\n")).flat()).toEqual([]);
});

test("disql: -E statements, '/' and '--' in scripts, '' inside strings, exit with a status", async () => {
  const e = await h.run(`disql -L -S ${c.login("MP")} -E "set timing off; set feedback off; select NAME from DPC_INSTANCE where NAME = 'MP'"`);
  expect(parseListings(e.stdout)[0]).toEqual([{ NAME: "MP" }]);
  const script = "SET TIMING OFF\n-- a comment; with a semicolon\nSP_CREATE_FAULT_DOMAIN('FD_Q', 'it''s; here')\n/\nselect DESCRIPTION from DPC_FAULT_DOMAIN where NAME = 'FD_Q';\nexit 4\nselect 1;\n";
  const r = await h.run(`disql -L -S ${c.login("MP")}`, script);
  expect(r.code).toBe(4);
  expect(r.stdout).toContain("DMSQL 过程已成功完成");
  expect(parseListings(r.stdout)[0]).toEqual([{ DESCRIPTION: "it's; here" }]);
});

test("RAFT learners: the replica procedures take the manual's arguments and run only on a group's leader (never a single MP for a BP group)", async () => {
  expect((await mp("SP_ADD_RAFT_LEARNER('BP14');\n")).trim()).toBe("第1 行附近出现错误[-5402]:参数个数不匹配.");
  expect((await mp(`SP_ADD_RAFT_LEARNER('BP14', '${h.addr}', 6013, 4);\n`)).trim()).toBe("第1 行附近出现错误[-8432]:当前实例不是RAFT组主库.");
  expect((await mp("SP_ALTER_RAFT_NODE('BP11/BP12/BP13', 'x');\n")).trim()).toBe("第1 行附近出现错误[-5402]:参数个数不匹配.");
  // Where they are accepted (the BS-mode BP leader) and what they check there: test/lab/dm-learner.test.ts.
  expect((await mp("SP_ALTER_RAFT_NODE('BP11/BP12/BP13');\n")).trim()).toBe("第1 行附近出现错误[-8432]:当前实例不是RAFT组主库.");
  await stopServer(h, "MP");
});

test("SP_SET_PARA_VALUE takes the manual's three forms (附录 3); a name that is no dm.ini word or not in dm.ini is refused, dm.ini untouched", async () => {
  await c.start("MP");
  const err = (code: number, msg: string) => `第1 行附近出现错误[${code}]:${msg}.`;
  const set = async (args: string) => (await mp(`SP_SET_PARA_VALUE(${args});\n`)).trim();
  const iniValue = () => /^\s*BAK_USE_AP\s*=\s*(\d+)/m.exec(fs.readFileSync(c.ini("MP"), "utf8"))?.[1];
  expect(await set("1, 'BAK_USE_AP', 2")).toBe("");
  expect(iniValue()).toBe("2");
  expect(await set("0, 1, 'BAK_USE_AP', 1")).toBe(""); // bro_flag 0: not broadcast
  expect(iniValue()).toBe("1");
  expect(await set("'MP', 1, 'BAK_USE_AP', 2")).toBe(""); // inst_name: this instance
  expect(iniValue()).toBe("2");
  // SF_GET_PARA_VALUE (附录 3): scope 1 dm.ini, 2 memory
  const get = async (scope: number, name = "BAK_USE_AP") => (await mp(`select SF_GET_PARA_VALUE(${scope}, '${name}') V;\n`)).trim();
  expect(await set("0, 'BAK_USE_AP', 1")).toBe("");
  expect(parseListings(await get(2))[0]).toEqual([{ V: "1" }]);
  expect(parseListings(await get(1))[0]).toEqual([{ V: "2" }]);
  expect(await get(1, "NO_SUCH_PARA")).toBe(err(-3503, "无效的函数参数"));
  expect(await set("4, 1, 'BAK_USE_AP', 1")).toBe(err(-6111, "字符串转换出错(SP_SET_PARA_VALUE 第1个参数)"));
  expect(await set("1, 'BAK_USE_AP) OR (X', 1")).toBe(err(-6111, "字符串转换出错(SP_SET_PARA_VALUE 第2个参数)"));
  const before = fs.readFileSync(c.ini("MP"), "utf8");
  expect(await set("1, 'NO_SUCH_PARA', 1")).toBe(err(-3503, "无效的函数参数"));
  expect(await set("0, 1, 'BAK_USE_AP', 1, 2")).toBe(err(-5402, "参数个数不匹配"));
  expect(fs.readFileSync(c.ini("MP"), "utf8")).toBe(before);
  await stopServer(h, "MP");
});
