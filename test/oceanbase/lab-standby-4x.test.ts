/**
 * The lab's 4.x standby tenants, by hand: a DBA on a second 4.x cluster (sys tenant only) creates
 * a standby tenant of the primary's t1 with a net-service log restore source, reads t1's rows on
 * it, meets the refusals, switches over both ways and activates (codes and texts marked `guess`
 * in lab/sim/oceanbase/errors.ts where no source shows them).
 */
import * as fs from "node:fs";
import type { LabObCluster } from "../../lab/hosts/lab-json";
import { runLabCli } from "../helpers/lab";
import { startObLab, waitFor, type ObLab } from "./helpers";

jest.setTimeout(180_000);

let ob: ObLab;
let standby: LabObCluster;
let standbyPw: string;
beforeAll(async () => {
  ob = await startObLab({ version: "4.2.1", hosts: 6, tenants: ["t1"] });
  standby = JSON.parse((await runLabCli(["oceanbase", "create", "--dir", ob.lab.dir, "--name", "obstandby", "--version", "4.2.1", "--zones", "z1:host4,z2:host5,z3:host6"])).stdout) as LabObCluster;
  standbyPw = fs.readFileSync(standby.passwordFile, "utf8");
}, 120_000);
afterAll(async () => ob?.stop());

const addr = (h: string) => ob.lab.host(h).address;
const P = () => `${addr("host1")}:${ob.cluster.servers[0].sqlPort}`;
const S = () => `${addr("host4")}:${standby.servers[0].sqlPort}`;
/** obclient on the server's own host as root@<tenant>; password and statement on stdin. */
async function sqlAt(server: "primary" | "standby", sql: string, o: { password?: string; tenant?: string; flags?: string } = {}) {
  const sv = server === "primary" ? ob.cluster.servers[0] : standby.servers[0];
  const pw = o.password ?? (server === "primary" || o.tenant ? ob.password : standbyPw);
  const cmd = `f=$(mktemp) && chmod 600 "$f" && IFS= read -r pw && printf '[client]\\npassword=%s\\n' "$pw" > "$f" && obclient --defaults-extra-file="$f" -h${sv.address} -P${sv.sqlPort} -uroot@${o.tenant ?? "sys"} -N -s ${o.flags ?? ""} -e "$(cat)"; rc=$?; rm -f "$f"; exit $rc`;
  const r = await ob.lab.exec(sv.host, cmd, `${pw}\n${sql}`);
  return { code: r.code, out: r.stdout.trim(), err: r.stderr.trim() };
}
const source = (service: string, user: string, password: string) => `'SERVICE=${service} USER=${user} PASSWORD=${password}'`;
const roles = async (server: "primary" | "standby") => (await sqlAt(server, "SELECT tenant_name, tenant_role, switchover_status FROM oceanbase.DBA_OB_TENANTS WHERE tenant_type = 'USER'")).out;
/** Weak read of t1.x's ids on a side, or undefined while the query fails. */
const ids = async (server: "primary" | "standby") => {
  const r = await sqlAt(server, "SET ob_read_consistency = 'WEAK'; SELECT id FROM x ORDER BY id", { tenant: "t1" });
  return r.code === 0 ? r.out.split("\n").filter((l) => l !== "").join(",") : undefined;
};

test("CREATE STANDBY TENANT checks its log restore source: the address, the tenant, the user's password", async () => {
  expect((await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(P(), "root@t1", "wrong")}`)).err).toMatch(/ERROR 1045 \(42000\).*Access denied for user 'root@t1'/);
  expect((await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(P(), "root@nosuch", ob.password)}`)).err).toMatch(/ERROR 1045 \(42000\)/);
  expect((await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(`${addr("host1")}:2999`, "root@t1", ob.password)}`)).err).toMatch(/ERROR 4179 \(HY000\).*check network/);
  const noUser = await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = 'SERVICE=${P()} PASSWORD=${ob.password}'`);
  expect(noUser.err).toMatch(/ERROR 4002 \(HY000\).*PASSWORD=\*\*\*/);
  // obclient echoes the statement it sent; the server's message masks the password.
  expect(noUser.err.split("\n").find((l) => l.startsWith("ERROR"))).not.toContain(ob.password);
  // The refused statements left nothing behind.
  expect(await roles("standby")).toBe("");
});

test("a standby tenant follows its primary tenant's rows and refuses writes with OceanBase's error", async () => {
  expect(await sqlAt("primary", "CREATE TABLE x (id INT PRIMARY KEY); INSERT INTO x VALUES (1)", { tenant: "t1" })).toMatchObject({ code: 0 });
  expect(await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(P(), "root@t1", ob.password)}`)).toMatchObject({ code: 0 });
  expect((await sqlAt("standby", `CREATE STANDBY TENANT t1 LOG_RESTORE_SOURCE = ${source(P(), "root@t1", ob.password)}`)).err).toMatch(/ERROR 5157 \(HY000\).*tenant 't1' already exist/);
  expect(await sqlAt("standby", `CREATE STANDBY TENANT IF NOT EXISTS t1 LOG_RESTORE_SOURCE = ${source(P(), "root@t1", ob.password)}`)).toMatchObject({ code: 0 });
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
  expect(await sqlAt("primary", `ALTER SYSTEM SET LOG_RESTORE_SOURCE = ${source(S(), "root@t1", ob.password)} TENANT = t1`)).toMatchObject({ code: 0 });
  await waitFor("row 4 on the old primary", async () => ((await ids("primary")) === "1,2,3,4" ? true : undefined));

  // And back.
  expect(await sqlAt("standby", "ALTER SYSTEM SWITCHOVER TO STANDBY TENANT = t1")).toMatchObject({ code: 0 });
  await waitFor("switchover back", async () => ((await sqlAt("primary", "ALTER SYSTEM SWITCHOVER TO PRIMARY TENANT = t1")).code === 0 ? true : undefined));
  expect(await sqlAt("standby", `ALTER SYSTEM SET LOG_RESTORE_SOURCE = ${source(P(), "root@t1", ob.password)} TENANT = t1`)).toMatchObject({ code: 0 });
  expect([await roles("primary"), await roles("standby")]).toEqual(["t1\tPRIMARY\tNORMAL", "t1\tSTANDBY\tNORMAL"]);
  expect(await sqlAt("primary", "INSERT INTO x VALUES (5)", { tenant: "t1" })).toMatchObject({ code: 0 });
  await waitFor("row 5 on the standby", async () => ((await ids("standby")) === "1,2,3,4,5" ? true : undefined));
});

test("ACTIVATE STANDBY TENANT promotes a standby tenant (lossy failover); refused on a primary tenant", async () => {
  expect((await sqlAt("primary", "ALTER SYSTEM ACTIVATE STANDBY TENANT = t1")).err).toMatch(/ERROR 4179 \(HY000\).*tenant role is not STANDBY/);
  expect((await sqlAt("primary", `ALTER SYSTEM SET LOG_RESTORE_SOURCE = ${source(S(), "root@t1", ob.password)} TENANT = t1`)).err).toMatch(/ERROR 4179 \(HY000\).*tenant role is not STANDBY/);
  expect(await sqlAt("standby", "ALTER SYSTEM ACTIVATE STANDBY TENANT = t1")).toMatchObject({ code: 0 });
  expect(await roles("standby")).toBe("t1\tPRIMARY\tNORMAL");
  expect(await sqlAt("standby", "INSERT INTO x VALUES (6)", { tenant: "t1" })).toMatchObject({ code: 0 });
  expect(await ids("standby")).toBe("1,2,3,4,5,6");
});
