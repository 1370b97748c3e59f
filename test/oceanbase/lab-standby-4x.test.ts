/**
 * The lab's 4.x standby tenants, by hand: a DBA on a second 4.x cluster (sys tenant only) creates
 * a standby tenant of the primary's t1 with a net-service log restore source, reads t1's rows on
 * it, meets the refusals, switches over both ways and activates; bootstraps a cluster of its own
 * on a bare 4.x observer and sets root@sys's password (codes and texts marked `guess` in
 * lab/sim/oceanbase/errors.ts where no source shows them).
 */
import { runLabCli } from "../helpers/lab";
import { waitFor } from "./helpers";
import { startTenantPair, type PairSide, type TenantPair } from "./tenant-pair";

jest.setTimeout(180_000);

let pair: TenantPair;
beforeAll(async () => {
  pair = await startTenantPair({ labStandby: true });
}, 120_000);
afterAll(async () => pair?.ob.stop());

const addr = (h: string) => pair.ob.lab.host(h).address;
const P = () => `${addr("host1")}:${pair.ob.cluster.servers[0].sqlPort}`;
const S = () => `${addr("host4")}:${pair.standby!.servers[0].sqlPort}`;
const sqlAt = (side: PairSide, sql: string, o: { tenant?: string; password?: string } = {}) => pair.sql(side, sql, o);
const ids = (side: PairSide) => pair.ids(side);
const source = (service: string, user: string, password: string) => `'SERVICE=${service} USER=${user} PASSWORD=${password}'`;
const roles = async (server: PairSide) => (await sqlAt(server, "SELECT tenant_name, tenant_role, switchover_status FROM oceanbase.DBA_OB_TENANTS WHERE tenant_type = 'USER'")).out;

test("CREATE STANDBY TENANT checks its log restore source: the address, the tenant, the user's password", async () => {
  expect((await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(P(), "root@t1", "wrong")}`)).err).toMatch(/ERROR 1045 \(42000\).*Access denied for user 'root@t1'/);
  expect((await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(P(), "root@nosuch", pair.ob.password)}`)).err).toMatch(/ERROR 1045 \(42000\)/);
  expect((await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(`${addr("host1")}:2999`, "root@t1", pair.ob.password)}`)).err).toMatch(/ERROR 4179 \(HY000\).*check network/);
  const noUser = await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = 'SERVICE=${P()} PASSWORD=${pair.ob.password}'`);
  expect(noUser.err).toMatch(/ERROR 4002 \(HY000\).*PASSWORD=\*\*\*/);
  // obclient echoes the statement it sent; the server's message masks the password.
  expect(noUser.err.split("\n").find((l) => l.startsWith("ERROR"))).not.toContain(pair.ob.password);
  // The refused statements left nothing behind.
  expect(await roles("standby")).toBe("");
});

test("a standby tenant follows its primary tenant's rows and refuses writes with OceanBase's error", async () => {
  expect(await sqlAt("primary", "CREATE TABLE x (id INT PRIMARY KEY); INSERT INTO x VALUES (1)", { tenant: "t1" })).toMatchObject({ code: 0 });
  expect(await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(P(), "root@t1", pair.ob.password)}`)).toMatchObject({ code: 0 });
  expect((await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(P(), "root@t1", pair.ob.password)}`)).err).toMatch(/ERROR 5157 \(HY000\).*tenant 't1' already exist/);
  expect(await sqlAt("standby", `CREATE STANDBY TENANT IF NOT EXISTS t1 LOG_RESTORE_SOURCE = ${source(P(), "root@t1", pair.ob.password)}`)).toMatchObject({ code: 0 });
  expect(await roles("standby")).toBe("t1\tSTANDBY\tNORMAL");
  expect(await roles("primary")).toBe("t1\tPRIMARY\tNORMAL");
  // The standby tenant's users are the primary tenant's: root@t1 logs in with its password.
  expect(await waitFor("row 1 on the standby tenant", async () => ((await ids("standby")) === "1" ? true : undefined))).toBe(true);
  expect(await sqlAt("primary", "INSERT INTO x VALUES (2)", { tenant: "t1" })).toMatchObject({ code: 0 });
  await waitFor("row 2 on the standby tenant", async () => ((await ids("standby")) === "1,2" ? true : undefined));
  expect((await sqlAt("standby", "INSERT INTO x VALUES (3)", { tenant: "t1" })).err).toMatch(/ERROR 6312 \(HY000\).*standby tenant is read only/);
  const st = (await sqlAt("standby", "SELECT tenant_id, sync_status FROM oceanbase.V$OB_LS_LOG_RESTORE_STATUS")).out.split("\t");
  expect(st[1]).toBe("NORMAL");
});

