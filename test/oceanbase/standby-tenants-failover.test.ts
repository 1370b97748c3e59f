/**
 * oceanbase.StandbyCluster on 4.x through the local engine (examples/ob-standby-tenants): a create
 * interrupted at the bootstrap is finished by the next up; then failover,
 * never implicit (refused while the primary answers, refused with a wrong confirm, and role:
 * "primary" alone asks for it when the primary cannot be reached); after the primary's hosts go
 * down (lab fault `down`), `failover: {confirm}` activates the standby tenants with every row
 * they applied, first and alone: a member lost with the primary (its observer stopped, its build
 * gone) blocks nothing and is reported; once repaired it is drift that refresh shows and up starts
 * again, promoting nothing; the next up is quiet.
 */
import * as fs from "node:fs";
import { outcome } from "../examples/helpers";
import { waitFor } from "./helpers";
import { observedInState } from "./standby-helpers";
import { startTenantPair, type TenantPair } from "./tenant-pair";

jest.setTimeout(300_000);

let pair: TenantPair;
beforeAll(async () => {
  pair = await startTenantPair();
}, 180_000);
afterAll(async () => pair?.ob.stop());

const steps = (r: { out: string }) => r.out.split("\n").filter((l) => / \.\.\. (ok|FAILED)/.test(l) && /oceanbase:StandbyCluster\//.test(l));

test("a create interrupted at the bootstrap (obclient fails on the first RootServer's host) is finished by the next up, observers not started twice", async () => {
  await pair.ob.lab.fault("host4", "fail", "obclient", 1);
  const first = await pair.stack.engine("up");
  expect(first.code).not.toBe(0);
  expect(steps(first).find((l) => /FAILED/.test(l))).toMatch(/ sql BOOTSTRAP \(zone z1 /);
  const starts = () => ["host4", "host5", "host6"].flatMap((h) => pair.ob.lab.commandLog(h)).filter((e) => "command" in e && /\.\/bin\/observer -z/.test(String(e.command))).length;
  expect(starts()).toBe(3);
  const second = await pair.stack.engine("up");
  expect(outcome(second)).toEqual({ code: 0, tail: "" });
  expect(starts()).toBe(3);
  expect(steps(second).map((l) => /(BOOTSTRAP|CREATE STANDBY TENANT|wait until)/.exec(l)?.[1])).toEqual(["BOOTSTRAP", "CREATE STANDBY TENANT", "wait until"]);
  expect((await pair.stack.outputs()).standbyTenants).toMatchObject({ role: "STANDBY", tenants: [{ name: "t1", role: "STANDBY" }] });
});
const primaryRef = () => `${pair.ob.cluster.servers[0].address}:${pair.ob.cluster.servers[0].sqlPort}`;
/** What failover.confirm names: the primary's cluster name. */
const primaryName = () => pair.ob.cluster.name;

test("failover is refused while the primary answers: a switchover is the way, nothing runs", async () => {
  const r = await pair.stack.withEnv({ OB_STANDBY_ROLE: "primary", OB_FAILOVER_CONFIRM: primaryName() }).engine("up");
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/the primary obcluster at [\d.]+:2881 answers: failover is for a lost primary; for a planned role change remove failover/);
  expect(steps(r)).toEqual([]);
});

test("after the primary's hosts go down: role primary alone and a wrong confirm are refused; the right confirm activates the standby tenant with its rows, a member damaged too (observer stopped, its build gone) in no way blocking it; once repaired, refresh shows it stopped and up starts it, promoting nothing", async () => {
  expect(await pair.sql("primary", "CREATE TABLE x (id INT PRIMARY KEY); INSERT INTO x VALUES (1), (2)", { tenant: "t1" })).toMatchObject({ code: 0 });
  await waitFor("rows on the standby tenant", async () => ((await pair.ids("standby")) === "1,2" ? true : undefined));
  for (const h of ["host1", "host2", "host3"]) await pair.ob.lab.fault(h, "down");
  // The standby's first zone's RootServer is lost too, its observer stopped and its build gone: the failover runs through another member.
  const host4 = pair.ob.lab.host("host4");
  const binary = `${host4.obHome}/bin/observer`;
  await pair.ob.lab.fault("host4", "kill", "observer.obcluster");
  expect(await pair.ob.lab.exec("host4", `mv ${binary} ${binary}.aside`)).toMatchObject({ code: 0 });

  const alone = await pair.stack.withEnv({ OB_STANDBY_ROLE: "primary" }).engine("up");
  expect(alone.code).not.toBe(0);
  expect(alone.out).toMatch(/cannot reach the primary at [\d.]+:2881: .*declare failover: \{ confirm: \\"obcluster\\" \} \(never implicit\)/);
  // The primary's endpoint is no name: refused as any other wrong confirm.
  const wrong = await pair.stack.withEnv({ OB_STANDBY_ROLE: "primary", OB_FAILOVER_CONFIRM: primaryRef() }).engine("up");
  expect(wrong.out).toMatch(/failover\.confirm is \\"[\d.]+:2881\\", not the primary being given up \(obcluster, its cluster name\): failover is never implicit/);
  expect(steps(alone).concat(steps(wrong))).toEqual([]);

  // The ACTIVATE runs first and alone, on host5; host4 cannot be started, which the up warns about and succeeds.
  const failedOver = pair.stack.withEnv({ OB_STANDBY_ROLE: "primary", OB_FAILOVER_CONFIRM: primaryName() });
  const failover = await failedOver.engine("up");
  expect(outcome(failover)).toEqual({ code: 0, tail: "" });
  const host5 = pair.ob.lab.host("host5").address;
  expect(steps(failover)).toEqual([expect.stringMatching(/ sql ALTER SYSTEM ACTIVATE STANDBY TENANT = t1 \(the primary obcluster is given up: its tenants must be rebuilt as standby tenants of these\) \.\.\. ok/)]);
  expect(steps(failover)[0]).toContain(`${host5} sql ALTER SYSTEM ACTIVATE`);
  const warnings = failover.out.split("\n").filter((l) => l.includes('"severity":"warning"'));
  expect(warnings).toEqual([expect.stringContaining(`failover: the observer on ${host4.address} is left stopped (it cannot be started here): ${host4.address}: ${binary} is missing, not 4.2.1`)]);
  expect((await pair.stack.outputs()).standbyTenants).toMatchObject({ role: "PRIMARY", primary: { unreachable: expect.any(String) } });
  expect((await pair.sql("standby", "SELECT tenant_role FROM oceanbase.DBA_OB_TENANTS WHERE tenant_name = 't1'", { host: "host5" })).out).toBe("PRIMARY");
  expect(await pair.ids("standby", "host5")).toBe("1,2");
  expect(await pair.sql("standby", "INSERT INTO x VALUES (3)", { tenant: "t1", host: "host5" })).toMatchObject({ code: 0 });

  // Its build back, host4's stopped observer is drift as in standby mode: refresh shows it, up
  // starts it again and promotes or demotes nothing, the next up is quiet.
  expect(await pair.ob.lab.exec("host4", `mv ${binary}.aside ${binary}`)).toMatchObject({ code: 0 });
  const refresh = await failedOver.engine("refresh");
  expect(refresh.code).toBe(0);
  expect(refresh.out).toMatch(/drift: the next up would run:/);
  expect(refresh.out).toContain(`start observer ${host4.address}`);
  expect(refresh.out).not.toMatch(/left stopped/);
  expect(observedInState(pair.stack).standbyCluster.servers.find((x: { zone: string }) => x.zone === "z1").status).toBe("INACTIVE");
  const restart = await failedOver.engine("up");
  expect(outcome(restart)).toEqual({ code: 0, tail: "" });
  expect(steps(restart)).toEqual([expect.stringContaining(` start start observer ${host4.address} (zone z1, cluster obcluster 2) ... ok`)]);
  expect((await pair.stack.outputs()).standbyTenants).toMatchObject({ role: "PRIMARY", tenants: [{ name: "t1", role: "PRIMARY" }], standbyCluster: { servers: [{ status: "ACTIVE" }, { status: "ACTIVE" }, { status: "ACTIVE" }] } });
  expect(await pair.ids("standby", "host4")).toBe("1,2,3");

  const quiet = await failedOver.engine("up");
  expect(outcome(quiet)).toEqual({ code: 0, tail: "" });
  expect(steps(quiet)).toEqual([]);
});

test("delete after the failover is refused: the failed-over cluster serves t1 now; its observers keep running (the advice names no switching back)", async () => {
  const destroy = await pair.stack.withEnv({ OB_STANDBY_ROLE: "primary", OB_FAILOVER_CONFIRM: primaryName(), OB_DELETE_DATA: "true" }).engine("destroy");
  expect(destroy.code).not.toBe(0);
  expect(destroy.out).toMatch(/tenant t1 on standby cluster 2 is PRIMARY \(failed over, or made here\): this cluster now serves them, and delete never stops a primary; keep it/);
  expect(destroy.out).not.toMatch(/switch back/);
  expect(steps(destroy)).toEqual([]);
  for (const h of ["host5", "host6"]) expect(fs.existsSync(`${pair.ob.lab.host(h).obHome}/run/observer.pid`)).toBe(true);
  expect(await pair.ids("standby", "host5")).toBe("1,2,3");
});
