/**
 * The 4.x standby tenants' pure parts: check's rules for the new inputs, the planner's steps and
 * order from a given actual state (create, quiet, switchover, an interrupted switchover, failover,
 * refusals before any step), and the log restore source as one SQL literal whatever its password
 * holds (read back by the lab server's own tokenizer).
 */
import { connectionKey, parseConnection } from "../../../provider/core/connection";
import { failoverLeftStopped, planTenants, planTenantsDelete } from "../../../provider/oceanbase/standby/plan-tenants";
import type { HostProbe } from "../../../provider/oceanbase/standby/read";
import type { SideView, TenantsActual, TenantView } from "../../../provider/oceanbase/standby/read-tenants";
import { passwordLine } from "../../../provider/oceanbase/script";
import { parseSource, sourceDrift } from "../../../provider/oceanbase/standby/restore-source";
import { TENANT_SQL } from "../../../provider/oceanbase/standby/sql-tenants";
import { validateStandby } from "../../../provider/oceanbase/standby/validate";
import { tokenize } from "../../../lab/sim/oceanbase/sql/select";
import { hostileStrings } from "../../fixtures/hostile-strings";
import { hostile } from "../../hostile/strings";

const host = (n: number) => ({ connection: { host: `10.0.1.${n}`, user: "admin" }, address: `10.0.1.${n}` });
const base = (over: Record<string, unknown> = {}) => ({
  primary: { connection: { host: "10.0.0.1", user: "admin" }, host: "10.0.0.1", password: "pw" },
  clusterId: 2,
  version: "4.2.1",
  zones: [1, 2].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [host(i)] })),
  observer: { home: "/home/admin/oceanbase", dataDir: "/data/1/store" },
  standbyPassword: "sbpw",
  ...over,
});
const spec = (over: Record<string, unknown> = {}) => {
  const v = validateStandby(base(over));
  if (!v.ok) throw new Error(JSON.stringify(v.failures));
  return v.spec;
};
const tenant = (name: string, role: string, over: Partial<TenantView> = {}): TenantView => ({ name, id: 1002, role, switchoverStatus: "NORMAL", syncScn: 5, syncStatus: role === "STANDBY" ? "NORMAL" : "", access: [`${role === "PRIMARY" ? "10.0.0.1" : "10.0.1.1"}:2881`], ...over });
const side = (...tenants: TenantView[]): SideView => ({
  version: "4.2.1.0",
  name: "obcluster",
  tenants,
  servers: [1, 2].map((i) => ({ address: `10.0.1.${i}`, rpcPort: 2882, sqlPort: 2881, zone: `z${i}`, status: "ACTIVE" })),
  zones: { z1: { idc: "idc1", region: "sys_region" }, z2: { idc: "idc2", region: "sys_region" } },
  units: [],
});
/** A standby host as the read probes it: running this resource's observer, or bare. */
const probe = (n: number, running = true): HostProbe => ({
  address: `10.0.1.${n}`,
  home: "/home/admin/oceanbase",
  dataDir: "/data/1/store",
  connKey: connectionKey(parseConnection(host(n).connection)),
  binaryVersion: "4.2.1",
  pid: running ? 100 + n : null,
  data: running ? "nonempty" : "absent",
  marker: running ? "cluster=obcluster id=2 dataDir=/data/1/store" : "",
  busy: [],
});
const running = [probe(1), probe(2)];
const actual = (p: TenantView[], s: TenantView[]): TenantsActual => ({ primary: { ok: true, view: side(...p) }, standby: { ok: true, view: side(...s) }, hosts: running });
const steps = (plan: ReturnType<typeof planTenants>) => plan.map((ph) => `${ph.title}: ${ph.operations.map((o) => `${o.host} ${o.kind}`).join(", ")}`);

test("check: standbyPassword and logRestoreSource are taken; a source password with a blank and a tenant name that is no identifier are refused, all at once", () => {
  expect(spec({ logRestoreSource: { password: "x" } }).logRestoreSource).toEqual({ user: "root", password: "x" });
  const v = validateStandby(base({ logRestoreSource: { user: "rep", password: "pass word9" }, tenants: ["t1", "t-2"] }));
  expect(v.ok).toBe(false);
  const failures = !v.ok ? v.failures.map((f) => `${f.path}: ${f.rule}`) : [];
  expect(failures).toEqual(expect.arrayContaining([expect.stringMatching(/^logRestoreSource\.password: cannot contain a blank/), expect.stringMatching(/^tenants\[1\]: a tenant name starts with a letter/)]));
  expect(JSON.stringify(!v.ok && v.failures)).not.toContain("pass word9");
});