test("switchover both ways: the primary is demoted first, the old primary follows once its source is set", async () => {
  expect((await sqlAt("standby", "ALTER SYSTEM SWITCHOVER TO PRIMARY TENANT = t1")).err).toMatch(/ERROR 4179 \(HY000\).*switch the primary to standby first/);
  expect((await sqlAt("primary", "ALTER SYSTEM SWITCHOVER TO PRIMARY TENANT")).err).toMatch(/ERROR 4179/);
  expect(await sqlAt("primary", "INSERT INTO x VALUES (3)", { tenant: "t1" })).toMatchObject({ code: 0 });
  expect(await sqlAt("primary", "ALTER SYSTEM SWITCHOVER TO STANDBY TENANT = t1")).toMatchObject({ code: 0 });
  expect(await roles("primary")).toBe("t1\tSTANDBY\tNORMAL");
  expect((await sqlAt("primary", "INSERT INTO x VALUES (4)", { tenant: "t1" })).err).toMatch(/ERROR 6312/);
  // The standby takes over once it has row 3 (the last the old primary wrote).
  await waitFor("switchover to primary", async () => ((await sqlAt("standby", "ALTER SYSTEM SWITCHOVER TO PRIMARY TENANT = t1")).code === 0 ? true : undefined));
  expect(await roles("standby")).toBe("t1\tPRIMARY\tNORMAL");
  expect(await ids("standby")).toBe("1,2,3");
  expect(await sqlAt("standby", "INSERT INTO x VALUES (4)", { tenant: "t1" })).toMatchObject({ code: 0 });
  expect(await sqlAt("primary", `ALTER SYSTEM SET LOG_RESTORE_SOURCE = ${source(S(), "root@t1", pair.ob.password)} TENANT = t1`)).toMatchObject({ code: 0 });
  await waitFor("row 4 on the old primary", async () => ((await ids("primary")) === "1,2,3,4" ? true : undefined));

  // And back.
  expect(await sqlAt("standby", "ALTER SYSTEM SWITCHOVER TO STANDBY TENANT = t1")).toMatchObject({ code: 0 });
  await waitFor("switchover back", async () => ((await sqlAt("primary", "ALTER SYSTEM SWITCHOVER TO PRIMARY TENANT = t1")).code === 0 ? true : undefined));
  expect(await sqlAt("standby", `ALTER SYSTEM SET LOG_RESTORE_SOURCE = ${source(P(), "root@t1", pair.ob.password)} TENANT = t1`)).toMatchObject({ code: 0 });
  expect([await roles("primary"), await roles("standby")]).toEqual(["t1\tPRIMARY\tNORMAL", "t1\tSTANDBY\tNORMAL"]);
  expect(await sqlAt("primary", "INSERT INTO x VALUES (5)", { tenant: "t1" })).toMatchObject({ code: 0 });
  await waitFor("row 5 on the standby", async () => ((await ids("standby")) === "1,2,3,4,5" ? true : undefined));
});

test("ACTIVATE STANDBY TENANT promotes a standby tenant (lossy failover); refused on a primary tenant", async () => {
  expect((await sqlAt("primary", "ALTER SYSTEM ACTIVATE STANDBY TENANT = t1")).err).toMatch(/ERROR 4179 \(HY000\).*tenant role is not STANDBY/);
  expect((await sqlAt("primary", `ALTER SYSTEM SET LOG_RESTORE_SOURCE = ${source(S(), "root@t1", pair.ob.password)} TENANT = t1`)).err).toMatch(/ERROR 4179 \(HY000\).*tenant role is not STANDBY/);
  expect(await sqlAt("standby", "ALTER SYSTEM ACTIVATE STANDBY TENANT = t1")).toMatchObject({ code: 0 });
  expect(await roles("standby")).toBe("t1\tPRIMARY\tNORMAL");
  expect(await sqlAt("standby", "INSERT INTO x VALUES (6)", { tenant: "t1" })).toMatchObject({ code: 0 });
  expect(await ids("standby")).toBe("1,2,3,4,5,6");
});

