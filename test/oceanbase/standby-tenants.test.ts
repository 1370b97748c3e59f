/**
 * oceanbase.StandbyCluster on 4.x through the local engine, as a user runs
 * examples/ob-standby-tenants on the lab: the primary (hosts 1-3, tenant t1, made by the lab's
 * CLI) and bare hosts 4-7 with the 4.x build; up starts and bootstraps the standby cluster on
 * hosts 4-6 and makes its t1 a standby tenant of the primary's t1, rows written on the primary
 * reach it, a second up is quiet, a killed observer is drift that the next up starts, a standby
 * host down is shown by refresh (the read goes on) and refused by up after what it can do (the
 * other killed observer started), then repaired once back, a fourth
 * host joins zone z3 by editing (and leaves again), emptying z3 (which holds units) is refused before
 * any step,
 * role primary switches over (and back) with the roles read back and no row lost, a source
 * cleared by hand shows in refresh and the next up repairs it, delete stops the standby
 * following and its observers with the data kept while the primary keeps serving.
 */
import * as fs from "node:fs";
import { outcome } from "../examples/helpers";
import { expectStandbyDataKept, standbySteps as steps, waitFor } from "./helpers";
import { connectMarks, connectsSince, observedInState } from "./standby-helpers";
import { tenantPairPerFile, type PairSide } from "./tenant-pair";

jest.setTimeout(300_000);

const pair = tenantPairPerFile({ hosts: 7 });

const sqlAt = (side: PairSide, sql: string, tenant = "sys") => pair.sql(side, sql, { tenant });
const role = async (side: PairSide) => (await sqlAt(side, "SELECT tenant_role FROM oceanbase.DBA_OB_TENANTS WHERE tenant_name = 't1'")).out;
const ids = (side: PairSide) => pair.ids(side);
const observed = async () => (await pair.stack.outputs()).standbyTenants;