test("create: CREATE STANDBY TENANT on the standby's first host for each missing tenant, then a bounded wait; the step names the source, never the password", () => {
  const plan = planTenants(spec(), actual([tenant("t1", "PRIMARY"), tenant("t2", "PRIMARY", { access: ["10.0.0.1:2881", "10.0.0.2:2881"] })], []));
  expect(steps(plan)).toEqual(["create standby tenants: 10.0.1.1 sql", "wait for the standby tenants: 10.0.1.1 wait"]);
  const op = plan[0].operations[0];
  expect(op.describe).toBe("CREATE STANDBY TENANT t1 (log restore source SERVICE=10.0.0.1:2881 USER=root@t1); CREATE STANDBY TENANT t2 (log restore source SERVICE=10.0.0.1:2881;10.0.0.2:2881 USER=root@t2)");
  expect(op.command).not.toContain("pw");
  expect(op.stdin).toContain("LOG_RESTORE_SOURCE = 'SERVICE=10.0.0.1:2881;10.0.0.2:2881 USER=root@t2 PASSWORD=pw'");
  expect(planTenants(spec({ tenants: ["t2"] }), actual([tenant("t1", "PRIMARY"), tenant("t2", "PRIMARY")], []))[0].operations[0].describe).not.toContain("t1");
});

test("bare hosts: prechecks, the observers started on each host, BOOTSTRAP with each zone's RootServer, root@sys's password, the zones' IDC, then the standby tenants", () => {
  const bare: TenantsActual = { primary: { ok: true, view: side(tenant("t1", "PRIMARY")) }, standby: null, hosts: [probe(1, false), probe(2, false)] };
  const plan = planTenants(spec(), bare);
  expect(steps(plan)).toEqual(["start observers: 10.0.1.1 start, 10.0.1.2 start", "bootstrap the standby cluster: 10.0.1.1 sql", "create standby tenants: 10.0.1.1 sql", "wait for the standby tenants: 10.0.1.1 wait"]);
  // One obclient session: the bootstrap, root@sys's password, the zones' IDC.
  expect(plan[1].operations[0].stdin).toContain("ALTER SYSTEM BOOTSTRAP REGION 'sys_region' ZONE 'z1' SERVER '10.0.1.1:2882', REGION 'sys_region' ZONE 'z2' SERVER '10.0.1.2:2882';\nALTER USER root IDENTIFIED BY 'sbpw';\nALTER SYSTEM ALTER ZONE 'z1' SET IDC = 'idc1', REGION = 'sys_region';");
  expect(plan[1].operations[0].describe).not.toContain("sbpw");
  // A zone of two hosts: the RootServer in the bootstrap, the other by ADD SERVER in the same session.
  const twoInZ1 = spec({ zones: [{ name: "z1", idc: "idc1", hosts: [host(1), host(3)] }, { name: "z2", idc: "idc2", hosts: [host(2)] }] });
  const wide = planTenants(twoInZ1, { ...bare, hosts: [probe(1, false), probe(2, false), { ...probe(3, false), address: "10.0.1.3", connKey: connectionKey(parseConnection(host(3).connection)) }] });
  expect(wide[1].operations[0].stdin).toMatch(/BOOTSTRAP REGION 'sys_region' ZONE 'z1' SERVER '10\.0\.1\.1:2882', REGION 'sys_region' ZONE 'z2' SERVER '10\.0\.1\.2:2882';\nALTER USER .*;\nALTER SYSTEM ADD SERVER '10\.0\.1\.3:2882' ZONE 'z1';/);
  expect(plan[0].operations[0].command).toMatch(/\.\/bin\/observer -z '?z1'? -p '?2881'? -P '?2882'? -n '?obcluster'? -c '?2'? -d '?\/data\/1\/store'? -r '10\.0\.1\.1:2882:2881;10\.0\.1\.2:2882:2881'/);
  // Never over data this resource did not start, nor with another build.
  expect(() => planTenants(spec(), { ...bare, hosts: [{ ...probe(1, false), data: "nonempty", marker: "" }, probe(2, false)] })).toThrow(/10\.0\.1\.1: the data directory \/data\/1\/store is not empty and was not started by this standby: an existing data directory is never overwritten/);
  expect(() => planTenants(spec(), { ...bare, hosts: [{ ...probe(1, false), binaryVersion: "4.2.2" }, probe(2, false)] })).toThrow(/10\.0\.1\.1: \/home\/admin\/oceanbase\/bin\/observer is build 4\.2\.2, not 4\.2\.1/);
  // Bootstrapped, the password not set yet (an up interrupted in between): the password only, then the rest.
  expect(steps(planTenants(spec(), { ...actual([tenant("t1", "PRIMARY")], []), standby: { ok: true, view: side(), noPassword: true } }))[0]).toBe("set root@sys's password: 10.0.1.1 sql");
});

