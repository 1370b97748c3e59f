/**
 * One test per refusal of the DM simulator, each showing the exact error the tool prints: what real
 * DM refuses (dminit options, dmserver start rules of dmdpc.md, catalog procedures, dmrman) must be
 * refused here too. Runs against one small cluster: MP, SP1 (RAFT_SP1), BP1 (RAFT_1), all running.
 */
import * as fs from "fs";
import * as path from "path";
import { injectFailure } from "../../lab/sim/common/faults";
import { DmHost, DmLab, ok, parseListings, pidOf, readOr, serverLog, startServer, stopServer, waitFor } from "./fixtures/dmlab";
import { MiniCluster, runningSeed71 } from "./fixtures/dmcluster";

jest.setTimeout(180000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;

beforeAll(async () => ({ lab, h, c } = await runningSeed71()));
afterAll(async () => lab?.stop());

/** Runs a disql script against an instance and returns its output. */
const sql = async (inst: string, script: string) => (await h.run(`disql -L -S ${c.login(inst)}`, script)).stdout;
const mp = (script: string) => sql("MP", script);
const errLine = (code: number, msg: string) => `第1 行附近出现错误[${code}]:${msg}.`;

/** dminit of a spare instance under the data root, with mp.ini pointing at the cluster's MP. */
async function spare(name: string, mode: string, port: number, ap: number, extra = ""): Promise<string> {
  await ok(h, `dminit path=${h.dataRoot}/${name.toLowerCase()} instance_name=${name} port_num=${port} ap_port_num=${ap} dpc_mode=${mode} ${extra}`);
  const db = `${h.dataRoot}/${name.toLowerCase()}/DAMENG`;
  await ok(h, `printf 'mp_host = %s\\nmp_port = 9000\\n' ${h.addr} > ${db}/mp.ini`);
  return db;
}

/** Starts dmserver in the foreground (it must refuse) and returns its status and log. */
async function refusedStart(db: string, name: string, args: string): Promise<{ code: number | null; log: string }> {
  const r = await h.run(`dmserver ${db}/dm.ini ${args}`);
  return { code: r.code, log: serverLog(db, name) + r.stdout };
}

describe("dminit", () => {
  test("an existing database is refused with AUTO_OVERWRITE=0; 1 keeps other files; 2 empties the directory", async () => {
    const db = await spare("OW1", "BP", 7101, 7201);
    const again = await h.run(`dminit path=${h.dataRoot}/ow1 instance_name=OW1 port_num=7101 ap_port_num=7201 dpc_mode=BP`);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`数据库文件[${db}/dm.ctl]已存在,初始化失败(AUTO_OVERWRITE=0)\n`);
    await ok(h, `dminit path=${h.dataRoot}/ow1 instance_name=OW1 port_num=7101 ap_port_num=7201 dpc_mode=BP AUTO_OVERWRITE=1`);
    expect(fs.existsSync(`${db}/mp.ini`)).toBe(true);
    await ok(h, `dminit path=${h.dataRoot}/ow1 instance_name=OW1 port_num=7101 ap_port_num=7201 dpc_mode=BP auto_overwrite=2`);
    expect(fs.existsSync(`${db}/mp.ini`)).toBe(false);
  });

  test("option values DM refuses", async () => {
    const cases: [string, string][] = [
      [`instance_name=ABCDEFGHIJKLMNOPQ port_num=7102`, "参数[INSTANCE_NAME]的值[ABCDEFGHIJKLMNOPQ]无效,实例名最长16个字符,只能包含字母、数字、下划线"],
      [`instance_name=X1 SYSDBA_PWD=short123`, "参数[SYSDBA_PWD]的值无效,口令长度应为9~48个字符"],
      [`instance_name=X1 dpc_mode=XP ap_port_num=7202`, "参数[DPC_MODE]的值[XP]无效"],
      [`instance_name=X1 dpc_mode=BP`, "DPC模式下必须指定参数[AP_PORT_NUM]"],
      [`instance_name=X1 port_num=7103 ap_port_num=7103`, "参数[AP_PORT_NUM]的值[7103]与PORT_NUM冲突"],
      [`instance_name=X1 page_size=12`, "参数[PAGE_SIZE]的值[12]无效"],
      [`instance_name=X1 colour=blue`, "无效的参数[colour]"],
    ];
    for (const [args, msg] of cases) {
      const r = await h.run(`dminit path=${h.dataRoot}/bad ${args}`);
      expect([r.code, r.stderr]).toEqual([1, `${msg}\n`]);
    }
    expect(fs.existsSync(`${h.dataRoot}/bad`)).toBe(false);
  });

  test("CONTROL as DM8 dminit 高级主题 §5 has it: a [node_instance] section and system_path; alone; PATH beside system_path refused", async () => {
    const ctl = `${h.dataRoot}/ctl.ini`;
    const write = (text: string) => ok(h, `cat > ${ctl}`, text);
    await write(`[CTL1]\nsystem_path = ${h.dataRoot}/ctl1\ndb_name = DAMENG\nport_num = 7150\nap_port_num = 7250\ndpc_mode = BP\nSYSDBA_PWD = Ctl_pass_1\n`);
    await ok(h, `dminit CONTROL=${ctl}`);
    expect(readOr(`${h.dataRoot}/ctl1/DAMENG/dm.ini`)).toMatch(/INSTANCE_NAME\s*=\s*CTL1/);
    const refusedWith = async (args: string, msg: string) => {
      const r = await h.run(`dminit ${args}`);
      expect([args, r.code, r.stderr]).toEqual([args, 1, `${msg}\n`]);
    };
    await refusedWith(`CONTROL=${ctl} PAGE_SIZE=16`, "CONTROL参数只能单独使用");
    await write(`[CTL2]\nsystem_path = ${h.dataRoot}/ctl2\nPATH = ${h.dataRoot}/ctl2\n`);
    await refusedWith(`CONTROL=${ctl}`, "选择了参数[SYSTEM_PATH], 参数[PATH]要省略");
    await write(`[CTL3]\nsystem_path = ${h.dataRoot}/ctl3\nINSTANCE_NAME = OTHER\n`);
    await refusedWith(`CONTROL=${ctl}`, "控制文件中的节点[CTL3]与参数[INSTANCE_NAME]的值[OTHER]不一致");
    expect(fs.existsSync(`${h.dataRoot}/ctl2`) || fs.existsSync(`${h.dataRoot}/ctl3`)).toBe(false);
  });

  test("an injected failure fails one run the way dminit fails", async () => {
    fs.mkdirSync(path.join(h.hostDir, "faults", "fail"), { recursive: true });
    fs.writeFileSync(path.join(h.hostDir, "faults", "fail", "dminit"), "1\n");
    const r = await h.run(`dminit path=${h.dataRoot}/inj instance_name=INJ`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("初始化数据库失败");
    await ok(h, `dminit path=${h.dataRoot}/inj instance_name=INJ`);
  });
});

describe("dmserver refuses to start", () => {
  test("a dpc_mode different from dminit's", async () => {
    const db = await spare("BPM", "BP", 7109, 7209);
    const r = await refusedStart(db, "BPM", "dpc_mode=SP");
    expect(r.code).toBe(1);
    expect(r.log).toContain("启动参数dpc_mode[SP]与初始化时的DPC_MODE[BP]不一致, 启动失败");
  });

  test("an instance already running", async () => {
    const r = await refusedStart(c.db("BP1"), "BP1", "dpc_mode=BP");
    expect(r.code).toBe(1);
    expect(r.log).toMatch(/实例\[BP1\]已在运行\(pid \d+\), 启动失败/);
  });

  test("an SP/BP not registered in the MP (rule 4)", async () => {
    const db = await spare("BP9", "BP", 7104, 7204);
    const r = await refusedStart(db, "BP9", "dpc_mode=BP");
    expect(r.code).toBe(1);
    expect(r.log).toContain("实例[BP9]未在MP中注册, SP/BP必须在第一次启动前注册, 启动失败");
  });

  test("an unreachable MP (rule 1)", async () => {
    const db = await spare("BP8", "BP", 7105, 7205);
    await ok(h, `printf 'mp_host = %s\\nmp_port = 9999\\n' ${h.addr} > ${db}/mp.ini`);
    const r = await refusedStart(db, "BP8", "dpc_mode=BP");
    expect(r.code).toBe(1);
    expect(r.log).toContain(`无法连接到可用的MP, 连接MP[${h.addr}:9999]失败: ECONNREFUSED, 启动失败`);
    await ok(h, `rm ${db}/mp.ini`);
    expect((await refusedStart(db, "BP8", "dpc_mode=BP")).log).toContain("mp.ini");
  });

  test("port conflicts in the ini files (rule 5)", async () => {
    const db = await spare("BP7", "BP", 7106, 7206);
    await ok(h, `echo "AP_PORT_NUM = 7106" >> ${db}/dm.ini`);
    expect((await refusedStart(db, "BP7", "dpc_mode=BP")).log).toContain("PORT_NUM[7106]与AP_PORT_NUM冲突, 启动失败");
    const mpdb = await spare("MPX", "MP", 7107, 7207);
    await ok(h, `printf 'mp_host = %s\\nmp_port = 7207\\n' ${h.addr} > ${mpdb}/mp.ini`);
    expect((await refusedStart(mpdb, "MPX", "dpc_mode=MP")).log).toContain("mp.ini中的mp_port[7207]与本实例的端口冲突, 启动失败");
    // The cluster's MP: an mp_port equal to a registered instance's AP_PORT_NUM.
    await stopServer(h, "SP1");
    await stopServer(h, "BP1");
    await stopServer(h, "MP");
    await ok(h, `cp ${c.db("MP")}/mp.ini ${c.db("MP")}/mp.ini.bak && printf 'mp_host = %s\\nmp_port = 6001\\n' ${h.addr} > ${c.db("MP")}/mp.ini`);
    expect((await refusedStart(c.db("MP"), "MP", "dpc_mode=MP")).log).toContain("mp.ini中的mp_port[6001]与实例[BP1]的AP_PORT_NUM/PORT_NUM冲突, 启动失败");
    await ok(h, `mv ${c.db("MP")}/mp.ini.bak ${c.db("MP")}/mp.ini`);
    await c.start("MP");
    await c.start("BP1");
    await c.start("SP1");
  });

  test("an injected failure: a start failure in the log and a non-zero exit", async () => {
    fs.writeFileSync(path.join(h.hostDir, "faults", "fail", "dmserver"), "1\n");
    const db = await spare("BP6", "BP", 7108, 7208);
    const r = await refusedStart(db, "BP6", "dpc_mode=BP");
    expect(r.code).toBe(1);
    expect(r.log).toContain("启动失败: 初始化系统资源失败(注入故障), 启动失败");
  });
});

describe("multi-replica set-up (rule 6)", () => {
  beforeAll(async () => {
    for (const [n, k] of [["BP21", 0], ["BP22", 1], ["BP23", 2]] as const) await spare(n, "BP", 7110 + k, 7210 + k);
    const a = h.addr;
    const out = await mp(
      ["SP_CREATE_DPC_RAFT('BP', 'RAFT_2');", ...[0, 1, 2].map((k) => `SP_CREATE_DPC_INSTANCE('RAFT_2', 'BP2${k + 1}', 'BP', ${7210 + k}, ${7110 + k}, '${a}', '${a}', 'STANDBY', 0, 'BP instance');`)].join("\n"),
    );
    expect(out).not.toMatch(/错误/);
  });
  const peers = (self: string) => ["BP21", "BP22", "BP23"].map((name, j) => ({ name, id: j + 1 })).filter((p) => p.name !== self);
  const db = (n: string) => `${h.dataRoot}/${n.toLowerCase()}/DAMENG`;

  test("a restored database that did not run RECOVER ... UPDATE DB_MAGIC", async () => {
    await ok(h, `dmrman CTLSTMT="BACKUP DATABASE '${db("BP21")}/dm.ini' FULL TO B1 BACKUPSET '${h.dataRoot}/b21'" USE_AP=2`);
    await ok(h, `dmrman CTLSTMT="RESTORE DATABASE '${db("BP22")}/dm.ini' FROM BACKUPSET '${h.dataRoot}/b21'" USE_AP=2`);
    const r = await refusedStart(db("BP22"), "BP22", "dpc_mode=BP MOUNT");
    expect(r.code).toBe(1);
    expect(r.log).toContain("[-129]:RESTORE/RECOVER 还原恢复后的库，需执行'recover database ... update db_magic'更新 DB_MAGIC 值后才能启动, 启动失败");
    await ok(h, `dmrman CTLSTMT="RECOVER DATABASE '${db("BP22")}/dm.ini' UPDATE DB_MAGIC" USE_AP=2`);
  });

  test("a member started without MOUNT, or without ALTER_MODE_STATUS = 0", async () => {
    await c.raftConfig("BP21", 1, 1500, peers("BP21"));
    const r = await refusedStart(db("BP21"), "BP21", "dpc_mode=BP");
    expect(r.log).toContain("RAFT组[RAFT_2]: 多副本实例必须以MOUNT方式启动, 启动失败");
    await ok(h, `echo "ALTER_MODE_STATUS = 1" >> ${db("BP21")}/dm.ini`);
    expect((await refusedStart(db("BP21"), "BP21", "dpc_mode=BP MOUNT")).log).toContain("多副本实例的dm.ini中ALTER_MODE_STATUS必须为0, 启动失败");
    await ok(h, `echo "ALTER_MODE_STATUS = 0" >> ${db("BP21")}/dm.ini`);
    await ok(h, `printf 'RAFT_SELF_ID = 1\\nRAFT_VOTE_INTERVAL = 1500\\n[ARCHIVE_RAFT1]\\nARCH_TYPE = RAFT\\nARCH_DEST = SP1\\nARCH_DEST_ID = 2\\n' > ${db("BP21")}/dmarch.ini`);
    expect((await refusedStart(db("BP21"), "BP21", "dpc_mode=BP MOUNT")).log).toContain("ARCH_DEST[SP1]不是本RAFT组的实例, 启动失败");
  });

  test("members not restored from one backup never elect a leader", async () => {
    // BP21 and BP22 share a lineage (backup above); BP23 was initialised on its own.
    await c.raftConfig("BP21", 1, 1500, peers("BP21"));
    await c.raftConfig("BP23", 3, 2500, peers("BP23"));
    await startServer(h, `${db("BP21")}/dm.ini dpc_mode=BP MOUNT`, "BP21");
    await startServer(h, `${db("BP23")}/dm.ini dpc_mode=BP MOUNT`, "BP23");
    await waitFor(() => /不是来自同一备份/.test(serverLog(db("BP23"), "BP23")), 10000, "lineage complaint");
    const raft2 = async () => parseListings(await mp("select NAME, SYS_MODE, SYS_STATUS from DPC_INSTANCE order by NAME;\n"))[0].filter((r) => /^BP2/.test(r.NAME));
    const rows = await raft2();
    expect(rows.filter((r) => r.SYS_MODE === "PRIMARY")).toEqual([]);
    expect(rows.map((r) => r.SYS_STATUS)).toEqual(["3", "6", "3"]); // MOUNT, never started, MOUNT
    // With the consistent peer BP22 up, BP21 and BP22 form a majority and elect; BP23 stays out.
    await c.raftConfig("BP22", 2, 2000, peers("BP22"));
    await startServer(h, `${db("BP22")}/dm.ini dpc_mode=BP MOUNT`, "BP22");
    await waitFor(async () => (await raft2()).some((r) => r.SYS_MODE === "PRIMARY"), 15000, "RAFT_2 leader");
    const after = await raft2();
    expect(after.find((r) => r.NAME === "BP23")).toEqual({ NAME: "BP23", SYS_MODE: "STANDBY", SYS_STATUS: "3" });
    for (const n of ["BP21", "BP22", "BP23"]) await stopServer(h, n);
  });
});

describe("disql and the catalog procedures", () => {
  test("a wrong password is a login failure with a non-zero exit", async () => {
    const r = await h.run(`disql -L -S SYSDBA/WRONGPASS1@${h.addr}:5239`, "select * from DPC_INSTANCE;\n");
    expect([r.code, r.stdout]).toEqual([1, "[-2501]:用户名或密码错误.\n"]);
  });

  test("a statement before any CONN is refused as disql refuses it: [-70019] network communication failed", async () => {
    const r = await h.run("disql -S -L /nolog", "WHENEVER SQLERROR EXIT 3\nselect 1;\n");
    expect([r.code, r.stdout]).toEqual([3, "[-70019]:网络通讯失败.\n"]);
  });

  test("/nolog then CONN with a double-quoted password holding @ ; / characters", async () => {
    await ok(h, `dminit path=${h.dataRoot}/pw instance_name=PWMP port_num=7120 ap_port_num=7220 dpc_mode=MP SYSDBA_PWD='p@ss;w/rd99'`);
    await ok(h, `printf 'mp_host = %s\\nmp_port = 7320\\n' ${h.addr} > ${h.dataRoot}/pw/DAMENG/mp.ini`);
    await c.h.run(`setsid nohup dmserver ${h.dataRoot}/pw/DAMENG/dm.ini dpc_mode=MP > /dev/null 2>&1 < /dev/null &`);
    await waitFor(() => pidOf(h, "PWMP") !== undefined, 10000, "PWMP");
    const r = await h.run("disql -S -L /nolog", `CONN SYSDBA/"p@ss;w/rd99"@${h.addr}:7120\nset timing off\nselect INSTANCE_NAME from V$INSTANCE;\nexit\n`);
    expect(r.code).toBe(0);
    expect(parseListings(r.stdout)[0]).toEqual([{ INSTANCE_NAME: "PWMP" }]);
    const bad = await h.run("disql -S -L /nolog", `CONNECT SYSDBA/"p@ss;w/rd"@${h.addr}:7120;\nselect 1;\n`);
    expect([bad.code, bad.stdout]).toEqual([1, "[-2501]:用户名或密码错误.\n"]);
    // Registering anything before the MP you are logged into is refused (rule 3).
    const early = await h.run("disql -S -L /nolog", `CONN SYSDBA/"p@ss;w/rd99"@${h.addr}:7120\nSP_CREATE_DPC_RAFT('BP', 'R');\n`);
    expect(early.stdout).toBe(`${errLine(-8403, "当前登录的MP实例[PWMP]尚未注册")}\n`);
    await stopServer(h, "PWMP");
  });

  test("an unreachable server or an injected failure is a connection failure", async () => {
    const r = await h.run(`disql -L -S SYSDBA/SYSDBA001@${h.addr}:7999`, "select 1;\n");
    expect([r.code, r.stdout]).toEqual([1, "[-70028]:创建SOCKET连接失败.\n"]);
    fs.writeFileSync(path.join(h.hostDir, "faults", "fail", "disql"), "1\n");
    const f = await h.run(`disql -L -S ${c.login("MP")}`, "select * from DPC_INSTANCE;\n");
    expect([f.code, f.stdout]).toEqual([1, "[-70028]:创建SOCKET连接失败.\n"]);
    // keyed on a statement (`fail disql 1 --when TEXT`): runs without it pass and leave it pending
    injectFailure("disql", 1, h.hostDir, 0, "DPC_BP_GROUP");
    const other = await h.run("disql -S -L /nolog", `CONN ${c.login("MP")}\nselect NAME from DPC_INSTANCE;\n`);
    expect(other.code).toBe(0);
    expect(fs.existsSync(path.join(h.hostDir, "faults", "fail", "disql"))).toBe(true);
    const keyed = await h.run("disql -S -L /nolog", `CONN ${c.login("MP")}\nselect NAME from DPC_BP_GROUP;\n`);
    expect([keyed.code, keyed.stdout]).toEqual([1, "[-70028]:创建SOCKET连接失败.\n"]);
    expect(fs.existsSync(path.join(h.hostDir, "faults", "fail", "disql"))).toBe(false);
  });

  test.each([
    ["an unknown procedure", "SP_NOPE('x');", errLine(-2208, "无效的方法名[SP_NOPE]")],
    ["a wrong argument count", "SP_CREATE_DPC_RAFT('BP');", errLine(-5402, "参数个数不匹配")],
    ["a wrong argument type", "CALL SP_CREATE_DPC_INSTANCE('RAFT_1','BPX','BP','abc',7001,'1.1.1.1','','NORMAL',1,'x');", errLine(-6111, "字符串转换出错(SP_CREATE_DPC_INSTANCE 第4个参数)")],
    ["a duplicate instance", "SP_CREATE_DPC_INSTANCE('RAFT_1','BP1','BP',7001,7002,'1.1.1.1','','NORMAL',1,'x');", errLine(-8404, "实例[BP1]已存在")],
    ["a duplicate RAFT group", "SP_CREATE_DPC_RAFT('BP', 'RAFT_1');", errLine(-8406, "RAFT组[RAFT_1]已存在")],
    ["a duplicate BP group", "SP_CREATE_DPC_BP_GROUP('BG_1', 'again');", errLine(-8408, "BP组[BG_1]已存在")],
    ["a duplicate fault domain", "SP_CREATE_FAULT_DOMAIN('FD_A', 'a');\nSP_CREATE_FAULT_DOMAIN('fd_a', 'b');", errLine(-8410, "容错域[fd_a]已存在")],
    ["a port used on that IP", "SP_CREATE_DPC_RAFT('BP', 'RAFT_P');\nSP_CREATE_DPC_INSTANCE('RAFT_P','BPP','BP',6001,7003,'IP','','NORMAL',1,'x');".replace("'IP'", "'__IP__'"), errLine(-8412, "IP[__IP__]上的端口[6001]已被使用")],
    ["an MP in a BP RAFT group", "SP_CREATE_DPC_INSTANCE('RAFT_1','MPB','MP',7004,7005,'1.1.1.1','','NORMAL',1,'x');", errLine(-8413, "实例[MPB]的DPC_MODE与RAFT组[RAFT_1]不一致")],
    ["an SP in a fault domain", "SP_CREATE_FAULT_DOMAIN('FD_S', 's');\nSP_FAULT_DOMAIN_MV_INST('FD_S', 'SP1');", errLine(-8416, "SP实例[SP1]不能加入容错域")],
    ["a BP group that still has RAFT groups", "SP_DROP_DPC_BP_GROUP('BG_1');", errLine(-8420, "BP组[BG_1]中还有RAFT组,不能删除")],
    ["a RAFT group that still has members", "SP_DROP_DPC_RAFT('RAFT_1');", errLine(-8418, "RAFT组[RAFT_1]中还有实例,不能删除")],
    ["dropping a running SP", "SP_DROP_DPC_INSTANCE('SP1');", errLine(-8424, "实例[SP1]正在运行,不能执行此操作")],
    ["an unknown column", "select C1 from DPC_INSTANCE;", errLine(-2111, "无效的列名[C1]")],
    ["an unknown table", "select * from NO_SUCH;", errLine(-2106, "无效的表或视图名[NO_SUCH]")],
    ["a syntax error", "select from DPC_INSTANCE;", errLine(-2007, "语法分析出错")],
  ])("refuses %s", async (_what, script, expected) => {
    const out = await mp(`${script.replace(/__IP__/g, h.addr)}\n`);
    expect(out.trim().split("\n").pop()).toBe(expected.replace(/__IP__/g, h.addr));
  });

  test("two members of one RAFT group in one fault domain", async () => {
    const out = await mp("SET FEEDBACK OFF\nSET TIMING OFF\nSP_CREATE_FAULT_DOMAIN('FD_R', 'r');\nSP_FAULT_DOMAIN_MV_INST('FD_R', 'BP21');\nSP_FAULT_DOMAIN_MV_INST('FD_R', 'BP22');\n");
    expect(out.trim()).toBe(errLine(-8417, "实例[BP22]与同RAFT组的实例已在容错域[FD_R]中"));
    // Moving it out (NULL) and then moving the other in is fine.
    expect(await mp("SET FEEDBACK OFF\nSET TIMING OFF\nSP_FAULT_DOMAIN_MV_INST(NULL, 'BP21');\nSP_FAULT_DOMAIN_MV_INST('FD_R', 'BP22');\n")).toBe("");
  });

  test("catalog procedures on a BP are refused; an SP runs the horizontal and fault-domain ones through the MP (DM8 §8.1, §6.2.41)", async () => {
    const notMp = errLine(-8401, "当前实例不是MP,不能执行DPC元数据操作");
    for (const stmt of ["SP_CREATE_DPC_RAFT('BP', 'R9');", "SP_CREATE_FAULT_DOMAIN('FD_BP', 'on a BP');"]) expect((await sql("BP1", `${stmt}\n`)).trim()).toBe(notMp);
    const quiet = (s: string) => `SET FEEDBACK OFF\nSET TIMING OFF\n${s}\n`;
    expect((await sql("SP1", quiet("SP_CREATE_DPC_RAFT('BP', 'R9');\nSP_CREATE_FAULT_DOMAIN('FD_SP', 'from the SP');"))).trim()).toBe("");
    expect(await mp("select NAME from DPC_BP_RAFT where NAME = 'R9';\n")).toContain("R9");
    expect(await mp("select NAME from DPC_FAULT_DOMAIN where NAME = 'FD_SP';\n")).toContain("FD_SP");
    // The MP's refusal reaches the SP's client as it is.
    expect((await sql("SP1", quiet("SP_CREATE_DPC_RAFT('BP', 'R9');"))).trim()).toBe(errLine(-8406, "RAFT组[R9]已存在"));
    // What is not a horizontal or fault-domain change stays the MP's.
    expect((await sql("SP1", quiet("SP_RENAME_DPC_INSTANCE('BP1', 'BPX');"))).trim()).toBe(notMp);
    expect((await sql("SP1", quiet("SP_DROP_DPC_RAFT('R9');\nSP_DROP_FAULT_DOMAIN('FD_SP', 0);"))).trim()).toBe("");
    expect(await mp("select NAME from DPC_BP_RAFT where NAME = 'R9';\n")).toContain("未选定行");
  });

  test("WHENEVER SQLERROR EXIT n stops at the first error with status n", async () => {
    const r = await h.run(`disql -L -S ${c.login("MP")}`, "WHENEVER SQLERROR EXIT 3\nSP_NOPE();\nSP_CREATE_FAULT_DOMAIN('FD_NEVER', 'x');\n");
    expect(r.code).toBe(3);
    expect(await mp("select NAME from DPC_FAULT_DOMAIN where NAME = 'FD_NEVER';\n")).toContain("未选定行");
  });

  test("the output settings of automation scripts", async () => {
    const out = await mp("SET HEADING OFF\nSET FEEDBACK OFF\nSET TIMING OFF\nSET LINESHOW OFF\nSET PAGESIZE 0\nSET COLSEP '|'\nselect NAME, DPC_MODE, INFO1 from DPC_INSTANCE where RAFT_ID = 0;\n");
    expect(out).toBe("\nMP  |MP      |NULL\n");
    const plain = await h.run(`disql -L ${c.login("MP")}`, "select NAME from DPC_INSTANCE where NAME = 'MP';\n");
    expect(plain.stdout).toMatch(/^服务器\[.*\]:处于普通打开状态\n登录使用时间 : [\d.]+\(ms\)\ndisql V8\nSQL> \n行号       NAME\n---------- ----\n1          MP\n\n1 rows got\n\n已用时间: [\d.]+\(毫秒\)\. 执行号:\d+\.\n$/);
  });

  test("the scale-in procedures in their order, bare and with CALL", async () => {
    const a = h.addr;
    const steps: [string, string][] = [
      ["SP_CREATE_DPC_RAFT('BP', 'RAFT_9');", ""],
      [`CALL SP_CREATE_DPC_INSTANCE('RAFT_9','BP9','BP',7230,7130,'${a}','','NORMAL',1,'BP instance');`, ""],
      ["SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_9');", ""],
      ["SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_9');", errLine(-8421, "RAFT组[RAFT_9]已属于BP组")],
      ["SP_RENAME_DPC_INSTANCE('BP9', 'BP9X');", ""],
      ["SP_MODIFY_DPC_INSTANCE('BP9X', '', '', 7231, '');", ""],
      ["SP_MODIFY_DPC_INSTANCE('BP9X', '', '', 6001, '');", errLine(-8412, `IP[${a}]上的端口[6001]已被使用`)],
      ["SP_BP_GROUP_DEL_RAFT('BG_1', 'RAFT_9');", ""],
      ["SP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_9');", ""],
      ["SP_DROP_DPC_RAFT('RAFT_9');", errLine(-8418, "RAFT组[RAFT_9]中还有实例,不能删除")],
      ["SP_DROP_DPC_INSTANCE('BP9X');", ""],
      // DM8 §8.2.1.1.2: the RAFT group is dropped while its BP group still lists it (no DEL_RAFT step).
      ["call SP_DROP_DPC_RAFT('RAFT_9');", ""],
      ["SP_CREATE_FAULT_DOMAIN('FD_D', 'd');", ""],
      ["SP_FAULT_DOMAIN_MV_INST('FD_D', 'BP1');", ""],
      ["SP_DROP_FAULT_DOMAIN('FD_D', 0);", errLine(-8425, "容错域[FD_D]中还有实例")],
      ["SP_DROP_FAULT_DOMAIN('FD_D', 1);", ""],
    ];
    for (const [stmt, expected] of steps) expect([stmt, (await mp(`SET FEEDBACK OFF\nSET TIMING OFF\n${stmt}\n`)).trim()]).toEqual([stmt, expected]);
    const inst = parseListings(await mp("select NAME, XMAL_PORT, INFO1 from DPC_INSTANCE where NAME = 'BP1';\n"))[0];
    expect(inst).toEqual([{ NAME: "BP1", XMAL_PORT: "6001", INFO1: "NULL" }]);
    expect(await mp("select * from DPC_BP_RAFT where NAME = 'RAFT_9';\n")).toContain("未选定行");
  });
});

describe("user data and scale-in", () => {
  test("an instance of a RAFT group whose RAFT_ID table objects use cannot be dropped (DM8 §5.10, §8.8.4.3.1.1); leaving a BP group is no data check", async () => {
    const quiet = (stmt: string) => `SET FEEDBACK OFF\nSET TIMING OFF\n${stmt}\n`;
    // DM8 §8.3: no table before a user tablespace; a tablespace with a STORAGE clause sits on that RAFT group.
    expect((await sql("SP1", quiet("CREATE TABLE T_ORDERS (ID INT, NOTE VARCHAR(20));"))).trim()).toBe(errLine(-8433, "没有用户表空间,不能创建表"));
    expect((await sql("SP1", quiet("CREATE TABLESPACE TS_1 DATAFILE 'TS_1.DBF' SIZE 128 STORAGE( ON RAFT_1);"))).trim()).toBe("");
    expect((await sql("SP1", quiet("CREATE TABLE T_ORDERS (ID INT, NOTE VARCHAR(20));"))).trim()).toBe("");
    const raft1 = parseListings(await mp("select RAFT_ID from DPC_BP_RAFT where NAME = 'RAFT_1';\n"))[0][0].RAFT_ID;
    expect(parseListings(await mp("select TS_ID, RAFT_ID, STATE, NAME from DPC_TABLESPACE;\n"))[0]).toEqual([{ TS_ID: "1", RAFT_ID: raft1, STATE: "0", NAME: "TS_1" }]);
    expect((await mp(quiet("CREATE TABLE T_X (ID INT);"))).trim()).toBe(errLine(-8434, "用户表只能通过SP实例创建或删除"));
    expect((await sql("SP1", quiet("CREATE TABLE t_orders (ID INT);"))).trim()).toBe(errLine(-2124, "对象[T_ORDERS]已存在"));
    expect((await mp(quiet("SP_DROP_DPC_INSTANCE('BP1');"))).trim()).toBe(errLine(-8430, "RAFT组[RAFT_1]的RAFT_ID已被表对象使用,不能删除实例[BP1]"));
    expect((await sql("SP1", quiet("SP_DROP_DPC_INSTANCE('BP1');"))).trim()).toBe(errLine(-8430, "RAFT组[RAFT_1]的RAFT_ID已被表对象使用,不能删除实例[BP1]"));
    expect((await mp(quiet("SP_BP_GROUP_DEL_RAFT('BG_1', 'RAFT_1');\nSP_BP_GROUP_ADD_RAFT('BG_1', 'RAFT_1');"))).trim()).toBe("");
    expect((await sql("SP1", quiet("DROP TABLE T_ORDERS;"))).trim()).toBe("");
    expect((await sql("SP1", quiet("DROP TABLE T_ORDERS;"))).trim()).toBe(errLine(-2106, "无效的表或视图名[T_ORDERS]"));
    expect((await sql("SP1", quiet("DROP TABLESPACE TS_1;"))).trim()).toBe("");
    // With the table gone the data rule passes; the instance still runs.
    expect((await mp(quiet("SP_DROP_DPC_INSTANCE('BP1');"))).trim()).toBe(errLine(-8424, "实例[BP1]正在运行,不能执行此操作"));
  });

  test("a replica SP_ALTER_RAFT_NODE took out of the configuration is dropped though the group holds data (DM8 §8.2.2.1.2); one still in it is not", async () => {
    const quiet = (stmt: string) => `SET FEEDBACK OFF\nSET TIMING OFF\n${stmt}\n`;
    expect((await sql("SP1", quiet("CREATE TABLESPACE TS_R2 DATAFILE 'TS_R2.DBF' SIZE 128 STORAGE( ON RAFT_2);\nCREATE TABLE T_R2 (ID INT) TABLESPACE TS_R2;"))).trim()).toBe("");
    // BP21 and BP22 share a lineage: started in BS mode they elect, and the leader takes the
    // other out of the configuration (SP_ALTER_RAFT_NODE runs on the leader, MGT §8.2.2.1.2).
    for (const n of ["BP21", "BP22"]) await startServer(h, `${h.dataRoot}/${n.toLowerCase()}/DAMENG/dm.ini dpc_mode=BS MOUNT`, n);
    const leaderOf2 = async () => parseListings(await mp("select NAME, SYS_MODE, SYS_STATUS from DPC_INSTANCE order by NAME;\n"))[0].find((r) => /^BP2/.test(r.NAME) && r.SYS_MODE === "PRIMARY" && r.SYS_STATUS === "4")?.NAME;
    await waitFor(async () => (await leaderOf2()) !== undefined, 15000, "RAFT_2 leader");
    const leader = (await leaderOf2())!;
    const other = leader === "BP21" ? "BP22" : "BP21";
    const port = 7110 + Number(leader.slice(-1)) - 1; // BP2k's port_num (the set-up above)
    expect((await h.run(`disql -L -S SYSDBA/SYSDBA001@${h.addr}:${port}`, quiet(`SP_ALTER_RAFT_NODE('${leader}');`))).stdout.trim()).toBe("");
    await stopServer(h, other);
    expect((await mp(quiet(`SP_DROP_DPC_INSTANCE('${other}');`))).trim()).toBe("");
    expect((await mp(quiet(`SP_DROP_DPC_INSTANCE('${leader}');`))).trim()).toBe(errLine(-8430, `RAFT组[RAFT_2]的RAFT_ID已被表对象使用,不能删除实例[${leader}]`));
    expect((await sql("SP1", quiet("DROP TABLE T_R2;\nDROP TABLESPACE TS_R2;"))).trim()).toBe("");
    await stopServer(h, leader);
  });

  test("the MP group's last instance cannot be dropped (DM8 §6.2.8), from an SP either", async () => {
    const quiet = (stmt: string) => `SET FEEDBACK OFF\nSET TIMING OFF\n${stmt}\n`;
    expect((await sql("SP1", quiet("SP_DROP_DPC_INSTANCE('MP');"))).trim()).toBe(errLine(-8438, "实例[MP]是RAFT组中最后一个实例,不能删除"));
  });
});

describe("dmrman", () => {
  test("refuses a running instance, a missing backup set, another page size", async () => {
    const running = await h.run(`dmrman CTLSTMT="BACKUP DATABASE '${c.ini("BP1")}' FULL TO X BACKUPSET '${h.dataRoot}/x'" USE_AP=2`);
    expect(running.code).toBe(1);
    expect(running.stdout).toContain("[-137]:服务器正在运行或者存在其他进程正在操作同一个库.");
    const db16 = await spare("P16", "BP", 7140, 7240, "PAGE_SIZE=16");
    const missing = await h.run(`dmrman CTLSTMT="RESTORE DATABASE '${db16}/dm.ini' FROM BACKUPSET '${h.dataRoot}/nothing'" USE_AP=2`);
    expect(missing.stdout).toContain(`[-8115]:无效的备份集[${h.dataRoot}/nothing].`);
    const db8 = await spare("P8", "BP", 7141, 7241);
    await ok(h, `dmrman CTLSTMT="BACKUP DATABASE '${db8}/dm.ini' FULL TO P8B BACKUPSET '${h.dataRoot}/p8b'" USE_AP=2`);
    const page = await h.run(`dmrman CTLSTMT="RESTORE DATABASE '${db16}/dm.ini' FROM BACKUPSET '${h.dataRoot}/p8b'" USE_AP=2`);
    expect([page.code, page.stdout.includes("[-8137]:备份集页大小[8K]与目标库页大小[16K]不匹配.")]).toEqual([1, true]);
    const mpdb = await spare("MPR", "MP", 7142, 7242);
    const mode = await h.run(`dmrman CTLSTMT="RESTORE DATABASE '${mpdb}/dm.ini' FROM BACKUPSET '${h.dataRoot}/p8b'" USE_AP=2`);
    expect(mode.stdout).toContain("[-8138]:备份集DPC_MODE[BP]与目标库DPC_MODE[MP]不匹配.");
    fs.writeFileSync(path.join(h.hostDir, "faults", "fail", "dmrman"), "1\n");
    const inj = await h.run(`dmrman CTLSTMT="RECOVER DATABASE '${db8}/dm.ini' UPDATE DB_MAGIC" USE_AP=2`);
    expect([inj.code, inj.stdout]).toEqual([1, "dmrman V8\n[-8000]:执行失败(I/O错误).\n"]);
    expect(readOr(`${db8}/dm.ctl`)).toContain('"magicPending": false');
  });
});

describe("the SP without an OPEN BP (rule 7)", () => {
  test("answers 无效的系统状态", async () => {
    await stopServer(h, "SP1");
    await stopServer(h, "BP1");
    await c.start("SP1");
    expect((await sql("SP1", "select * from V$INSTANCE;\n")).trim()).toBe(errLine(-509, "无效的系统状态"));
    await c.start("BP1");
    expect(await sql("SP1", "select * from V$INSTANCE;\n")).toContain("rows got");
  });
});
