/**
 * dmdpc.md rule 8: exit order. A wrong order brings the remaining nodes down hard (FATAL in their
 * log, no clean exit) and their next start replays REDO. A BP that dies (not a clean exit) leaves
 * the SP up but answering "无效的系统状态" until a BP is OPEN again.
 */
import { DmHost, DmLab, alive, ok, pidOf, query, serverLog, stopServer, waitFor } from "./fixtures/dmlab";
import { MiniCluster, runningSeed71 } from "./fixtures/dmcluster";

jest.setTimeout(180000);

let lab: DmLab;
let h: DmHost;
let c: MiniCluster;

beforeAll(async () => ({ lab, h, c } = await runningSeed71()));
afterAll(async () => lab?.stop());

const spQuery = () => h.run(`disql -L -S ${c.login("SP1")}`, "select NAME from V$INSTANCE;\n");

test("a BP killed hard: the SP stays up and reports 无效的系统状态 until the BP is back (with REDO)", async () => {
  expect((await spQuery()).stdout).toContain("3 rows got");
  await ok(h, `kill -9 ${pidOf(h, "BP1")}`);
  await waitFor(async () => (await spQuery()).stdout.includes("[-509]:无效的系统状态"), 10000, "SP sees no BP");
  expect(alive(pidOf(h, "SP1"))).toBe(true);
  await c.start("BP1");
  expect(serverLog(c.db("BP1"), "BP1")).toMatch(/上次未正常关闭.*REDO/);
  await waitFor(async () => (await spQuery()).stdout.includes("3 rows got"), 10000, "SP serves again");
});

test("BP exits before the SP: the SP dies hard and replays REDO at its next start", async () => {
  const sp = pidOf(h, "SP1");
  await stopServer(h, "BP1");
  await waitFor(() => !alive(sp), 10000, "SP halt");
  const spLog = serverLog(c.db("SP1"), "SP1");
  expect(spLog).toMatch(/\[FATAL\].*BP\[BP1\]在SP之前退出/);
  expect(pidOf(h, "SP1")).toBe(sp); // no clean exit: the pid file is left behind
  expect(serverLog(c.db("BP1"), "BP1")).toMatch(/shutdown successfully\s*$/);
  const redo = () => serverLog(c.db("SP1"), "SP1").split("\n").filter((l) => /上次未正常关闭/.test(l)).length;
  const before = redo();
  await c.start("BP1");
  await c.start("SP1");
  expect(redo()).toBe(before + 1);
});

test("MP exits while SP and BP run: both die hard; after the MP restarts they start again with REDO", async () => {
  const sp = pidOf(h, "SP1");
  const bp = pidOf(h, "BP1");
  const redoBefore = (n: string) => serverLog(c.db(n), n).split("\n").filter((l) => /上次未正常关闭/.test(l)).length;
  const spRedo = redoBefore("SP1");
  const bpRedo = redoBefore("BP1");
  await stopServer(h, "MP");
  await waitFor(() => !alive(sp) && !alive(bp), 15000, "SP and BP halt");
  for (const n of ["SP1", "BP1"]) expect(serverLog(c.db(n), n)).toMatch(/\[FATAL\].*与MP的连接断开/);
  await c.start("MP");
  await c.start("BP1");
  await c.start("SP1");
  expect(redoBefore("SP1")).toBe(spRedo + 1);
  expect(redoBefore("BP1")).toBe(bpRedo + 1);
  const rows = await query(h, c.login("MP"), "select NAME, SYS_STATUS from DPC_INSTANCE");
  expect(rows.every((r) => r.SYS_STATUS === "4")).toBe(true);
});

test("the right order (SP, BP, MP) is clean; a clean SP exit shows STATUS 2", async () => {
  await stopServer(h, "SP1");
  expect(await query(h, c.login("MP"), "select SYS_STATUS, STATUS from DPC_INSTANCE where NAME = 'SP1'")).toEqual([{ SYS_STATUS: "6", STATUS: "2" }]);
  await stopServer(h, "BP1");
  await stopServer(h, "MP");
  for (const n of ["SP1", "BP1", "MP"]) {
    expect(serverLog(c.db(n), n)).toMatch(/shutdown successfully\s*$/);
    expect(pidOf(h, n)).toBeUndefined();
  }
});
