/**
 * opengauss.DisasterRecovery through the local engine, as a user runs examples/og-dr-stream on
 * the lab: two clusters with real PostgreSQL DNs, gs_ddr on both sides at once, rows written on
 * the primary read on the standby, a quiet second up, switchover and back by changing `primary`,
 * bad input refused in check, delete dissolving the pair.
 */
import * as fs from "node:fs";
import { outcome, type Stack } from "../examples/helpers";
import { dnRoles, eventually, queryDict, rowsOf, sqlOn as sqlOnHost, startOgStack, type OgLab } from "./fixtures";

jest.setTimeout(170_000);

const PASSWORD = "Lab_Ddr_2024"; // the example's lab default (examples/og-shared/clusters.ts)
let og: OgLab;
let stack: Stack;

beforeAll(async () => {
  ({ og, stack } = await startOgStack("og-dr-stream", { timeoutSeconds: "120" }));
}, 170_000);
afterAll(async () => og?.stop());

const sqlOn = (host: string, statement: string) => sqlOnHost(og, host, statement);
const rows = (host: string) => rowsOf(og, host);
const roles = async (host: string) => dnRoles((await og.run(host, "cm_ctl query -Cvidp")).stdout);
const ddrCommands = (host: string) => og.lab.commandLog(host).filter((e): e is Extract<typeof e, { command: string }> => "command" in e && /gs_ddr -t (start|switchover|stop|failover)/.test(e.command));

test("check refuses bad input, every problem at once with field, value and rule, and nothing runs", async () => {
  await stack.engine("config", "set", "primary", "og9");
  await stack.engine("config", "set", "--secret", "drPassword", "has space;");
  const r = await stack.engine("up");
  expect(r.code).not.toBe(0);
  const diag = r.events.filter((e) => e.diag).map((e) => e.diag.message).join("\n");
  expect(diag).toMatch(/primary: must name one of the clusters \(og1, og2\) \(got "og9"\)/);
  expect(diag).toMatch(/drPassword: the DR password cannot contain any of .* \(got "\[secret\]"\)/);
  expect(r.out).not.toContain("has space;");
  expect(ddrCommands("host1")).toEqual([]);
});

test("up builds the pair: both sides start at once, rows reach the standby, which refuses writes; secrets stay off command lines and out of state", async () => {
  await stack.engine("config", "set", "primary", "og1");
  await stack.engine("config", "set", "--secret", "drPassword", PASSWORD);
  await sqlOn("host1", "create table t(id int primary key, v text); insert into t values (1, 'a')");
  const r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(r.summary).toMatchObject({ create: 1 });
  expect(r.out).toMatch(/og2's data will be fully rebuilt from og1/);
  const o = await stack.outputs();
  expect(o.paired).toBe(true);
  expect(o.primary).toBe("og1");
  expect(o.sides.og1).toMatchObject({ role: "primary", drState: "archive", dnRoles: { [og.clusters[0].nodes[0].host]: "Primary" } });
  expect(o.sides.og2).toMatchObject({ role: "standby", drState: "recovery", dnRoles: { host3: "Main Standby", host4: "Standby" } });
  // Read back, not assumed: gs_ddr's source changes neither (the seed says it does).
  expect(o.sides.og1).toMatchObject({ mostAvailableSync: "off", synchronousCommit: "on" });

  // Both starts ran at the same time (each waits for the other): their intervals overlap.
  const [p] = ddrCommands("host1");
  const [s] = ddrCommands("host3");
  expect(p.command).toMatch(/gs_ddr -t start -m 'primary' --disaster_type 'stream'/);
  expect(s.command).toMatch(/gs_ddr -t start -m 'disaster_standby'/);
  const span = (e: { time: string; durationMs: number }) => [Date.parse(e.time), Date.parse(e.time) + e.durationMs];
  const [p0, p1] = span(p);
  const [s0, s1] = span(s);
  expect(p0 < s1 && s0 < p1).toBe(true);

  await sqlOn("host1", "insert into t values (2, 'b')");
  expect(await eventually(() => rows("host4"), ["1:a", "2:b"])).toEqual(["1:a", "2:b"]);
  const refused = await sqlOn("host3", "insert into t values (3, 'c')");
  expect(refused.stderr).toMatch(/cannot execute INSERT in a read-only transaction/);

  // The DR user exists on the primary; its password never was on a command line or in state.
  expect((await sqlOn("host1", "select rolname || ':' || rolreplication from pg_roles where rolname = 'ddr_user'")).stdout.trim()).toBe("ddr_user:true");
  for (const h of og.lab.hosts) expect(og.lab.commandLog(h.name).map((e) => ("command" in e ? e.command : "")).join("\n")).not.toContain(PASSWORD);
  expect(fs.readFileSync(stack.stateFile(), "utf8")).not.toContain(PASSWORD);
  // The DR config went to a 0600 file on each side.
  expect((await og.run("host3", "stat -c %a ~/dbcluster-ddr.json")).stdout.trim()).toBe("600");
});

test("a second up plans nothing and runs no DR command", async () => {
  const before = ddrCommands("host1").length + ddrCommands("host3").length;
  const r = await stack.engine("up");
  expect(r.code).toBe(0);
  expect(r.summary).toMatchObject({ create: 0, update: 0, delete: 0, same: 2 });
  expect(r.out).not.toMatch(/plan: phase/);
  expect(ddrCommands("host1").length + ddrCommands("host3").length).toBe(before);
});

test("while paired, a DR password change is refused in check, naming the field and the way out; nothing runs", async () => {
  const before = ddrCommands("host1").length;
  await stack.engine("config", "set", "--secret", "drPassword", "Other_Ddr_2024");
  const r = await stack.engine("up");
  expect(r.code).not.toBe(0);
  expect(r.events.filter((e) => e.diag).map((e) => e.diag.message).join("\n")).toMatch(/drPassword: cannot change while the DR pair exists \(gs_ddr\): dissolve it first .*allowRebuild: true/);
  expect(r.out).not.toContain("Other_Ddr_2024");
  expect(ddrCommands("host1").length).toBe(before);
  await stack.engine("config", "set", "--secret", "drPassword", PASSWORD);
  expect((await stack.engine("up")).summary).toMatchObject({ update: 0, same: 2 });
});

test("changing primary switches over (roles read back), and back again; no row is lost", async () => {
  await stack.engine("config", "set", "primary", "og2");
  let r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect((await stack.outputs()).primary).toBe("og2");
  expect(await roles("host3")).toEqual({ host3: "Primary", host4: "Standby" });
  expect(await roles("host1")).toEqual({ host1: "Main Standby", host2: "Standby" });
  expect((await sqlOn("host3", "insert into t values (3, 'c')")).code).toBe(0);
  expect(await eventually(() => rows("host2"), ["1:a", "2:b", "3:c"])).toEqual(["1:a", "2:b", "3:c"]);

  await stack.engine("config", "set", "primary", "og1");
  r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect((await stack.outputs()).primary).toBe("og1");
  expect(await roles("host1")).toEqual({ host1: "Primary", host2: "Standby" });
  expect((await sqlOn("host1", "insert into t values (4, 'd')")).code).toBe(0);
  expect(await eventually(() => rows("host4"), ["1:a", "2:b", "3:c", "4:d"])).toEqual(["1:a", "2:b", "3:c", "4:d"]);
});

test("a switchover by hand: refresh shows the drift and the next up switches back", async () => {
  const [d, p] = await Promise.all([og.run("host1", "gs_ddr -t switchover -m disaster_standby"), og.run("host3", "gs_ddr -t switchover -m primary")]);
  expect([d.code, p.code]).toEqual([0, 0]);
  let r = await stack.engine("refresh");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/drift: the next up would run:.*switchover -m disaster_standby on og2/);
  r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(await roles("host1")).toEqual({ host1: "Primary", host2: "Standby" });
  expect((await stack.outputs()).primary).toBe("og1");
});