test("delete: the standby tenants' source cleared, then each observer stopped with its data kept; refused while a tenant here is the primary", () => {
  const plan = planTenantsDelete(spec(), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY")]));
  expect(steps(plan)).toEqual(["stop following the primary: 10.0.1.1 sql", "stop observers: 10.0.1.1 stop, 10.0.1.2 stop"]);
  expect(plan[0].operations[0].stdin).toContain("ALTER SYSTEM SET LOG_RESTORE_SOURCE = '' TENANT = t1;");
  expect(plan[1].operations[0].command).not.toContain("rm -rf");
  expect(() => planTenantsDelete(spec(), actual([tenant("t1", "STANDBY")], [tenant("t1", "PRIMARY")]))).toThrow(/t1 on standby cluster 2 is PRIMARY \(switched over\): deleting would take the primary away; switch back first/);
  // Failed over (the primary lost): no switching back; the cluster is kept until its data is disposable.
  const lost = { primary: { ok: false as const, error: "timed out" }, standby: { ok: true as const, view: side(tenant("t1", "PRIMARY")) }, hosts: running };
  expect(() => planTenantsDelete(spec(), lost)).toThrow(/t1 on standby cluster 2 is PRIMARY \(failed over, or made here\): this cluster now serves them, and delete never stops a primary; keep it .*once its data is disposable/);
  // A PRIMARY tenant not among tenants is looked at too.
  expect(() => planTenantsDelete(spec({ tenants: ["t1"], deleteData: true }), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY"), tenant("t2", "PRIMARY")]))).toThrow(/tenant t2 on standby cluster 2 is PRIMARY/);
  // Observers running, sys unreadable (wrong standbyPassword, observers hung): nothing stopped, nothing removed.
  const unread: TenantsActual = { primary: { ok: true, view: side(tenant("t1", "PRIMARY")) }, standby: { ok: false, error: "ERROR 1045: Access denied" }, hosts: running };
  expect(() => planTenantsDelete(spec({ deleteData: true }), unread)).toThrow(/the observers run on 10\.0\.1\.1, 10\.0\.1\.2 but the standby cluster's sys does not answer \(ERROR 1045: Access denied\).*check standbyPassword/);
  // No observer runs: nothing can serve; the stop steps (no-ops on a stopped observer) run.
  expect(steps(planTenantsDelete(spec(), { ...unread, standby: null, hosts: running.map((h) => ({ ...h, pid: null })) }))).toEqual(["stop observers: 10.0.1.1 stop, 10.0.1.2 stop"]);
  // The first zone's RootServer down: the source is cleared through a host whose observer runs.
  expect(steps(planTenantsDelete(spec(), { ...actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY")]), hosts: [{ ...probe(1), pid: null }, probe(2)] }))[0]).toBe("stop following the primary: 10.0.1.2 sql");
});

test("logRestoreFrom archive: created on the service, then LOCATION= the primary tenant's archive path while it archives; refused before any step when it does not, or archives to OSS", () => {
  const archiving = tenant("t1", "PRIMARY", { archive: { status: "DOING", path: "file:///nfs/archive/t1" } });
  const plan = planTenants(spec({ logRestoreFrom: "archive" }), actual([archiving], []));
  // CREATE STANDBY TENANT checks only a SERVICE source (OceanBase refuses LOCATION there, 1235): created on the service, then switched.
  expect(plan[0].operations[0].describe).toBe("CREATE STANDBY TENANT t1 (log restore source SERVICE=10.0.0.1:2881 USER=root@t1), then SET LOG_RESTORE_SOURCE TENANT = t1 (LOCATION=file:///nfs/archive/t1)");
  expect(plan[0].operations[0].stdin).toContain("CREATE STANDBY TENANT IF NOT EXISTS t1 LOG_RESTORE_SOURCE = 'SERVICE=10.0.0.1:2881 USER=root@t1 PASSWORD=pw';\nALTER SYSTEM SET LOG_RESTORE_SOURCE = 'LOCATION=file:///nfs/archive/t1' TENANT = t1;");
  expect(() => planTenants(spec({ logRestoreFrom: "archive" }), actual([tenant("t1", "PRIMARY", { archive: { status: "STOP", path: "file:///nfs/archive/t1" } })], []))).toThrow(/tenant t1 on the primary is not archiving its log \(CDB_OB_ARCHIVELOG status STOP\)/);
  expect(() => planTenants(spec({ logRestoreFrom: "archive" }), actual([tenant("t1", "PRIMARY", { archive: { status: "DOING", path: "oss://b/a?host=x" } })], []))).toThrow(/only file:\/\/ \(NFS\) archives are built/);
});

test("an up interrupted after CREATE STANDBY TENANT: the next one waits for the first copy (SYNC_SCN still 0)", () => {
  expect(steps(planTenants(spec(), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY", { syncScn: 0 })])))).toEqual(["wait for the standby tenants: 10.0.1.1 wait"]);
});

test("CDB_OB_LOG_RESTORE_SOURCE's VALUE: a SERVICE one's addresses and user, never its password (whatever it holds); a LOCATION one's destination without an OSS key; an unknown TYPE is not read", () => {
  const value = (pw: string) => `IP_LIST=10.0.0.1:2881;10.0.0.2:2881,USER=root@t1,PASSWORD=${pw},TENANT_ID=1002,CLUSTER_ID=1,COMPATIBILITY_MODE=MYSQL,IS_ENCRYPTED=false`;
  for (const pw of ["pw", "a,USER=evil@x,IP_LIST=1.1.1.1:1", "p=w;,", "6B1F8A0C"]) {
    const seen = parseSource("SERVICE", value(pw));
    expect(seen).toEqual({ kind: "service", access: ["10.0.0.1:2881", "10.0.0.2:2881"], user: "root@t1" });
    expect(JSON.stringify(seen)).not.toContain(pw);
  }
  expect(parseSource("LOCATION", "oss://b/archive?host=oss.example&access_id=AK&encrypt_key=EK")).toEqual({ kind: "archive", location: "oss://b/archive" });
  expect(parseSource("location", "file:///nfs/archive/t1")).toEqual({ kind: "archive", location: "file:///nfs/archive/t1" });
  expect(parseSource("SOMETHING", "x")).toBeUndefined();
  // The addresses are a set; a trailing slash names the same archive.
  const svc = { kind: "service" as const, access: ["10.0.0.2:2881", "10.0.0.1:2881"], user: "ROOT@t1" };
  expect(sourceDrift(parseSource("SERVICE", value("pw")), svc)).toBeUndefined();
  expect(sourceDrift(parseSource("LOCATION", "file:///nfs/a/"), { kind: "archive", location: "file:///nfs/a" })).toBeUndefined();
  expect(sourceDrift(undefined, svc)).toBeUndefined();
  expect(sourceDrift(null, svc)).toBe("it has no log restore source");
});

test("a standby tenant following another source than the declared one: SET LOG_RESTORE_SOURCE to the declared one, saying what it follows (an up cut between CREATE and the switch to the archive, a source changed by hand)", () => {
  const service = (access = ["10.0.0.1:2881"], user = "root@t1") => ({ source: { kind: "service" as const, access, user } });
  const archiving = tenant("t1", "PRIMARY", { archive: { status: "DOING", path: "file:///nfs/archive/t1" } });
  const archived = { source: { kind: "archive" as const, location: "file:///nfs/archive/t1" } };
  // Cut after CREATE STANDBY TENANT: on the service, the first copy not done: switched, then waited for.
  const cut = planTenants(spec({ logRestoreFrom: "archive" }), actual([archiving], [tenant("t1", "STANDBY", { ...service(), syncScn: 0 })]));
  expect(steps(cut)).toEqual(["repair standby cluster 2's log restore sources: 10.0.1.1 sql", "wait for the standby tenants: 10.0.1.1 wait"]);
  expect(cut[0].operations[0].describe).toBe("SET LOG_RESTORE_SOURCE TENANT = t1 (LOCATION=file:///nfs/archive/t1): it follows SERVICE=10.0.0.1:2881 USER=root@t1, and logRestoreFrom is archive");
  expect(cut[0].operations[0].stdin).toContain("ALTER SYSTEM SET LOG_RESTORE_SOURCE = 'LOCATION=file:///nfs/archive/t1' TENANT = t1;");
  // On the declared archive: nothing, even once the archive stopped (a stopped round keeps its path).
  expect(planTenants(spec({ logRestoreFrom: "archive" }), actual([archiving], [tenant("t1", "STANDBY", archived)]))).toEqual([]);
  expect(planTenants(spec({ logRestoreFrom: "archive" }), actual([{ ...archiving, archive: { status: "STOP", path: "file:///nfs/archive/t1/" } }], [tenant("t1", "STANDBY", archived)]))).toEqual([]);
  // On the service while the primary has no archive: refused, saying what to turn on.
  expect(() => planTenants(spec({ logRestoreFrom: "archive" }), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY", service())]))).toThrow(/tenant t1 on the primary is not archiving its log/);
  // logRestoreFrom service: an archive source, another address, another user are each switched back to the primary's access points.
  for (const seen of [archived, service(["10.9.9.9:2881"]), service(["10.0.0.1:2881"], "rep@t1")]) {
    const plan = planTenants(spec(), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY", seen)]));
    expect(steps(plan)).toEqual(["repair standby cluster 2's log restore sources: 10.0.1.1 sql"]);
    expect(plan[0].operations[0].describe).toMatch(/^SET LOG_RESTORE_SOURCE TENANT = t1 \(SERVICE=10\.0\.0\.1:2881 USER=root@t1\): it follows /);
    expect(plan[0].operations[0].describe).not.toContain("pw");
  }
  expect(planTenants(spec(), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY", service())]))).toEqual([]);
  // After a switchover the old primary's tenants follow the new one: the same rule, the other side.
  const back = planTenants(spec({ role: "primary" }), actual([tenant("t1", "STANDBY", service(["10.9.9.9:2881"]))], [tenant("t1", "PRIMARY", { access: ["10.0.1.1:2881"] })]));
  expect(back[0].operations[0].describe).toMatch(/^SET LOG_RESTORE_SOURCE TENANT = t1 \(SERVICE=10\.0\.1\.1:2881 USER=root@t1\): it follows SERVICE=10\.9\.9\.9:2881/);
  expect(back[0].operations[0].host).toBe("10.0.0.1");
});

test("in sync: nothing to do, on either role", () => {
  expect(planTenants(spec(), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY")]))).toEqual([]);
  expect(planTenants(spec({ role: "primary" }), actual([tenant("t1", "STANDBY")], [tenant("t1", "PRIMARY")]))).toEqual([]);
});

test("switchover: wait in sync on the standby, demote the primary, promote the standby, point the old primary at it; an interrupted one resumes where it stopped", () => {
  const plan = planTenants(spec({ role: "primary" }), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY")]));
  expect(steps(plan)).toEqual([`check standby cluster 2 is in sync: 10.0.1.1 wait`, "demote the primary: 10.0.0.1 sql", "promote standby cluster 2: 10.0.1.1 sql", "point the primary's tenants at standby cluster 2: 10.0.0.1 sql"]);
  expect(plan[3].operations[0].stdin).toContain("ALTER SYSTEM SET LOG_RESTORE_SOURCE = 'SERVICE=10.0.1.1:2881 USER=root@t1 PASSWORD=pw' TENANT = t1");
  // Demoted, not yet promoted: promote and point; promoted, the old primary without a source: point only.
  expect(steps(planTenants(spec({ role: "primary" }), actual([tenant("t1", "STANDBY", { syncStatus: "NOT AVAILABLE" })], [tenant("t1", "STANDBY")])))).toEqual(["promote standby cluster 2: 10.0.1.1 sql", "point the primary's tenants at standby cluster 2: 10.0.0.1 sql"]);
  expect(steps(planTenants(spec({ role: "primary" }), actual([tenant("t1", "STANDBY", { syncStatus: "NOT AVAILABLE" })], [tenant("t1", "PRIMARY")])))).toEqual(["point the primary's tenants at standby cluster 2: 10.0.0.1 sql"]);
});

test("refused before any step: a tenant PRIMARY on both sides, a tenant the primary lacks, the standby cluster not answering, another version", () => {
  expect(() => planTenants(spec(), actual([tenant("t1", "PRIMARY")], [tenant("t1", "PRIMARY")]))).toThrow(/t1 is PRIMARY on both clusters .*never overwritten/);
  expect(() => planTenants(spec({ tenants: ["t9"] }), actual([tenant("t1", "PRIMARY")], []))).toThrow(/tenants: t9 is not a user tenant of the primary \(DBA_OB_TENANTS has t1\)/);
  expect(() => planTenants(spec(), { primary: { ok: true, view: side(tenant("t1", "PRIMARY")) }, standby: { ok: false, error: "ERROR 1045: Access denied" }, hosts: running })).toThrow(/the standby cluster's sys at 10\.0\.1\.1:2881 refuses root@sys \(ERROR 1045: Access denied\): check standbyPassword/);
  // Another error is no password problem: the observer may still be loading.
  const loading = () => planTenants(spec(), { primary: { ok: true, view: side(tenant("t1", "PRIMARY")) }, standby: { ok: false, error: "OceanBase refused a read: ERROR 4012: Timeout" }, hosts: running });
  expect(loading).toThrow(/does not answer \(OceanBase refused a read: ERROR 4012: Timeout\): an observer just started may still be loading \(run up again\)/);
  expect(loading).not.toThrow(/standbyPassword/);
  expect(() => planTenants(spec({ version: "4.2.2" }), actual([tenant("t1", "PRIMARY")], []))).toThrow(/version 4\.2\.2 differs from the primary's 4\.2\.1\.0.*upgrade the standby first, then the primary/);
  expect(() => planTenants(spec(), { primary: { ok: true, view: { ...side(), version: "3.2.4.0" } }, standby: { ok: true, view: side() }, hosts: running })).toThrow(/the primary runs OceanBase 3\.2\.4\.0.*a 3\.x pair is a standby cluster/);
});

test("failover: only with the primary's cluster name confirmed (the standby cluster has it) and the primary lost; ACTIVATE for each standby tenant", () => {
  const lost: TenantsActual = { primary: { ok: false, error: "timed out" }, standby: { ok: true, view: side(tenant("t1", "STANDBY")) }, hosts: running };
  expect(() => planTenants(spec({ role: "primary" }), lost)).toThrow(/cannot reach the primary at 10\.0\.0\.1:2881.*declare failover: \{ confirm: "obcluster" \} \(never implicit\)/);
  expect(() => planTenants(spec({ role: "primary", failover: { confirm: "10.0.0.1:2881" } }), lost)).toThrow(/failover\.confirm is "10\.0\.0\.1:2881", not the primary being given up \(obcluster, its cluster name\)/);
  expect(() => planTenants(spec({ role: "primary", failover: { confirm: "obcluster" } }), actual([tenant("t1", "PRIMARY")], [tenant("t1", "STANDBY")]))).toThrow(/answers: failover is for a lost primary/);
  const plan = planTenants(spec({ role: "primary", failover: { confirm: "obcluster" } }), lost);
  expect(plan[0].operations[0].stdin).toContain("ALTER SYSTEM ACTIVATE STANDBY TENANT = t1;");
  expect(steps(plan)).toEqual(["failover: 10.0.1.1 sql"]);
  // The first zone's RootServer is down too: ACTIVATE alone, on a member whose observer runs (the restart comes next round, after it).
  const fo = spec({ role: "primary", failover: { confirm: "obcluster" } });
  const down1 = [{ ...probe(1), pid: null }, probe(2)];
  const activate = planTenants(fo, { ...lost, hosts: down1 });
  expect(steps(activate)).toEqual(["failover: 10.0.1.2 sql"]);
  expect(activate[0].operations[0].reason).toMatch(/stopped observers \(10\.0\.1\.1\) are started after it$/);
  const failedOver = { ...lost, standby: { ok: true as const, view: side(tenant("t1", "PRIMARY")) } };
  expect(planTenants(fo, failedOver)).toEqual([]);
  // After the failover a stopped observer is drift as in standby mode: started again, nothing promoted or demoted.
  const restart = planTenants(fo, { ...failedOver, hosts: down1 });
  expect(steps(restart)).toEqual(["start observers: 10.0.1.1 start"]);
  expect(restart[0].operations[0].reason).toBe("not running (drift)");
  expect(JSON.stringify(restart)).not.toMatch(/ACTIVATE|SWITCHOVER/);
  // None runs: started, the tenants planned once sys answers; bare hosts, or another's data, are never started here.
  expect(steps(planTenants(fo, { ...lost, standby: null, hosts: [{ ...probe(1), pid: null }, { ...probe(2), pid: null }] }))).toEqual(["start observers: 10.0.1.1 start, 10.0.1.2 start"]);
  expect(() => planTenants(fo, { ...lost, standby: null, hosts: [probe(1, false), probe(2, false)] })).toThrow(/was never started by this resource and the primary cannot be reached: nothing to promote/);
  expect(planTenants(fo, { ...failedOver, hosts: [{ ...probe(1), pid: null, marker: "cluster=other id=9 dataDir=/data/1/store" }, probe(2)] })).toEqual([]);
});

test("failover: a host damaged with the primary (its build gone, a port taken) never blocks the ACTIVATE nor the other starts: it stays stopped, named in the step and in the up's warnings, never refused", () => {
  const fo = spec({ role: "primary", failover: { confirm: "obcluster" } });
  const lost: TenantsActual = { primary: { ok: false, error: "timed out" }, standby: { ok: true, view: side(tenant("t1", "STANDBY")) }, hosts: running };
  const damaged = [{ ...probe(1), pid: null, binaryVersion: "" }, probe(2)];
  const plan = planTenants(fo, { ...lost, hosts: damaged });
  expect(steps(plan)).toEqual(["failover: 10.0.1.2 sql"]);
  expect(plan[0].operations[0].stdin).toContain("ALTER SYSTEM ACTIVATE STANDBY TENANT = t1;");
  expect(plan[0].operations[0].reason).toMatch(/except where they cannot be \(10\.0\.1\.1: \/home\/admin\/oceanbase\/bin\/observer is missing, not 4\.2\.1/);
  expect(failoverLeftStopped(fo, { ...lost, hosts: damaged })).toEqual([expect.stringMatching(/^failover: the observer on 10\.0\.1\.1 is left stopped \(it cannot be started here\): 10\.0\.1\.1: \/home\/admin\/oceanbase\/bin\/observer is missing.*; fix that host \(the next up starts it\) or leave it out of zones$/)]);
  // After it: the startable observers start, the damaged one is left out; with nothing else left, the plan is empty and the warning names it.
  const failedOver = { ...lost, standby: { ok: true as const, view: side(tenant("t1", "PRIMARY")) } };
  const three = spec({ role: "primary", failover: { confirm: "obcluster" }, zones: [1, 2, 3].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [host(i)] })) });
  const busy = { ...probe(3), pid: null, busy: [2881] };
  expect(steps(planTenants(three, { ...failedOver, hosts: [{ ...probe(1), pid: null }, probe(2), busy] }))).toEqual(["start observers: 10.0.1.1 start"]);
  expect(planTenants(three, { ...failedOver, hosts: [probe(1), probe(2), busy] })).toEqual([]);
  expect(failoverLeftStopped(three, { ...failedOver, hosts: [probe(1), probe(2), busy] })).toEqual([expect.stringContaining("10.0.1.3: port 2881 already in use and no observer of this cluster runs there")]);
  // Nothing is left alone without the failover inputs (standby mode refuses such a host in its precheck).
  expect(failoverLeftStopped(spec(), { ...failedOver, hosts: [probe(1), probe(2), busy] })).toEqual([]);
  // Sys does not answer and no stopped observer can start: refused with why.
  expect(() => planTenants(fo, { ...lost, standby: null, hosts: [{ ...probe(1), pid: null, binaryVersion: "4.1.0" }, { ...probe(2), pid: null, binaryVersion: "4.1.0" }] })).toThrow(/does not answer \(no observer runs\): start its observers first; none stopped can be started here: 10\.0\.1\.1: .*build 4\.1\.0/);
});

test("standby mode: some observers run but sys has no majority (it does not answer): the stopped ones are started, the tenants planned once sys answers", () => {
  const three = spec({ zones: [1, 2, 3].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [host(i)] })) });
  const noMajority: TenantsActual = { primary: { ok: true, view: side(tenant("t1", "PRIMARY")) }, standby: { ok: false, error: "OceanBase refused a read: ERROR 4012: Timeout" }, hosts: [{ ...probe(1), pid: null }, { ...probe(2), pid: null }, probe(3)] };
  const plan = planTenants(three, noMajority);
  expect(steps(plan)).toEqual(["start observers: 10.0.1.1 start, 10.0.1.2 start"]);
  // Each is started with the whole RootServer list, not only the stopped ones'.
  expect(plan[0].operations[0].command).toContain("10.0.1.3");
  expect(() => planTenants(three, { ...noMajority, hosts: [probe(1), probe(2), probe(3)] })).toThrow(/does not answer \(OceanBase refused a read: ERROR 4012: Timeout\): an observer just started may still be loading/);
});

test("failover: some observers run but sys has no majority (it does not answer): the stopped ones are started, the ACTIVATE planned once sys answers", () => {
  const fo = spec({ role: "primary", failover: { confirm: "obcluster" }, zones: [1, 2, 3].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [host(i)] })) });
  const noMajority: TenantsActual = { primary: { ok: false, error: "timed out" }, standby: { ok: false, error: "OceanBase refused a read: ERROR 4012: Timeout" }, hosts: [{ ...probe(1), pid: null }, { ...probe(2), pid: null }, probe(3)] };
  expect(steps(planTenants(fo, noMajority))).toEqual(["start observers: 10.0.1.1 start, 10.0.1.2 start"]);
  // Nothing stopped to start: refused with sys's error.
  expect(() => planTenants(fo, { ...noMajority, hosts: [probe(1), probe(2), probe(3)] })).toThrow(/does not answer \(OceanBase refused a read: ERROR 4012: Timeout\): start its observers first$/);
});

test("the log restore source and root@sys's password are one SQL literal whatever the password holds (the lab server's tokenizer reads it back exactly)", () => {
  for (const pw of hostileStrings.filter((h) => h !== "" && !/\s/.test(h))) {
    const sql = TENANT_SQL.createStandby("t1", { access: ["10.0.0.1:2881"], user: "root", tenant: "t1", password: pw });
    const t = tokenize(sql);
    expect(t.filter((x) => x.t === "str").map((x) => x.v)).toEqual([`SERVICE=10.0.0.1:2881 USER=root@t1 PASSWORD=${pw}`]);
  }
  // root@sys's password after the bootstrap: one literal too, whatever it holds (blanks included).
  for (const pw of hostileStrings.filter((h) => h !== "")) {
    expect(tokenize(TENANT_SQL.setRootPassword(pw)).filter((x) => x.t === "str").map((x) => x.v)).toEqual([pw]);
  }
});

test("standbyPassword with every hostile string: refused naming the field (never echoed), or it is exactly the first stdin line of each standby step (a line break would run the rest as SQL as root@sys)", () => {
  let refused = 0;
  for (const pw of hostile("/tmp/canary")) {
    const v = validateStandby(base({ standbyPassword: pw }));
    if (!v.ok) {
      refused++;
      expect(v.failures.map((f) => `${f.path} ${String(f.value)}`)).toEqual(v.failures.map(() => "standbyPassword [secret]"));
      continue;
    }
    const plan = planTenants(v.spec, actual([tenant("t1", "PRIMARY")], []));
    for (const op of plan.flatMap((p) => p.operations).filter((o) => o.host === "10.0.1.1")) {
      expect(op.stdin!.split("\n")[0]).toBe(passwordLine(pw));
      if (pw.length > 8) expect(op.command).not.toContain(pw);
    }
  }
  expect(refused).toBeGreaterThan(0);
  for (const bad of ["a\nSELECT 1", "a\r\nb", "a\0b", ""]) expect(validateStandby(base({ standbyPassword: bad })).ok).toBe(false);
});

test("4.x scale-in: DELETE SERVER, a bounded wait until it left DBA_OB_SERVERS, then an emptied zone's STOP/DELETE ZONE, then its observer stopped with its data kept even with deleteData; a server already DELETING is only waited for", () => {
  const three = spec({ deleteData: true, zones: [1, 2].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [host(i)] })) });
  const wider = { ...side(tenant("t1", "STANDBY")), servers: [...side().servers, { address: "10.0.1.3", rpcPort: 2882, sqlPort: 2881, zone: "z3", status: "ACTIVE" }], zones: { ...side().zones, z3: { idc: "idc3", region: "sys_region" } } };
  const hosts = [...running, { ...probe(3), address: "10.0.1.3", connKey: connectionKey(parseConnection(host(3).connection)) }];
  const a: TenantsActual = { primary: { ok: true, view: side(tenant("t1", "PRIMARY")) }, standby: { ok: true, view: wider }, hosts };
  const plan = planTenants(three, a);
  expect(steps(plan)).toEqual(["delete servers: 10.0.1.1 sql", "wait for unit migration: 10.0.1.1 wait", "delete zones: 10.0.1.1 sql", "stop removed observers: 10.0.1.3 stop"]);
  expect(plan[1].operations[0].command).toMatch(/DBA_OB_SERVERS WHERE svr_ip IN \(.*10\.0\.1\.3/);
  expect(plan[2].operations[0].stdin).toContain("ALTER SYSTEM STOP ZONE 'z3';\nALTER SYSTEM DELETE ZONE 'z3';");
  expect(plan[3].operations[0].command).not.toContain("rm -rf");
  expect(plan[3].operations[0].describe).toContain("data kept");
  const deleting = { ...a, standby: { ok: true as const, view: { ...wider, servers: wider.servers.map((x) => (x.address === "10.0.1.3" ? { ...x, status: "DELETING" } : x)) } } };
  expect(steps(planTenants(three, deleting))[0]).toBe("wait for unit migration: 10.0.1.1 wait");
});

test("4.x scale-in refused before any step when it empties a zone holding units (DBA_OB_UNITS): the zone, the tenants whose units are there, and what to do; a zone whose units are elsewhere is emptied", () => {
  const two = spec({ zones: [{ name: "z1", idc: "idc1", hosts: [host(1)] }] });
  const units = [{ zone: "z1", tenant: "sys" }, { zone: "z2", tenant: "sys" }, { zone: "z2", tenant: "t1" }];
  const a = (u: typeof units): TenantsActual => ({ primary: { ok: true, view: side(tenant("t1", "PRIMARY")) }, standby: { ok: true, view: { ...side(tenant("t1", "STANDBY")), units: u } }, hosts: running });
  expect(() => planTenants(two, a(units))).toThrow(
    /zone z2 holds tenants' resource units, and OceanBase moves a unit only to another server of its zone: .*first leave z2 out of the locality and the resource pools' ZONE_LIST of sys, t1 \(their units in z2, DBA_OB_UNITS\) \(ALTER TENANT … LOCALITY, ALTER RESOURCE POOL … ZONE_LIST\), or keep a server in z2\. Nothing was changed/,
  );
  expect(steps(planTenants(two, a(units.filter((u) => u.zone !== "z2"))))[0]).toBe("delete servers: 10.0.1.1 sql");
});
