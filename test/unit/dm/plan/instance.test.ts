import * as fs from "node:fs";
import * as path from "node:path";
import { hostStateCommand, parseHostState, type HostState } from "../../../../provider/dm/commands";
import { PlanError, flatten } from "../../../../provider/dm/ops";
import { diffInstance, planInstance, planInstanceDelete } from "../../../../provider/dm/plan/instance";
import { InstanceSchema, absPath, type InstanceArgs } from "../../../../provider/dm/schema";
import { hostileStrings } from "../../../fixtures/hostile-strings";
import { makeFakeTools } from "../helpers/fake-tools";

const PASSWORD = "Pa55word'\"x".replace('"', "");
function spec(over: Partial<InstanceArgs> = {}) {
  return InstanceSchema.parse({
    name: "BP1",
    mode: "BP",
    connection: { host: "127.0.10.1", port: 2222, user: "dm" },
    path: "/data/bp1",
    ip: "127.0.10.1",
    portNum: 5237,
    apPortNum: 6001,
    sysdbaPassword: PASSWORD,
    mpNodes: [{ host: "127.0.10.1", port: 9000 }],
    ...over,
  });
}
const empty: HostState = { pathExists: false, dmIni: null, mpIni: null, dmarchIni: null, pids: [], ranBefore: false, leftGroup: null };
const existing = (over: Partial<HostState> = {}): HostState => ({
  ...empty,
  pathExists: true,
  dmIni: "INSTANCE_NAME = BP1\nPORT_NUM = 5237\nAP_PORT_NUM = 6001\nDPC_MODE = BP\n",
  mpIni: "mp_host = 127.0.10.1\nmp_port = 9000\n",
  ...over,
});

describe("planInstance", () => {
  test("from nothing: dminit (password on stdin only), then mp.ini", () => {
    const ops = flatten(planInstance(spec(), empty, { creating: true }));
    expect(ops.map((o) => o.kind)).toEqual(["dminit", "write-file"]);
    const [init, mp] = ops;
    expect(init.stdin).toContain(`SYSDBA_PWD = ${PASSWORD}`);
    for (const o of ops) {
      expect(o.command).not.toContain(PASSWORD);
      expect(o.describe).not.toContain(PASSWORD);
      expect(o.reason).not.toBe("");
    }
    expect(mp.stdin).toBe("mp_host = 127.0.10.1\nmp_port = 9000\n");
  });

  test("never runs dminit over an existing database: adopt or error", () => {
    expect(() => planInstance(spec(), existing(), { creating: true })).toThrow(/adopt: true/);
    expect(flatten(planInstance(spec({ adopt: true }), existing(), { creating: true }))).toEqual([]);
    expect(() => planInstance(spec({ adopt: true }), existing({ dmIni: "INSTANCE_NAME = OTHER\n" }), { creating: true })).toThrow(PlanError);
    expect(() => planInstance(spec({ adopt: true }), existing({ dmIni: "INSTANCE_NAME = BP1\nDPC_MODE = SP\n" }), { creating: true })).toThrow(/DPC_MODE/);
  });

  test("converges dm.ini keys in place and mp.ini, and nothing else", () => {
    const ops = flatten(planInstance(spec({ dmIni: { MAX_SESSIONS: 200 }, mpNodes: [{ host: "10.0.0.1", port: 10622 }, { host: "10.0.0.2", port: 10623 }] }), existing(), { creating: false }));
    expect(ops.map((o) => o.kind)).toEqual(["set-ini", "write-file"]);
    expect(ops[0].stdin).toBe("MAX_SESSIONS=200\n");
    expect(ops[1].stdin).toBe("[MP1]\nmp_host = 10.0.0.1\nmp_port = 10622\n\n[MP2]\nmp_host = 10.0.0.2\nmp_port = 10623\n");
    expect(flatten(planInstance(spec(), existing(), { creating: false }))).toEqual([]);
  });

  test("delete keeps the data unless deleteData; it removes only the database directory, never under a running server", () => {
    expect(planInstanceDelete(spec(), existing())).toEqual([]);
    expect(flatten(planInstanceDelete(spec(), existing({ pids: [12] }))).map((o) => o.kind)).toEqual(["stop"]);
    const ops = flatten(planInstanceDelete(spec({ deleteData: true }), existing()));
    expect(ops.map((o) => o.kind)).toEqual(["remove"]);
    expect(ops[0].command).toBe("rm -rf '/data/bp1/DAMENG'");
    expect(() => planInstanceDelete(spec({ deleteData: true }), existing({ pids: [12, 13] }))).toThrow(/running on \/data\/bp1\/DAMENG \(pid 12, 13\).*never removed/);
  });
});

describe("diffInstance", () => {
  test.each([
    [{ pageSize: 16 as const }, ["pageSize"], []],
    [{ charset: 1 as const }, ["charset"], []],
    [{ caseSensitive: false }, ["caseSensitive"], []],
    [{ mode: "SP" as const }, ["mode"], []],
    [{ path: "/data/other" }, ["path"], []],
    [{ connection: { host: "127.0.10.2" } }, ["connection"], []],
    [{ connection: { host: "127.0.10.1", port: 22 } }, [], ["connection"]],
    [{ dmIni: { MAX_SESSIONS: 10 } }, [], ["dmIni"]],
    [{ portNum: 5300 }, ["portNum"], []],
    [{ apPortNum: 6300 }, ["apPortNum"], []],
    [{ deleteData: true }, [], ["deleteData"]],
  ])("%j → replaces %j, changes %j", (over, replaces, changes) => {
    expect(diffInstance(spec(), spec(over))).toEqual({ replaces, changes });
  });
  test("no change, no diff", () => expect(diffInstance(spec(), spec())).toEqual({ replaces: [], changes: [] }));
});

describe("the instance plan runs for real on hostile paths", () => {
  const t = makeFakeTools();
  afterAll(() => t.cleanup());
  const segments = hostileStrings.filter((h) => h.trim() !== "" && !h.includes("/") && absPath.safeParse(`/x/${h}`).success);

  test.each(segments.map((s) => [s]))("path segment %j: dminit, dm.ini edit and mp.ini land there; re-plan is empty", (seg) => {
    const base = path.join(t.dir, seg, "bp1");
    const s = spec({ path: base, dmIni: { MAX_SESSIONS: 77 } });
    const read = () => {
      const marker = "--state-7f3a--";
      const r = t.run(hostStateCommand(s, marker));
      expect(r.code).toBe(0);
      return parseHostState(r.stdout, s, marker);
    };
    for (const op of flatten(planInstance(s, read(), { creating: true }))) {
      const r = t.run(op.command, op.stdin);
      expect({ op: op.describe, code: r.code, stderr: r.stderr }).toEqual({ op: op.describe, code: 0, stderr: "" });
    }
    expect(fs.readFileSync(path.join(base, "DAMENG", "dm.ini"), "utf8")).toContain("MAX_SESSIONS = 77");
    expect(fs.readFileSync(path.join(base, "DAMENG", "mp.ini"), "utf8")).toContain("mp_port = 9000");
    expect(flatten(planInstance(s, read(), { creating: false }))).toEqual([]);
  });
});
