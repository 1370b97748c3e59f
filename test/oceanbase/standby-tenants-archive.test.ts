/**
 * oceanbase.StandbyCluster on 4.x with the primary tenant's log archive as the standby tenant's
 * log restore source (`logRestoreFrom: "archive"`, LOCATION=) through the local engine
 * (examples/ob-standby-tenants, one standby host): a DBA archives t1's log to the lab's shared
 * directory (its NFS stand-in); up deploys the one-zone standby cluster on host4 and creates t1
 * there (on the primary tenant's service, the only source CREATE STANDBY TENANT takes, then switched
 * to that archive). That first up is cut between the two statements (the session dies before the
 * SET): refresh shows t1 following the service (CDB_OB_LOG_RESTORE_SOURCE), the next up switches it
 * to the archive; rows written on the primary arrive through the archive; a second up is quiet. A
 * source pointed back at the service by hand is shown by refresh and repaired by up; the password
 * the view prints is never in the stack's state. By hand, the lab refuses CREATE STANDBY TENANT
 * with a LOCATION source (1235) and a LOCATION that holds no archive, as the real server does.
 */
import { outcome } from "../examples/helpers";
import { standbySteps as steps, waitFor } from "./helpers";
import { observedInState } from "./standby-helpers";
import { tenantPairPerFile } from "./tenant-pair";
import { TENANT_READ } from "../../provider/oceanbase/standby/sql-tenants";

jest.setTimeout(240_000);

const pair = tenantPairPerFile({ hosts: 4 });

const archive = () => `file://${pair.ob.cluster.sharedDir}/archive/t1`;
const stack = () => pair.stack.withEnv({ OB_LOG_RESTORE_FROM: "archive", OB_STANDBY_HOSTS: "1" });

test("logRestoreFrom archive: an up cut between CREATE STANDBY TENANT and the switch to the archive leaves t1 on the service, which refresh shows; the next up switches it; rows arrive through the archive; a second up is quiet", async () => {
  expect(await pair.sql("primary", "CREATE TABLE x (id INT PRIMARY KEY); INSERT INTO x VALUES (1)", { tenant: "t1" })).toMatchObject({ code: 0 });
  // Not archiving yet: refused before any step, saying what to turn on.
  const early = await stack().engine("up");
  expect(early.code).not.toBe(0);
  expect(early.out).toMatch(/logRestoreFrom: archive: tenant t1 on the primary is not archiving its log \(CDB_OB_ARCHIVELOG has no round\): turn on its log archive/);
  expect(steps(early)).toEqual([]);

  expect(await pair.sql("primary", `ALTER SYSTEM SET LOG_ARCHIVE_DEST = 'LOCATION=${archive()}' TENANT = t1; ALTER SYSTEM ARCHIVELOG TENANT = t1`)).toMatchObject({ code: 0 });
  await waitFor("t1's archive DOING", async () => ((await pair.sql("primary", "SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002")).out === "DOING" ? true : undefined));
  // The up is cut between CREATE STANDBY TENANT and the switch to the archive: host4's observer
  // drops the session carrying the SET (the CREATE before it in the batch ran).
  await pair.ob.lab.fault("host4", "fail", "observer", 1, "--when", "SET LOG_RESTORE_SOURCE");
  const cut = await stack().engine("up");
  expect(cut.code).not.toBe(0);
  // CREATE STANDBY TENANT takes only a SERVICE source: created on the service, then switched to the archive.
  expect(steps(cut).join("\n")).toMatch(/CREATE STANDBY TENANT t1 \(log restore source SERVICE=[\d.:;]+ USER=root@t1\), then SET LOG_RESTORE_SOURCE TENANT = t1 \(LOCATION=.*\.\.\. FAILED/);
  expect(steps(cut).join("\n")).toContain(`(LOCATION=${archive()})`);
  expect(cut.out).toMatch(/ERROR 2013/);

  const refresh = await stack().engine("refresh");
  expect(refresh.code).toBe(0);
  expect(refresh.out).toMatch(/drift: the next up would run:.*SET LOG_RESTORE_SOURCE TENANT = t1 \(LOCATION=[^)]+\): it follows SERVICE=[\d.:;]+ USER=root@t1, and logRestoreFrom is archive/s);
  expect(observedInState(pair.stack).tenants).toEqual([expect.objectContaining({ name: "t1", role: "STANDBY", logRestoreSource: { kind: "service", address: expect.stringMatching(/^[\d.:;]+$/), user: "root@t1" } })]);

  const up = await stack().engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(steps(up)).toEqual([expect.stringMatching(new RegExp(` sql SET LOG_RESTORE_SOURCE TENANT = t1 \\(LOCATION=${archive()}\\): it follows SERVICE=.* \\.\\.\\. ok`))]);
  expect(await waitFor("row 1 on the standby tenant", async () => ((await pair.ids("standby")) === "1" ? true : undefined))).toBe(true);
  expect(await pair.sql("primary", "INSERT INTO x VALUES (2)", { tenant: "t1" })).toMatchObject({ code: 0 });
  await waitFor("row 2 through the archive", async () => ((await pair.ids("standby")) === "1,2" ? true : undefined));
  expect((await pair.stack.outputs()).standbyTenants).toMatchObject({ tenants: [{ name: "t1", role: "STANDBY", syncStatus: "NORMAL", logRestoreSource: { kind: "archive", address: archive() } }], standbyCluster: { servers: [{ zone: "z1", status: "ACTIVE" }] } });
  expect(steps(await stack().engine("up"))).toEqual([]);
});