test("up: the standby cluster is started and bootstrapped on hosts 4-6, then t1 there becomes a standby tenant of the primary's t1, in sync; no password in state or on a command line", async () => {
  expect(await sqlAt("primary", "CREATE TABLE x (id INT PRIMARY KEY); INSERT INTO x VALUES (1)", "t1")).toMatchObject({ code: 0 });
  const marks = connectMarks(pair.ob.lab);
  const up = await pair.stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  // One SSH connection per host: the primary's SQL host and each standby host; the others untouched.
  expect(connectsSince(pair.ob.lab, marks)).toEqual({ host1: 1, host2: 0, host3: 0, host4: 1, host5: 1, host6: 1, host7: 0 });
  const phases = up.out.split("\n").map((l) => /plan: phase \d+\/\d+: (.*?) \(/.exec(l)?.[1]).filter(Boolean);
  expect(phases).toEqual(["start observers", "bootstrap the standby cluster", "create standby tenants", "wait for the standby tenants"]);
  expect(steps(up).filter((l) => / start observer /.test(l))).toHaveLength(3);
  expect(steps(up).join("\n")).toMatch(/BOOTSTRAP \(zone z1 127\.0\.\d+\.4:2882, zone z2 127\.0\.\d+\.5:2882, zone z3 127\.0\.\d+\.6:2882\)/);
  expect(steps(up).join("\n")).toMatch(/CREATE STANDBY TENANT t1 \(log restore source SERVICE=127\.0\.\d+\.1:2881;127\.0\.\d+\.2:2881;127\.0\.\d+\.3:2881 USER=root@t1\)/);
  expect(await role("standby")).toBe("STANDBY");
  expect(await observed()).toMatchObject({
    clusterName: "obcluster",
    role: "STANDBY",
    tenants: [{ name: "t1", role: "STANDBY", syncStatus: "NORMAL" }],
    standbyCluster: { version: "4.2.1.0", servers: [{ zone: "z1", status: "ACTIVE" }, { zone: "z2", status: "ACTIVE" }, { zone: "z3", status: "ACTIVE" }], zones: [{ name: "z1", idc: "idc1" }, { name: "z2", idc: "idc2" }, { name: "z3", idc: "idc3" }] },
  });
  // The lag: the primary tenant's SYNC_SCN (read after the standby's) minus the standby tenant's: the standby trails.
  const lag = (await observed()).lagSeconds;
  expect(lag).toBeGreaterThan(0);
  expect(lag).toBeLessThan(10);
  expect(await waitFor("row 1 on the standby tenant", async () => ((await ids("standby")) === "1" ? true : undefined))).toBe(true);
  const state = fs.readFileSync(pair.stack.stateFile(), "utf8");
  for (const pw of [pair.ob.password, pair.standbyPassword]) {
    expect(state).not.toContain(pw);
    // Our own log lines (the engine's --verbose RPC dump of the program's inputs is Pulumi's, not ours).
    for (const l of up.out.split("\n").filter((x) => x.includes("[dbcluster]"))) expect(l).not.toContain(pw);
    for (const h of pair.ob.lab.hosts) for (const e of pair.ob.lab.commandLog(h.name)) expect(JSON.stringify(e)).not.toContain(pw);
  }
});

test("rows written on the primary reach the standby tenant, which refuses writes; a second up runs no step", async () => {
  expect(await sqlAt("primary", "INSERT INTO x VALUES (2)", "t1")).toMatchObject({ code: 0 });
  await waitFor("row 2 on the standby tenant", async () => ((await ids("standby")) === "1,2" ? true : undefined));
  expect((await sqlAt("standby", "INSERT INTO x VALUES (9)", "t1")).err).toMatch(/ERROR 6312 \(HY000\).*standby tenant is read only/);
  const again = await pair.stack.engine("up");
  expect(outcome(again)).toEqual({ code: 0, tail: "" });
  expect(steps(again)).toEqual([]);
});

test("refresh shows a killed observer of the standby cluster as drift (INACTIVE); the next up starts it", async () => {
  await pair.ob.lab.fault("host5", "kill", "observer.obcluster");
  const refresh = await pair.stack.engine("refresh");
  expect(refresh.code).toBe(0);
  expect(refresh.out).toMatch(/drift: the next up would run:.*start observer 127\.0\.\d+\.5/s);
  expect(observedInState(pair.stack).standbyCluster.servers.find((x: { zone: string }) => x.zone === "z2").status).toBe("INACTIVE");
  const up = await pair.stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(steps(up)).toEqual([expect.stringMatching(/ start start observer 127\.0\.\d+\.5 \(zone z2, cluster obcluster 2\) \.\.\. ok/)]);
  expect((await observed()).standbyCluster.servers.map((x: { status: string }) => x.status)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE"]);
});

test("a standby host down: refresh succeeds and shows it unreachable; up starts the other killed observer, then refuses naming the host and what to do; the host back, up starts its observer, a second up is quiet", async () => {
  const [h5, h6] = ["host5", "host6"].map((h) => pair.ob.lab.host(h).address);
  await pair.ob.lab.fault("host6", "kill", "observer.obcluster");
  await pair.ob.lab.fault("host5", "down");
  const refresh = await pair.stack.engine("refresh");
  expect(refresh.code).toBe(0);
  expect(refresh.out).toContain(`${h5} cannot be reached over SSH (connect ECONNREFUSED`);
  expect(refresh.out).toMatch(new RegExp(`drift: the next up would run:.*start observer ${h6.replace(/\./g, "\\.")}`, "s"));
  const seen = observedInState(pair.stack);
  expect(seen.hostsUnreachable).toEqual([{ address: h5, reason: expect.stringMatching(/^connect ECONNREFUSED .* \(\d+ attempts?\)$/) }]);
  expect(seen.standbyCluster.servers.map((x: { status: string }) => x.status)).toEqual(["ACTIVE", "INACTIVE", "INACTIVE"]);

  const blocked = await pair.stack.engine("up");
  expect(blocked.code).not.toBe(0);
  expect(steps(blocked)).toEqual([expect.stringMatching(new RegExp(` start start observer ${h6.replace(/\./g, "\\.")} .* \\.\\.\\. ok`))]);
  expect(blocked.out).toMatch(new RegExp(`${h5.replace(/\./g, "\\.")} cannot be reached over SSH \\(connect ECONNREFUSED [^)]*\\(\\d+ attempts\\)\\): the next step needs it \\(${h5.replace(/\./g, "\\.")}: start observer ${h5.replace(/\./g, "\\.")} .*\\)\\. Bring it back and run up again`));

  await pair.ob.lab.fault("host5", "up");
  const back = await pair.stack.engine("up");
  expect(outcome(back)).toEqual({ code: 0, tail: "" });
  expect(steps(back)).toEqual([expect.stringMatching(new RegExp(` start start observer ${h5.replace(/\./g, "\\.")} \\(zone z2, cluster obcluster 2\\) \\.\\.\\. ok`))]);
  expect((await observed()).standbyCluster.servers.map((x: { status: string }) => x.status)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE"]);
  expect((await observed()).hostsUnreachable).toEqual([]);
  expect(steps(await pair.stack.engine("up"))).toEqual([]);
  await waitFor("t1 still in sync", async () => ((await ids("standby")) === "1,2" ? true : undefined));
});

test("scale by editing: a fourth host joins zone z3 (started, ADD SERVER), a second up is quiet; removed again (DELETE SERVER, a wait until it left DBA_OB_SERVERS, its observer stopped, its data kept even with deleteData)", async () => {
  const four = pair.stack.withEnv({ OB_STANDBY_HOSTS: "4" });
  const out = await four.engine("up");
  expect(outcome(out)).toEqual({ code: 0, tail: "" });
  expect(steps(out).map((l) => /(start observer [\d.]+|ADD SERVER [\d.:]+ ZONE \w+)/.exec(l)?.[1])).toEqual([`start observer ${pair.ob.lab.host("host7").address}`, `ADD SERVER ${pair.ob.lab.host("host7").address}:2882 ZONE z3`]);
  expect((await observed()).standbyCluster.servers).toHaveLength(4);
  expect(steps(await four.engine("up"))).toEqual([]);

  // deleteData is the resource delete's: a server leaving keeps its data all the same.
  const back = await pair.stack.withEnv({ OB_DELETE_DATA: "true" }).engine("up");
  expect(outcome(back)).toEqual({ code: 0, tail: "" });
  expect(steps(back).map((l) => /(DELETE SERVER '[\d.:]+' ZONE 'z3'|wait until [\d.]+ is gone from DBA_OB_SERVERS|stop observer [\d.]+ \(data kept)/.exec(l)?.[1])).toEqual([`DELETE SERVER '${pair.ob.lab.host("host7").address}:2882' ZONE 'z3'`, `wait until ${pair.ob.lab.host("host7").address} is gone from DBA_OB_SERVERS`, `stop observer ${pair.ob.lab.host("host7").address} (data kept`]);
  expect((await observed()).standbyCluster.servers).toHaveLength(3);
  const h7 = pair.ob.lab.host("host7");
  expect(fs.readdirSync(`${h7.dataRoot}/obstandby/store`).sort()).toEqual(["clog", "slog", "sstable"]);
  expect(fs.existsSync(`${h7.obHome}/run/observer.pid`)).toBe(false);
  expect(await waitFor("t1 still in sync", async () => ((await ids("standby")) === "1,2" ? true : undefined))).toBe(true);

  // Two hosts leave z3 empty, and z3's host6 holds sys's and t1's units: refused before any step,
  // as OceanBase refuses the DELETE SERVER itself (4734, which the lab returns too).
  const emptyZ3 = await pair.stack.withEnv({ OB_STANDBY_HOSTS: "2" }).engine("up");
  expect(emptyZ3.code).not.toBe(0);
  expect(emptyZ3.out).toMatch(/zone z3 holds tenants' resource units, and OceanBase moves a unit only to another server of its zone: .*first leave z3 out of the locality and the resource pools' ZONE_LIST of sys, t1 \(their units in z3, DBA_OB_UNITS\).*or keep a server in z3\. Nothing was changed/);
  expect(steps(emptyZ3)).toEqual([]);
  const h6 = pair.ob.lab.host("host6").address;
  expect((await sqlAt("standby", `ALTER SYSTEM DELETE SERVER '${h6}:2882' ZONE 'z3'`)).err).toMatch(/ERROR 4734 \(HY000\).*can not migrate out unit '\d+', no other available servers on zone 'z3', delete server not allowed/);
  expect(await sqlAt("standby", `SELECT status FROM oceanbase.DBA_OB_SERVERS WHERE svr_ip = '${h6}'`)).toMatchObject({ out: "ACTIVE" });
});

test("role primary: demote the primary's t1, promote the standby's, point the old primary at it; a row reaches the old primary; and back, no row lost", async () => {
  const up = await pair.stack.withEnv({ OB_STANDBY_ROLE: "primary" }).engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(steps(up).map((l) => /(wait until|SWITCHOVER TO STANDBY|SWITCHOVER TO PRIMARY|SET LOG_RESTORE_SOURCE)/.exec(l)?.[1])).toEqual(["wait until", "SWITCHOVER TO STANDBY", "SWITCHOVER TO PRIMARY", "SET LOG_RESTORE_SOURCE"]);
  expect([await role("primary"), await role("standby")]).toEqual(["STANDBY", "PRIMARY"]);
  expect(await observed()).toMatchObject({ role: "PRIMARY", primary: { tenants: [{ name: "t1", role: "STANDBY" }] } });
  expect(await sqlAt("standby", "INSERT INTO x VALUES (3)", "t1")).toMatchObject({ code: 0 });
  await waitFor("row 3 on the old primary", async () => ((await ids("primary")) === "1,2,3" ? true : undefined));
  const quiet = await pair.stack.withEnv({ OB_STANDBY_ROLE: "primary" }).engine("up");
  expect(steps(quiet)).toEqual([]);

  const back = await pair.stack.engine("up");
  expect(outcome(back)).toEqual({ code: 0, tail: "" });
  expect([await role("primary"), await role("standby")]).toEqual(["PRIMARY", "STANDBY"]);
  expect(await sqlAt("primary", "INSERT INTO x VALUES (4)", "t1")).toMatchObject({ code: 0 });
  await waitFor("row 4 on the standby tenant", async () => ((await ids("standby")) === "1,2,3,4" ? true : undefined));
  expect(steps(await pair.stack.engine("up"))).toEqual([]);
});

test("a log restore source cleared by hand: refresh shows it (NOT AVAILABLE) and what up would run; the next up points the tenant at the primary again", async () => {
  expect(await sqlAt("standby", "ALTER SYSTEM SET LOG_RESTORE_SOURCE = '' TENANT = t1")).toMatchObject({ code: 0 });
  const refresh = await pair.stack.engine("refresh");
  expect(refresh.code).toBe(0);
  expect(refresh.out).toMatch(/drift: the next up would run:.*SET LOG_RESTORE_SOURCE TENANT = t1 \(SERVICE=[\d.:;]+ USER=root@t1\)/s);
  expect(observedInState(pair.stack).tenants).toEqual([{ name: "t1", role: "STANDBY", switchoverStatus: "NORMAL", syncStatus: "NOT AVAILABLE", logRestoreSource: null }]);
  const up = await pair.stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(steps(up)).toEqual([expect.stringMatching(/ sql SET LOG_RESTORE_SOURCE TENANT = t1 .* \.\.\. ok/)]);
  expect(await sqlAt("primary", "INSERT INTO x VALUES (5)", "t1")).toMatchObject({ code: 0 });
  await waitFor("row 5 on the standby tenant", async () => ((await ids("standby")) === "1,2,3,4,5" ? true : undefined));
});

test("delete: the standby tenant stops following (its source cleared), the observers stop, the data directories stay; the primary keeps serving", async () => {
  const destroy = await pair.stack.engine("destroy");
  expect(outcome(destroy)).toEqual({ code: 0, tail: "" });
  expect(steps(destroy).map((l) => /(SET LOG_RESTORE_SOURCE = '' TENANT = t1|stop observer [\d.]+)/.exec(l)?.[1]).sort()).toEqual(["SET LOG_RESTORE_SOURCE = '' TENANT = t1", ...["host4", "host5", "host6"].map((h) => `stop observer ${pair.ob.lab.host(h).address}`)].sort());
  expect(await sqlAt("primary", "INSERT INTO x VALUES (6)", "t1")).toMatchObject({ code: 0 });
  expect(await role("primary")).toBe("PRIMARY");
  await expectStandbyDataKept(pair.ob.lab.hosts.slice(3, 6), pair.stack);
});
