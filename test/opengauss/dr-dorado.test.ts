/**
 * examples/og-dr-dorado through the local engine: gs_ddr's `Ready to move on (yes/no)?` stops,
 * answered only after the storageReplication command (the lab's `dorado_pair`) ran the step.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { outcome, type Stack } from "../examples/helpers";
import { dnRoles, sqlOn as sqlOnHost, startOgStack, type OgLab } from "./fixtures";

jest.setTimeout(170_000);

let og: OgLab;
let stack: Stack;
beforeAll(async () => {
  ({ og, stack } = await startOgStack("og-dr-dorado", { timeoutSeconds: "120" }));
}, 170_000);
afterAll(async () => og?.stop());

const pairLog = () => {
  const f = path.join(og.lab.dir, "dorado-pair.json");
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, "utf8")) as { time: string; step: string }[]) : [];
};
const ddr = (host: string, task: string) => og.lab.commandLog(host).filter((e): e is Extract<typeof e, { command: string }> => "command" in e && e.command.includes(`gs_ddr -t ${task}`));
const sqlOn = (host: string, statement: string) => sqlOnHost(og, host, statement);

/** A DR user name that would break unquoted shell or SQL. */
const HOSTILE_USER = `x'; DROP TABLE t; --"\`$(id)\` $HOME`;

test("dorado start: the array step runs first, then both sides' gs_ddr start get their yes; rows reach the standby; a hostile DR user name is created exactly", async () => {
  await sqlOn("host1", "create table t(id int primary key); insert into t values (1)");
  await stack.engine("config", "set", "drUser", HOSTILE_USER);
  const r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(r.out).toMatch(/array remote replication step start \(dorado_pair start\)/);
  const [step] = pairLog();
  expect(step.step).toBe("start");
  const [p] = ddr("host1", "start");
  const [s] = ddr("host3", "start");
  expect(p.command).toMatch(/--disaster_type 'dorado'/);
  expect(Date.parse(step.time)).toBeLessThan(Math.min(Date.parse(p.time), Date.parse(s.time)));
  expect((await stack.outputs()).paired).toBe(true);
  // The role exists under exactly that name (looked up by its hex, so the test needs no quoting), and t was not dropped.
  const hex = Buffer.from(HOSTILE_USER, "utf8").toString("hex");
  const role = await og.run("host1", "gsql -d postgres -p 26000 -t -A -X", `select count(*) from pg_roles where rolname = convert_from(decode('${hex}', 'hex'), 'UTF8') and rolreplication;\n`);
  expect(role.stdout.trim()).toBe("1");
  expect((await sqlOn("host1", "select count(*) from t")).stdout.trim()).toBe("1");
  expect((await og.run("host3", "cat \"$GAUSSHOME/dss/cfg/dss_inst.ini\"")).stdout).toMatch(/CLUSTER_RUN_MODE = cluster_standby/);
  await sqlOn("host1", "insert into t values (2)");
  let n = "";
  for (let i = 0; i < 60 && n !== "2"; i++) n = (await sqlOn("host4", "select count(*) from t")).stdout.trim();
  expect(n).toBe("2");
});

test("dorado switchover: demote and promote array steps, then both sides; destroy runs the failover step", async () => {
  await stack.engine("config", "set", "primary", "og2");
  let r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(pairLog().map((e) => e.step)).toEqual(["start", "demote", "promote"]);
  expect(dnRoles((await og.run("host3", "cm_ctl query -Cvidp")).stdout)).toEqual({ host3: "Primary", host4: "Standby" });
  r = await stack.engine("destroy");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(pairLog().map((e) => e.step)).toEqual(["start", "demote", "promote", "failover"]);
  expect((await sqlOn("host1", "insert into t values (10)")).code).toBe(0);
  expect((await sqlOn("host3", "insert into t values (20)")).code).toBe(0);
});

test("storageReplicationConfirmed: the plan says the stops are answered because the user handles the array; no array step runs, and the pair builds", async () => {
  const steps = pairLog().length;
  await stack.engine("config", "set", "storageReplicationConfirmed", "true");
  const preview = await stack.engine("preview");
  expect(preview.code).toBe(0);
  const r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(r.out).toMatch(/its Ready to move on stops are answered yes because storageReplicationConfirmed says the array's pair is handled by hand/);
  expect(r.out).not.toMatch(/array remote replication step/);
  expect(pairLog().length).toBe(steps);
  expect(await stack.outputs()).toMatchObject({ paired: true, primary: "og2" });
  expect((await og.run("host1", "cat \"$GAUSSHOME/dss/cfg/dss_inst.ini\"")).stdout).toMatch(/CLUSTER_RUN_MODE = cluster_standby/);
});
