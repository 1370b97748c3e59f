/**
 * The lab's 3.x standby clusters, by hand: a DBA starts observers over SSH on bare hosts (the
 * build at obHome/bin/observer), bootstraps them as a standby with obclient, adds it on the
 * primary, and meets the refusals the real server gives (codes from OceanBase's 3.x error
 * pages; the conditions and texts marked `guess` in lab/sim/oceanbase/errors.ts).
 */
import { runLabCli } from "../helpers/lab";
import { startObLab, waitFor, type ObLab } from "./helpers";

jest.setTimeout(180_000);

let ob: ObLab;
beforeAll(async () => {
  ob = await startObLab({ version: "3.2.4", hosts: 6, tenants: ["t1"] });
  await runLabCli(["oceanbase", "binary", "--dir", ob.lab.dir, "--host", "host6", "--version", "4.2.1"]);
}, 120_000);
afterAll(async () => ob?.stop());

const addr = (h: string) => ob.lab.host(h).address;
/** obclient as root@<tenant> on `host` against `server`, the password from stdin ("" before bootstrap). */
async function sqlAt(host: string, server: string, sql: string, o: { password?: string; tenant?: string } = {}) {
  const cmd = `f=$(mktemp) && chmod 600 "$f" && IFS= read -r pw && printf '[client]\\npassword=%s\\n' "$pw" > "$f" && obclient --defaults-extra-file="$f" -h${addr(server)} -P2881 -uroot@${o.tenant ?? "sys"} -N -s -e "$(cat)"; rc=$?; rm -f "$f"; exit $rc`;
  const r = await ob.lab.exec(host, cmd, `${o.password ?? ob.password}\n${sql}`);
  return { code: r.code, out: r.stdout.trim(), err: r.stderr.trim() };
}
const rs = (hosts: string[]) => hosts.map((h) => `${addr(h)}:2882:2881`).join(";");
const primaryRs = () => rs(["host1", "host2", "host3"]);
async function start(h: string, zone: string, id: number, name = "obcluster", rsHosts = ["host4", "host5"]) {
  const home = ob.lab.host(h).obHome;
  const r = await ob.lab.exec(h, `mkdir -p ${home}/sb${id} && cd ${home}/sb${id} && ${home}/bin/observer -z ${zone} -p 2881 -P 2882 -n ${name} -c ${id} -d ${ob.lab.host(h).dataRoot}/sb${id}/store -r '${rs(rsHosts)}'`);
  expect(r).toMatchObject({ code: 0 });
}
const stop = (h: string, id: number) => ob.lab.exec(h, `kill $(cat ${ob.lab.host(h).obHome}/sb${id}/run/observer.pid)`);
const bootstrap = (hosts: string[], primaryId: number) =>
  `ALTER SYSTEM BOOTSTRAP CLUSTER STANDBY ${hosts.map((h, i) => `REGION 'r1' ZONE 'z${i + 1}' SERVER '${addr(h)}:2882'`).join(", ")} PRIMARY_CLUSTER_ID ${primaryId} PRIMARY_ROOTSERVICE_LIST '${primaryRs()}'`;

test("observer -V reports each host's build; a bare observer accepts only root@sys without a password and answers Not init", async () => {
  expect((await ob.lab.exec("host4", "observer -V")).stderr).toMatch(/^observer \(OceanBase 3\.2\.4\.0\)/);
  expect((await ob.lab.exec("host6", "observer -V")).stderr).toMatch(/^observer \(OceanBase 4\.2\.1\.0\)/);
  await start("host4", "z1", 7);
  await start("host5", "z2", 7);
  expect((await sqlAt("host4", "host4", "select 1", { password: "x" })).err).toMatch(/ERROR 1045 \(42000\)/);
  expect((await sqlAt("host4", "host4", "select * from oceanbase.V$OB_CLUSTER", { password: "" })).err).toMatch(/ERROR 4006 \(HY000\).*Not init/);
});