test("by hand: CREATE STANDBY TENANT with a LOCATION source is refused (1235, as OceanBase's create checks only SERVICE); a LOCATION that holds no log archive is refused (4002, the lab's text a guess)", async () => {
  const created = await pair.sql("standby", `CREATE STANDBY TENANT t9 LOG_RESTORE_SOURCE = 'LOCATION=${archive()}'`);
  expect(created.err).toMatch(/ERROR 1235 \(0A000\).*LOCATION log restore source is not supported/);
  const r = await pair.sql("standby", `ALTER SYSTEM SET LOG_RESTORE_SOURCE = 'LOCATION=file://${pair.ob.cluster.sharedDir}/nothing-here' TENANT = t1`);
  expect(r.err).toMatch(/ERROR 4002 \(HY000\).*no log archive there/);
  expect(await pair.ids("standby")).toBe("1,2");
});

test("a source pointed back at the service by hand: refresh shows it (CDB_OB_LOG_RESTORE_SOURCE) and what up would run; up switches it to the archive again; the password the view prints is in no state", async () => {
  const service = pair.ob.cluster.servers.map((x) => `${x.address}:${x.sqlPort}`).join(";");
  expect(await pair.sql("standby", `ALTER SYSTEM SET LOG_RESTORE_SOURCE = 'SERVICE=${service} USER=root@t1 PASSWORD=${pair.ob.password}' TENANT = t1`)).toMatchObject({ code: 0 });
  // The view prints the password as the community edition keeps it.
  expect((await pair.sql("standby", "SELECT type, value FROM oceanbase.CDB_OB_LOG_RESTORE_SOURCE")).out).toBe(`SERVICE\tIP_LIST=${service},USER=root@t1,PASSWORD=${pair.ob.password},TENANT_ID=1002,CLUSTER_ID=${pair.ob.cluster.clusterId},COMPATIBILITY_MODE=MYSQL,IS_ENCRYPTED=false`);
  // The product's own read: the server cuts the password off before the reply leaves it.
  expect((await pair.sql("standby", TENANT_READ.source)).out).toBe(`1002\tSERVICE\tIP_LIST=${service},USER=root@t1`);
  const refresh = await stack().engine("refresh");
  expect(refresh.code).toBe(0);
  expect(refresh.out).toMatch(/drift: the next up would run:.*SET LOG_RESTORE_SOURCE TENANT = t1 \(LOCATION=[^)]+\): it follows SERVICE=/s);
  expect(observedInState(pair.stack).tenants[0].logRestoreSource).toEqual({ kind: "service", address: service, user: "root@t1" });
  const up = await stack().engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(steps(up)).toEqual([expect.stringMatching(/ sql SET LOG_RESTORE_SOURCE TENANT = t1 \(LOCATION=.*\.\.\. ok/)]);
  expect((await pair.sql("standby", "SELECT type, value FROM oceanbase.CDB_OB_LOG_RESTORE_SOURCE")).out).toBe(`LOCATION\t${archive()}`);
  expect(steps(await stack().engine("up"))).toEqual([]);
  expect(require("node:fs").readFileSync(pair.stack.stateFile(), "utf8")).not.toContain(pair.ob.password);
});
