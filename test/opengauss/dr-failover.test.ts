/**
 * The DR resource when things go wrong, through the local engine on examples/og-dr-stream: a
 * precondition refused before anything runs, an up interrupted mid-start (gs_ddr failing on one
 * side) finished by the next, and an explicit failover after the primary cluster's hosts go down.
 */
import * as fs from "node:fs";
import { outcome, type Stack } from "../examples/helpers";
import { dnRoles, sqlOn as sqlOnHost, startOgStack, type OgLab } from "./fixtures";

jest.setTimeout(170_000);

let og: OgLab;
let stack: Stack;

beforeAll(async () => {
  ({ og, stack } = await startOgStack("og-dr-stream", { timeoutSeconds: "15" }));
}, 170_000);
afterAll(async () => og?.stop());

const sqlOn = (host: string, statement: string) => sqlOnHost(og, host, statement);
const ddrRuns = () => og.lab.hosts.flatMap((h) => og.lab.commandLog(h.name).filter((e) => "command" in e && /gs_ddr -t (start|switchover|stop|failover)/.test(e.command)));
const diag = (r: { events: Record<string, any>[] }) => r.events.filter((e) => e.diag).map((e) => e.diag.message).join("\n");

test("preconditions are refused before any step, all at once, each naming the cluster and what to check; nothing enters state", async () => {
  await og.lab.fault("host4", "kill", "dn_6002"); // og2 Degraded
  await og.lab.fault("host1", "fail", "cm_ctl"); // og1's CM does not answer
  await og.run("host3", "mkdir -p \"$PGHOST/binary_upgrade\" && printf '%s\\n' 'step,upgrade_node' '3,1' > \"$PGHOST/binary_upgrade/upgrade_step.csv\""); // og2 upgrading (gs_upgradectl's gray-upgrade step file)
  const r = await stack.engine("up");
  expect(r.code).not.toBe(0);
  const text = diag(r);
  expect(text).toMatch(/cannot build the DR pair:\n/);
  expect(text).toMatch(/- cluster og1 \(127\.\S+\): cm_ctl does not answer: gs_ddr needs a cluster with CM/);
  expect(text).toMatch(/- cluster og2 \(127\.\S+\): cluster_state is Degraded, gs_ddr start needs Normal: check cm_ctl query -Cvidp/);
  expect(text).toMatch(/- cluster og2 \(127\.\S+\): an upgrade is in progress \(\$PGHOST\/binary_upgrade is not empty\): finish it first/);
  await og.run("host3", "rm -rf \"$PGHOST/binary_upgrade\"");
  expect(ddrRuns()).toEqual([]);
  expect(fs.existsSync(stack.stateFile()) ? fs.readFileSync(stack.stateFile(), "utf8") : "").not.toMatch(/DisasterRecovery/);
  expect((await og.run("host3", "cm_ctl start")).code).toBe(0);
});

test("an up interrupted mid-start (gs_ddr fails on the primary's side) fails, and the next up resumes and finishes", async () => {
  await sqlOn("host1", "create table t(id int primary key, v text); insert into t values (1, 'a')");
  await og.lab.fault("host1", "fail", "gs_ddr");
  let r = await stack.engine("up");
  expect(r.code).not.toBe(0);
  expect(diag(r)).toMatch(/host1|127\.\S+: gs_ddr failed/);
  expect((await og.run("host1", "ls -A \"$PGHOST/ddr_cabin\"")).stdout).toMatch(/\.ddr_start_primary\.step/);

  // A refresh reads the half-done start (gs_ddr's step file) and says the next up resumes it; it runs nothing.
  const before = ddrRuns().length;
  r = await stack.engine("refresh");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/drift: the next up would run:[\s\S]*gs_ddr start -m primary on og1[\s\S]*resume the unfinished start/);
  expect(r.out).not.toMatch(/will be fully rebuilt/);
  // What the refresh read is the resource's outputs in state now (the stack outputs stay the last up's).
  const dr = JSON.parse(fs.readFileSync(stack.stateFile(), "utf8")).resources.find((x: { type: string }) => /DisasterRecovery$/.test(x.type));
  expect(dr.outputs.observed.sides.og1.stepFiles).toEqual([".ddr_start_primary.step"]);
  expect(ddrRuns().length).toBe(before);

  await stack.engine("config", "set", "timeoutSeconds", "120");
  r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(r.out).toMatch(/resume the unfinished start/);
  expect(r.out).not.toMatch(/will be fully rebuilt/);
  const o = await stack.outputs();
  expect([o.paired, o.sides.og1.stepFiles, o.sides.og2.stepFiles]).toEqual([true, [], []]);
  expect(dnRoles((await og.run("host3", "cm_ctl query -Cvidp")).stdout)).toEqual({ host3: "Main Standby", host4: "Standby" });
});

test("the primary's hosts go down: refresh shows it and names failover; with failover confirmed the standby serves writes, and says the pair must be rebuilt", async () => {
  await sqlOn("host1", "insert into t values (2, 'b')");
  const replicated = async () => (await sqlOn("host3", "select count(*) from t")).stdout.trim();
  for (let i = 0; i < 60 && (await replicated()) !== "2"; i++) await new Promise((res) => setTimeout(res, 300));
  await og.lab.fault("host1", "down");
  await og.lab.fault("host2", "down");
  // A refresh sees the loss and says what the next up would need; it does not act.
  let r = await stack.engine("refresh");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/cannot reach og1 .*failover: \{ confirm: \\?"og2\\?" \}/);

  await stack.engine("config", "set", "failover", "og2");
  r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  const o = await stack.outputs();
  expect(o.paired).toBe(false);
  expect(o.note).toMatch(/og2 was promoted by failover: the DR pair is gone and must be rebuilt/);
  expect(dnRoles((await og.run("host3", "cm_ctl query -Cvidp")).stdout)).toEqual({ host3: "Primary", host4: "Standby" });
  expect((await sqlOn("host3", "insert into t values (3, 'c')")).code).toBe(0);
  expect((await sqlOn("host3", "select string_agg(v, ',' order by id) from t")).stdout.trim()).toBe("a,b,c");

  r = await stack.engine("up");
  expect(r.code).toBe(0);
  expect(r.out).not.toMatch(/plan: phase/);
});