test("BOOTSTRAP CLUSTER STANDBY refuses a wrong primary id (4700) and a server of another build (4696); then REGISTERED, ADD CLUSTER makes it VALID", async () => {
  expect((await sqlAt("host4", "host4", bootstrap(["host4", "host5"], ob.cluster.clusterId + 1), { password: "" })).err).toMatch(/ERROR 4700 \(HY000\).*cluster id does not match/);
  await start("host6", "z1", 8, "obcluster", ["host6"]);
  expect((await sqlAt("host6", "host6", bootstrap(["host6"], ob.cluster.clusterId), { password: "" })).err).toMatch(/ERROR 4696 \(HY000\).*cluster version not compatible/);
  await stop("host6", 8);
  expect((await sqlAt("host4", "host4", "ALTER SYSTEM BOOTSTRAP CLUSTER STANDBY ZONE 'z1' SERVER '1.2.3.4:2882'", { password: "" })).err).toMatch(/ERROR 1064 \(42000\)/);
  const zone = bootstrap(["host4", "host5"], ob.cluster.clusterId).replace("ZONE 'z2'", "ZONE 'z9'");
  expect((await sqlAt("host4", "host4", zone, { password: "" })).err).toMatch(/ERROR 4179 .*server [\d.]+:2882 is of cluster obcluster 7 zone z2, bootstrap not allowed/);

  expect(await sqlAt("host1", "host1", "ALTER SYSTEM ADD CLUSTER VERIFY")).toMatchObject({ code: 0 });
  expect(await sqlAt("host4", "host4", bootstrap(["host4", "host5"], ob.cluster.clusterId), { password: "" })).toMatchObject({ code: 0 });
  expect((await sqlAt("host1", "host1", "SELECT cluster_id, cluster_status FROM oceanbase.V$OB_STANDBY_STATUS")).out).toBe("7\tREGISTERED");
  // Bootstrapped, the standby takes the primary's root@sys password.
  expect((await sqlAt("host5", "host5", "SELECT cluster_role, primary_cluster_id FROM oceanbase.V$OB_CLUSTER")).out).toBe(`PHYSICAL STANDBY\t${ob.cluster.clusterId}`);
  expect((await sqlAt("host1", "host1", "ALTER SYSTEM ADD CLUSTER other CLUSTER_ID 7")).err).toMatch(/ERROR 4179 .*cluster name other differs/);
  expect(await sqlAt("host1", "host1", "ALTER SYSTEM ADD CLUSTER obcluster CLUSTER_ID = 7")).toMatchObject({ code: 0 });
  expect((await sqlAt("host1", "host1", "SELECT cluster_status FROM oceanbase.V$OB_STANDBY_STATUS WHERE cluster_id = 7")).out).toBe("VALID");
  expect((await sqlAt("host4", "host4", "ALTER SYSTEM ALTER ZONE 'z1' SET IDC = 'hz-1'; SELECT info FROM oceanbase.__all_zone WHERE zone = 'z1' AND name = 'idc'")).out).toBe("hz-1");
});