test("allowRebuild: a new DR password dissolves and rebuilds the pair in one up, with the user's password changed on the primary", async () => {
  const verifier = async () => (await sqlOn("host1", "select rolpassword from pg_authid where rolname = 'ddr_user'")).stdout.trim();
  const before = await verifier();
  await stack.engine("config", "set", "--secret", "drPassword", "Rebuilt_Ddr_2025");
  await stack.engine("config", "set", "allowRebuild", "true");
  let r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(r.out).toMatch(/allowRebuild: drUser\/drPassword differ from the ones the pair was built with/);
  expect(r.out).toMatch(/set the DR user ddr_user's password on og1 \.\.\. ok/);
  expect(await verifier()).not.toBe(before);
  expect(await stack.outputs()).toMatchObject({ paired: true, primary: "og1" });
  for (const h of og.lab.hosts) expect(og.lab.commandLog(h.name).map((e) => ("command" in e ? e.command : "")).join("\n")).not.toContain("Rebuilt_Ddr_2025");
  expect(fs.readFileSync(stack.stateFile(), "utf8")).not.toContain("Rebuilt_Ddr_2025");
  r = await stack.engine("up");
  expect(r.out).not.toMatch(/plan: phase/);
});

test("allowRebuild: a new DR user dissolves and rebuilds the pair, creating that user on the primary", async () => {
  await stack.engine("config", "set", "drUser", "ddr_user2");
  const r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(r.out).toMatch(/allowRebuild: drUser\/drPassword differ from the ones the pair was built with/);
  expect(r.out).toMatch(/create the DR user ddr_user2 on og1 \.\.\. ok/);
  expect((await sqlOn("host1", "select rolname || ':' || rolreplication from pg_roles where rolname = 'ddr_user2'")).stdout.trim()).toBe("ddr_user2:true");
  expect(await stack.outputs()).toMatchObject({ paired: true, primary: "og1" });
  expect((await stack.engine("up")).out).not.toMatch(/plan: phase/);
});

test("destroy dissolves the pair and both clusters accept writes", async () => {
  const r = await stack.engine("destroy");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(ddrCommands("host1").pop()?.command).toMatch(/gs_ddr -t stop --json/);
  expect(ddrCommands("host3").pop()?.command).toMatch(/gs_ddr -t failover/);
  expect((await sqlOn("host1", "insert into t values (10, 'og1')")).code).toBe(0);
  expect((await sqlOn("host3", "insert into t values (20, 'og2')")).code).toBe(0);
  expect(queryDict((await og.run("host3", "gs_ddr -t query")).stdout).ddr_cluster_stat).toBe("normal");
  expect(await rows("host3")).toEqual(["1:a", "2:b", "3:c", "4:d", "20:og2"]);
});