test("a plain BOOTSTRAP on bare 4.x observers started by hand: refused for a server not running, then a cluster with root@sys and no password until ALTER USER; DBA_OB_SERVERS and DBA_OB_ZONES", async () => {
  await runLabCli(["oceanbase", "binary", "--dir", pair.ob.lab.dir, "--host", "host5", "--version", "4.2.1"]);
  const h = pair.ob.lab.host("host5");
  const a = h.address;
  // A second cluster on the host: other ports, its own home and store (as a DBA would give them).
  // Started in a directory of its own: its run/ and log/ go there.
  const start = `mkdir -p ${h.obHome}/byhand && cd ${h.obHome}/byhand && ../bin/observer -z zb -p 2901 -P 2902 -n obhand -c 77 -d ${h.dataRoot}/byhand/store -r ${a}:2902:2901`;
  expect(await pair.ob.lab.exec("host5", start)).toMatchObject({ code: 0 });
  const bare = async (sql: string, password = "", port = 2901) => {
    const r = await pair.ob.lab.exec("host5", `f=$(mktemp) && IFS= read -r pw && printf '[client]\\npassword=%s\\n' "$pw" > "$f" && obclient --defaults-extra-file="$f" -h${a} -P${port} -uroot@sys -N -s -e "$(cat)"; rc=$?; rm -f "$f"; exit $rc`, `${password}\n${sql}`);
    return { code: r.code, out: r.stdout.trim(), err: r.stderr.trim() };
  };
  expect((await bare("SELECT tenant_name FROM oceanbase.DBA_OB_TENANTS")).err).toMatch(/ERROR 4006 \(HY000\)/);
  expect((await bare(`ALTER SYSTEM BOOTSTRAP ZONE 'zb' SERVER '${a}:2999'`)).err).toMatch(/ERROR 4179 \(HY000\).*not alive/);
  expect((await bare(`ALTER SYSTEM BOOTSTRAP ZONE 'other' SERVER '${a}:2902'`)).err).toMatch(/ERROR 4179 \(HY000\).*zone zb/);
  expect(await bare(`ALTER SYSTEM BOOTSTRAP REGION 'r1' ZONE 'zb' SERVER '${a}:2902'`)).toMatchObject({ code: 0 });
  expect((await bare("SELECT tenant_name FROM oceanbase.DBA_OB_TENANTS")).out).toBe("sys");
  expect((await bare("ALTER USER nobody IDENTIFIED BY 'x'")).err).toMatch(/ERROR 1396 \(HY000\)/);
  expect(await bare("ALTER USER root IDENTIFIED BY 'S3cret-pw'")).toMatchObject({ code: 0 });
  expect((await bare("SELECT 1")).err).toMatch(/ERROR 1045/);
  expect((await bare("SELECT svr_ip, svr_port, sql_port, zone, status FROM oceanbase.DBA_OB_SERVERS", "S3cret-pw")).out).toBe(`${a}\t2902\t2901\tzb\tACTIVE`);
  expect((await bare("SELECT zone, idc, region FROM oceanbase.DBA_OB_ZONES", "S3cret-pw")).out).toBe("zb\t\tr1");
  expect(await bare("ALTER SYSTEM ALTER ZONE 'zb' SET IDC = 'idc9'", "S3cret-pw")).toMatchObject({ code: 0 });
  expect((await bare("SELECT idc FROM oceanbase.DBA_OB_ZONES", "S3cret-pw")).out).toBe("idc9");

  // A second observer in zone zb, added; deleting the first (it holds sys's unit) is asynchronous:
  // DELETING while the unit moves, DELETE ZONE refused while the zone has a server.
  const second = `mkdir -p ${h.obHome}/byhand2 && cd ${h.obHome}/byhand2 && ../bin/observer -z zb -p 2911 -P 2912 -n obhand -c 77 -d ${h.dataRoot}/byhand2/store -r ${a}:2902:2901`;
  // A plain `fail observer` (no --when) is the start's: the statements the host's running observer
  // serves meanwhile neither use it up nor lose their session.
  await pair.ob.lab.fault("host5", "fail", "observer", 1);
  expect((await bare("SELECT zone FROM oceanbase.DBA_OB_ZONES", "S3cret-pw")).out).toBe("zb");
  const refused = await pair.ob.lab.exec("host5", second);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/observer: start failed: injected fault/);
  expect(await pair.ob.lab.exec("host5", second)).toMatchObject({ code: 0 });
  expect(await bare(`ALTER SYSTEM ADD SERVER '${a}:2912' ZONE 'zb'`, "S3cret-pw")).toMatchObject({ code: 0 });
  expect((await bare(`SELECT svr_ip, svr_port FROM oceanbase.DBA_OB_UNITS WHERE tenant_id = 1`, "S3cret-pw")).out).toBe(`${a}\t2902`);
  expect(await bare(`ALTER SYSTEM DELETE SERVER '${a}:2902' ZONE 'zb'`, "S3cret-pw")).toMatchObject({ code: 0 });
  expect((await bare("SELECT svr_port, status FROM oceanbase.DBA_OB_SERVERS ORDER BY svr_port", "S3cret-pw", 2911)).out).toBe("2902\tDELETING\n2912\tACTIVE");
  expect((await bare(`SELECT migrate_from_svr_port FROM oceanbase.DBA_OB_UNITS WHERE tenant_id = 1`, "S3cret-pw", 2911)).out).toBe("2902");
  expect((await bare("ALTER SYSTEM DELETE ZONE 'zb'", "S3cret-pw", 2911)).err).toMatch(/ERROR 4179 \(HY000\).*delete a zone that still has servers/);
  await waitFor("2902 gone from DBA_OB_SERVERS", async () => ((await bare("SELECT svr_port FROM oceanbase.DBA_OB_SERVERS", "S3cret-pw", 2911)).out === "2912" ? true : undefined));
  expect((await bare(`SELECT svr_port FROM oceanbase.DBA_OB_UNITS WHERE tenant_id = 1`, "S3cret-pw", 2911)).out).toBe("2912");
});