test("a standby with the primary's cluster id, or another name, is refused", async () => {
  await runLabCli(["oceanbase", "binary", "--dir", ob.lab.dir, "--host", "host6", "--version", "3.2.4"]);
  await start("host6", "z1", 9, "othername", ["host6"]);
  expect((await sqlAt("host6", "host6", bootstrap(["host6"], ob.cluster.clusterId), { password: "" })).err).toMatch(/ERROR 4179 .*cluster name othername differs from the primary cluster's obcluster/);
  await stop("host6", 9);
  await start("host6", "z1", ob.cluster.clusterId, "obcluster", ["host6"]);
  expect((await sqlAt("host6", "host6", bootstrap(["host6"], ob.cluster.clusterId), { password: "" })).err).toMatch(/ERROR 4709 .*CLUSTER_ID \d+ IS ALREADY USED/);
  await stop("host6", ob.cluster.clusterId);
});

test("redo apply: a row written on the primary reaches the standby after the lab delay; sync off holds it back; the standby refuses writes", async () => {
  expect(await sqlAt("host1", "host1", "CREATE TABLE t (id INT, v VARCHAR(9)); INSERT INTO t VALUES (1, 'a')", { tenant: "t1" })).toMatchObject({ code: 0 });
  const weak = (h: string) => sqlAt(h, h, "SET ob_read_consistency = 'WEAK'; SELECT id FROM t ORDER BY id", { tenant: "t1" });
  expect(await waitFor("row 1 on the standby", async () => ((await weak("host4")).out === "1" ? true : undefined))).toBe(true);
  expect((await sqlAt("host4", "host4", "INSERT INTO t VALUES (2, 'b')", { tenant: "t1" })).err).toMatch(/ERROR 4688 \(HY000\).*standby cluster support weak read only/);
  expect(await sqlAt("host1", "host1", "ALTER SYSTEM DISABLE CLUSTER SYNCHRONIZATION obcluster CLUSTER_ID 7")).toMatchObject({ code: 0 });
  expect(await sqlAt("host1", "host1", "INSERT INTO t VALUES (2, 'b')", { tenant: "t1" })).toMatchObject({ code: 0 });
  expect((await sqlAt("host1", "host1", "SELECT switchover_status FROM oceanbase.V$OB_CLUSTER")).out).toBe("NOT ALLOWED");
  // Switchover while the standby is not in sync is refused.
  expect((await sqlAt("host1", "host1", "ALTER SYSTEM COMMIT TO SWITCHOVER TO PHYSICAL STANDBY")).err).toMatch(/ERROR 4179 .*switchover to physical standby/);
  expect((await weak("host5")).out).toBe("1");
  expect(await sqlAt("host1", "host1", "ALTER SYSTEM ENABLE CLUSTER SYNCHRONIZATION obcluster CLUSTER_ID 7")).toMatchObject({ code: 0 });
  expect(await waitFor("row 2 on the standby", async () => ((await weak("host5")).out === "1\n2" ? true : undefined))).toBe(true);
});

test("switchover both ways in the documented order; lossless FAILOVER TO is refused in MAXIMUM PERFORMANCE (4708); REMOVE CLUSTER disables the standby", async () => {
  expect((await sqlAt("host4", "host4", "ALTER SYSTEM COMMIT TO SWITCHOVER TO PRIMARY")).err).toMatch(/ERROR 4179/);
  await waitFor("TO STANDBY", async () => ((await sqlAt("host1", "host1", "SELECT switchover_status FROM oceanbase.V$OB_CLUSTER")).out === "TO STANDBY" ? true : undefined));
  expect(await sqlAt("host1", "host1", "ALTER SYSTEM COMMIT TO SWITCHOVER TO PHYSICAL STANDBY")).toMatchObject({ code: 0 });
  expect((await sqlAt("host1", "host1", "ALTER SYSTEM COMMIT TO SWITCHOVER TO PHYSICAL STANDBY")).err).toMatch(/ERROR 4693 .*not primary cluster/);
  expect((await sqlAt("host4", "host4", "SELECT switchover_status FROM oceanbase.V$OB_CLUSTER")).out).toBe("TO PRIMARY");
  expect(await sqlAt("host4", "host4", "ALTER SYSTEM COMMIT TO SWITCHOVER TO PRIMARY")).toMatchObject({ code: 0 });
  expect((await sqlAt("host2", "host2", "SELECT cluster_role FROM oceanbase.V$OB_CLUSTER")).out).toBe("PHYSICAL STANDBY");
  expect((await sqlAt("host5", "host5", "SELECT cluster_id, cluster_status FROM oceanbase.V$OB_STANDBY_STATUS")).out).toBe(`${ob.cluster.clusterId}\tVALID`);
  expect((await sqlAt("host1", "host1", "ALTER SYSTEM FAILOVER TO obcluster CLUSTER_ID = 7")).err).toMatch(/ERROR 4708 .*Failover is not allowed/);
  // And back.
  await waitFor("TO STANDBY", async () => ((await sqlAt("host4", "host4", "SELECT switchover_status FROM oceanbase.V$OB_CLUSTER")).out === "TO STANDBY" ? true : undefined));
  expect(await sqlAt("host4", "host4", "ALTER SYSTEM COMMIT TO SWITCHOVER TO PHYSICAL STANDBY")).toMatchObject({ code: 0 });
  await waitFor("TO PRIMARY", async () => ((await sqlAt("host1", "host1", "SELECT switchover_status FROM oceanbase.V$OB_CLUSTER")).out === "TO PRIMARY" ? true : undefined));
  expect(await sqlAt("host1", "host1", "ALTER SYSTEM COMMIT TO SWITCHOVER TO PRIMARY")).toMatchObject({ code: 0 });
  expect(await sqlAt("host1", "host1", "ALTER SYSTEM REMOVE CLUSTER obcluster CLUSTER_ID 7")).toMatchObject({ code: 0 });
  expect((await sqlAt("host1", "host1", "SELECT count(*) FROM oceanbase.V$OB_STANDBY_STATUS")).out).toBe("0");
  expect((await sqlAt("host4", "host4", "SELECT cluster_status FROM oceanbase.V$OB_CLUSTER")).out).toBe("DISABLED");
});

test("DELETE SERVER is asynchronous: refused (4624) while no other server of the zone can take its units; with one, deleting while its units migrate (a second DELETE SERVER 4628), then gone", async () => {
  const units = async (zone: string) => (await sqlAt("host4", "host4", `SELECT svr_ip, migrate_from_svr_ip FROM oceanbase.__all_unit WHERE zone = '${zone}'`)).out.split("\n").map((l) => l.split("\t"));
  const before = await units("z2");
  expect(before.length).toBeGreaterThan(0);
  expect(before.every(([ip]) => ip === addr("host5"))).toBe(true);
  const del = `ALTER SYSTEM DELETE SERVER '${addr("host5")}:2882' ZONE 'z2'`;
  expect((await sqlAt("host4", "host4", del)).err).toMatch(/ERROR 4624 \(HY000\).*machine resource 'zone z2' is not enough to hold a new unit/);
  await start("host6", "z2", 7);
  expect(await sqlAt("host4", "host4", `ALTER SYSTEM ADD SERVER '${addr("host6")}:2882' ZONE 'z2'`)).toMatchObject({ code: 0 });
  // Held (lab fault hold-migration), the server stays deleting for as long as the test looks.
  await ob.lab.fault("host5", "hold-migration");
  expect(await sqlAt("host4", "host4", del)).toMatchObject({ code: 0 });
  expect((await sqlAt("host4", "host4", `SELECT status FROM oceanbase.__all_server WHERE svr_ip = '${addr("host5")}'`)).out).toBe("deleting");
  expect((await units("z2")).every(([ip, from]) => ip === addr("host6") && from === addr("host5"))).toBe(true);
  expect((await sqlAt("host4", "host4", del)).err).toMatch(/ERROR 4628 \(HY000\)/);
  await ob.lab.fault("host5", "release-migration");
  await waitFor("host5 gone from __all_server", async () => ((await sqlAt("host4", "host4", `SELECT count(*) FROM oceanbase.__all_server WHERE svr_ip = '${addr("host5")}'`)).out === "0" ? true : undefined));
  expect((await units("z2")).every(([ip, from]) => ip === addr("host6") && (from ?? "") === "")).toBe(true);
});

test("the obclient fault's counter is taken under a lock: of eight runs at once, after the one let through, exactly two fail", async () => {
  await ob.lab.fault("host3", "fail", "obclient", 2, 1);
  const r = await ob.lab.exec("host3", `for i in 1 2 3 4 5 6 7 8; do (obclient --version >/dev/null 2>&1; echo "rc=$?") & done; wait`);
  const codes = r.stdout.split("\n").filter((l) => l.startsWith("rc="));
  expect(codes.length).toBe(8);
  expect(codes.filter((c) => c !== "rc=0").length).toBe(2);
  expect((await sqlAt("host3", "host1", "SELECT 1")).out).toBe("1");
});
