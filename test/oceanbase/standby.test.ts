/**
 * oceanbase.StandbyCluster (3.x) through the local engine, as a user runs
 * examples/ob-standby-cluster on the lab: the primary (hosts 1-3) made by the lab's CLI, the
 * standby's observers started by the product on bare hosts 4-6, bootstrap as standby,
 * registration, the full copy and redo apply (rows written on the primary read on the standby,
 * which refuses writes), a quiet second up, a killed observer seen by refresh and started by up,
 * switchover and back with no row lost, delete leaving the primary serving and the data in place.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { outcome } from "../examples/helpers";
import { expectStandbyDataKept, standbySteps as steps, waitFor } from "./helpers";
import { connectMarks, connectsSince, observedInState, startStandbyLab, type StandbyLab } from "./standby-helpers";

jest.setTimeout(300_000);

let sb: StandbyLab;
beforeAll(async () => {
  sb = await startStandbyLab();
}, 120_000);
afterAll(async () => sb?.stop());

const standbyStatus = () => sb.ob.rows("host1", "SELECT cluster_id, cluster_status FROM oceanbase.V$OB_STANDBY_STATUS");
const observed = async () => (await sb.stack.outputs()).standbyCluster;

test("up: observers started on the bare hosts, bootstrapped as standby, registered, VALID; one SSH connection per standby host", async () => {
  const marks = connectMarks(sb.ob.lab);
  const up = await sb.stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(await standbyStatus()).toEqual([["2", "VALID"]]);
  const o = await observed();
  expect(o).toMatchObject({ clusterName: "obcluster", clusterId: 2, role: "PHYSICAL STANDBY", status: "VALID", statusOnPrimary: "VALID", primary: { clusterId: sb.ob.cluster.clusterId, role: "PRIMARY" } });
  expect(o.servers).toEqual(sb.ob.lab.hosts.slice(3, 6).map((h, i) => ({ address: h.address, zone: `z${i + 1}`, status: "ACTIVE" })));
  expect(o.zones.map((z: { name: string; idc: string }) => [z.name, z.idc])).toEqual([["z1", "idc1"], ["z2", "idc2"], ["z3", "idc3"]]);
  // The order OceanBase asks for; steps on different hosts share a phase; each step once.
  const phases = up.out.split("\n").map((l) => /plan: phase \d+\/\d+: (.*?) \(/.exec(l)?.[1]).filter(Boolean);
  expect(phases).toEqual(["check the primary, start observers", "bootstrap the standby", "register on the primary, set the zones' IDC", "wait for the standby"]);
  const kinds = steps(up).map((l) => /(ADD CLUSTER VERIFY|start observer|BOOTSTRAP CLUSTER STANDBY|ADD CLUSTER obcluster|IDC|wait until standby)/.exec(l)?.[1]).sort();
  expect(kinds).toEqual(["ADD CLUSTER VERIFY", "ADD CLUSTER obcluster", "BOOTSTRAP CLUSTER STANDBY", "IDC", "start observer", "start observer", "start observer", "wait until standby"]);
  const c = connectsSince(sb.ob.lab, marks);
  for (const h of ["host4", "host5", "host6"]) expect(c[h]).toBe(1);
  for (const h of sb.ob.lab.hosts) for (const e of sb.ob.lab.commandLog(h.name)) expect(JSON.stringify(e)).not.toContain(sb.ob.password);
  // Secrets in state whatever the program passed: the password and the hosts' private keys.
  const state = fs.readFileSync(sb.stack.stateFile(), "utf8");
  expect(state).not.toContain(sb.ob.password);
  for (const h of sb.ob.lab.hosts) expect(state).not.toContain(fs.readFileSync(h.privateKeyPath, "utf8").split("\n")[1]);
});

test("rows written on the primary in t1 are read on the standby; the standby refuses writes and strong reads with 4688", async () => {
  const w = await sb.tenantSql("host1", "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  expect(w).toMatchObject({ code: 0, stderr: "" });
  expect(await waitFor("rows on the standby", async () => {
    const r = await sb.tenantSql("host4", "SELECT id, v FROM t ORDER BY id", { weak: true });
    return r.code === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : undefined;
  })).toBe("1\ta\n2\tb");
  const write = await sb.tenantSql("host5", "INSERT INTO t VALUES (3, 'c')");
  expect(write.code).not.toBe(0);
  expect(write.stderr).toMatch(/ERROR 4688 \(HY000\).*standby cluster support weak read only/);
  const strong = await sb.tenantSql("host6", "SELECT count(*) FROM t");
  expect(strong.stderr).toMatch(/ERROR 4688/);
});

test("a second up plans nothing and runs no step", async () => {
  const again = await sb.stack.engine("up");
  expect(outcome(again)).toEqual({ code: 0, tail: "" });
  expect(again.summary).toMatchObject({ same: 2 });
  expect(steps(again)).toEqual([]);
});

test("refresh shows a killed observer as drift; the next up starts it", async () => {
  await sb.ob.lab.fault("host5", "kill", "observer.obcluster");
  const refresh = await sb.stack.engine("refresh");
  expect(refresh.code).toBe(0);
  expect(refresh.out).toMatch(/drift: the next up would run:.*start observer 127\.0\.\d+\.5/s);
  expect(observedInState(sb.stack).servers.find((x: { zone: string }) => x.zone === "z2").status).toBe("INACTIVE");
  const up = await sb.stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(steps(up)).toEqual([expect.stringMatching(/ start start observer 127\.0\.\d+\.5 \(zone z2, cluster obcluster 2\) \.\.\. ok/)]);
  expect((await observed()).servers.map((x: { status: string }) => x.status)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE"]);
});

/** SELECTs of V$OB_CLUSTER the primary's OBServers answered so far (their observer.log). */
const clusterSelects = () => sb.ob.lab.hosts.slice(0, 3).map((h) => path.join(h.obHome, "obcluster", "log", "observer.log")).filter((f) => fs.existsSync(f)).reduce((n, f) => n + fs.readFileSync(f, "utf8").split("\n").filter((l) => / SELECT oceanbase\.V\$OB_CLUSTER$/.test(l)).length, 0);

