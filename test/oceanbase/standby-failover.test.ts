/**
 * oceanbase.StandbyCluster failover through the local engine (examples/ob-standby-cluster): never
 * implicit (refused while the primary serves, refused with a wrong confirm, and role: "primary"
 * alone asks for it when the primary cannot be reached); after the primary's hosts go down
 * (lab fault `down`), `failover: {confirm}` promotes the standby with every applied row, the plan
 * saying the old primary must be rebuilt; the next up is quiet. With the primary down, a preview
 * of another standby's create still finishes (its check dials once, bounded), leaving the
 * comparison with the primary to the prechecks.
 */
import * as path from "node:path";
import { outcome, stackOn } from "../examples/helpers";
import { waitFor } from "./helpers";
import { observedInState, startStandbyLab, type StandbyLab } from "./standby-helpers";

jest.setTimeout(300_000);

let sb: StandbyLab;
beforeAll(async () => {
  sb = await startStandbyLab();
  const up = await sb.stack.engine("up");
  if (up.code !== 0) throw new Error(`the standby's up failed:\n${up.out.slice(-4000)}`);
}, 180_000);
afterAll(async () => sb?.stop());

const steps = (r: { out: string }) => r.out.split("\n").filter((l) => / \.\.\. (ok|FAILED)/.test(l) && /oceanbase:StandbyCluster\//.test(l));

test("failover is refused while the primary answers and serves: a switchover is the way, nothing runs", async () => {
  const r = await sb.stack.withEnv({ OB_STANDBY_ROLE: "primary", OB_FAILOVER_CONFIRM: "obcluster" }).engine("up");
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/the primary obcluster \d+ answers and serves: failover is for a lost primary; for a planned role change remove failover/);
  expect(steps(r)).toEqual([]);
});

test("after the primary's hosts go down: role primary alone and a wrong confirm are refused; the right confirm promotes the standby with its rows", async () => {
  expect(await sb.tenantSql("host1", "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, 'a'), (2, 'b')")).toMatchObject({ code: 0 });
  await waitFor("rows on the standby", async () => {
    const r = await sb.tenantSql("host4", "SELECT id FROM t", { weak: true });
    return r.code === 0 && r.stdout.trim().split("\n").length === 2 ? true : undefined;
  });
  for (const h of ["host1", "host2", "host3"]) await sb.ob.lab.fault(h, "down");

  const alone = await sb.stack.withEnv({ OB_STANDBY_ROLE: "primary" }).engine("up");
  expect(alone.code).not.toBe(0);
  expect(alone.out).toMatch(/role: \\"primary\\" needs a switchover, and the primary at .* cannot be reached .*declare failover: \{ confirm: \\"obcluster\\" \} \(never implicit\)/);
  const wrong = await sb.stack.withEnv({ OB_STANDBY_ROLE: "primary", OB_FAILOVER_CONFIRM: "obclustr" }).engine("up");
  expect(wrong.out).toMatch(/failover\.confirm is \\"obclustr\\", not the primary being given up \(obcluster\): failover is never implicit/);
  expect(steps(alone).concat(steps(wrong))).toEqual([]);

  const failover = await sb.stack.withEnv({ OB_STANDBY_ROLE: "primary", OB_FAILOVER_CONFIRM: "obcluster" }).engine("up");
  expect(outcome(failover)).toEqual({ code: 0, tail: "" });
  expect(steps(failover)).toEqual([expect.stringMatching(/ sql ALTER SYSTEM ACTIVATE PHYSICAL STANDBY CLUSTER \(the old primary obcluster is given up: it must be rebuilt as a new standby\) \.\.\. ok/)]);
  expect(observedInState(sb.stack)).toMatchObject({ role: "PRIMARY", status: "VALID", primary: { unreachable: expect.any(String) } });
  expect(await sb.tenantRows("host5", "SELECT id, v FROM t ORDER BY id")).toEqual([["1", "a"], ["2", "b"]]);
  expect(await sb.tenantSql("host6", "INSERT INTO t VALUES (3, 'c')")).toMatchObject({ code: 0 });

  // A new standby's check cannot read the lost primary: even with unlimited dial retries declared
  // (the up's to use), the preview ends and says the prechecks compare.
  const other = stackOn(sb.ob.lab, path.join(__dirname, "programs", "standby"), "check-down-state");
  const zones = [4, 5, 6].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [`host${i}`] }));
  const preview = await other.withEnv({ STANDBY_ARGS: JSON.stringify({ zones, clusterId: 3, primaryConnection: { dialErrorLimit: -1 } }) }).engine("preview");
  expect(preview.out).toMatch(/check: the primary at [\d.]+:\d+ cannot be read \(.*\): version, clusterId and clusterName are compared with it by the precheck, before any step/);

  const quiet = await sb.stack.withEnv({ OB_STANDBY_ROLE: "primary", OB_FAILOVER_CONFIRM: "obcluster" }).engine("up");
  expect(outcome(quiet)).toEqual({ code: 0, tail: "" });
  expect(steps(quiet)).toEqual([]);
});