test("role primary: a planned switchover, roles read back; a row written on the new primary reaches the old one; and back, no row lost", async () => {
  // Synchronization off and a row written: the primary may not switch until the DBA turns it on
  // again, which happens only once the wait has polled several times; meanwhile it reports progress.
  const ref = `obcluster CLUSTER_ID = 2`;
  expect(await sb.ob.sql("host1", `ALTER SYSTEM DISABLE CLUSTER SYNCHRONIZATION ${ref}`)).toMatchObject({ code: 0, stderr: "" });
  expect(await sb.tenantSql("host1", "CREATE TABLE sync_probe (id INT PRIMARY KEY); INSERT INTO sync_probe VALUES (1)")).toMatchObject({ code: 0 });
  const before = clusterSelects();
  const running = sb.stack.withEnv({ OB_STANDBY_ROLE: "primary" }).engine("up");
  await waitFor("the demote wait polling", async () => (clusterSelects() >= before + 12 ? true : undefined), 120_000);
  expect(await sb.ob.sql("host1", `ALTER SYSTEM ENABLE CLUSTER SYNCHRONIZATION ${ref}`)).toMatchObject({ code: 0, stderr: "" });
  const up = await running;
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  // Lines as the engine got them, in order; the progress line came while the wait ran, at info
  // level (what pulumi up shows without --debug).
  const logged = up.events.filter((e) => e.log).map((e) => e.log as { severity: string; message: string });
  const waitLine = /wait wait until the primary \d+ may switch to standby \(every standby VALID and synced\) \.\.\. /;
  const progress = logged.findIndex((l) => waitLine.test(l.message) && /\.\.\. running [\d.]+m?s: switchover_status is 'NOT ALLOWED', want 'TO STANDBY' \(at most \d+s\)$/.test(l.message));
  expect(progress).toBeGreaterThanOrEqual(0);
  expect(logged[progress].severity).toBe("info");
  expect(progress).toBeLessThan(logged.findIndex((l) => waitLine.test(l.message) && / \.\.\. ok \d+ms$/.test(l.message)));
  expect(steps(up).map((l) => /COMMIT TO SWITCHOVER TO (PHYSICAL STANDBY|PRIMARY)/.exec(l)?.[1]).filter(Boolean)).toEqual(["PHYSICAL STANDBY", "PRIMARY"]);
  expect(await observed()).toMatchObject({ role: "PRIMARY", primary: { role: "PHYSICAL STANDBY" } });
  expect(await sb.ob.rows("host1", "SELECT cluster_role FROM oceanbase.V$OB_CLUSTER")).toEqual([["PHYSICAL STANDBY"]]);
  expect(await sb.tenantSql("host4", "INSERT INTO t VALUES (3, 'c')")).toMatchObject({ code: 0 });
  expect(await waitFor("row 3 on the old primary", async () => {
    const r = await sb.tenantRows("host1", "SELECT id FROM t ORDER BY id");
    return r.length === 3 ? r : undefined;
  })).toEqual([["1"], ["2"], ["3"]]);
  const quiet = await sb.stack.withEnv({ OB_STANDBY_ROLE: "primary" }).engine("up");
  expect(steps(quiet)).toEqual([]);

  const back = await sb.stack.engine("up");
  expect(outcome(back)).toEqual({ code: 0, tail: "" });
  expect(await observed()).toMatchObject({ role: "PHYSICAL STANDBY", primary: { role: "PRIMARY" } });
  expect(await sb.tenantSql("host1", "INSERT INTO t VALUES (4, 'd')")).toMatchObject({ code: 0 });
  expect(await waitFor("row 4 on the standby", async () => {
    const r = await sb.tenantRows("host6", "SELECT id, v FROM t ORDER BY id");
    return r.length === 4 ? r : undefined;
  })).toEqual([["1", "a"], ["2", "b"], ["3", "c"], ["4", "d"]]);
});

test("delete: removed from the primary's registry, observers stopped, data directories kept; the primary keeps serving", async () => {
  const destroy = await sb.stack.engine("destroy");
  expect(outcome(destroy)).toEqual({ code: 0, tail: "" });
  expect(await standbyStatus()).toEqual([]);
  expect(await sb.tenantSql("host2", "INSERT INTO t VALUES (5, 'e')")).toMatchObject({ code: 0 });
  await expectStandbyDataKept(sb.ob.lab.hosts.slice(3, 6), sb.stack);
});
