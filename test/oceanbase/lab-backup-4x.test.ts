/**
 * The lab's OceanBase 4.x, by hand with obclient over SSH: tenant-level archiving and backups
 * from the sys tenant, the delete policy, and the refusals the real 4.x server gives.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startObLab, waitFor, type ObLab } from "./helpers";

let ob: ObLab;
beforeAll(async () => {
  ob = await startObLab({ version: "4.2.1", tenants: ["t1", "t2"] });
});
afterAll(async () => {
  await ob?.stop();
});

const H = "host2";
const status = async (tenant: number) => (await ob.rows(H, `SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = ${tenant}`))[0]?.[0];

test("version functions and the user tenants", async () => {
  expect(await ob.rows(H, "SELECT ob_version()")).toEqual([["4.2.1.0"]]);
  expect(await ob.rows(H, "select @@version_comment")).toEqual([[expect.stringMatching(/^OceanBase 4\.2\.1\.0 /)]]);
  expect(await ob.rows(H, "SELECT tenant_id, tenant_name, tenant_role FROM oceanbase.DBA_OB_TENANTS WHERE tenant_type = 'USER' ORDER BY tenant_id")).toEqual([["1002", "t1", "PRIMARY"], ["1004", "t2", "PRIMARY"]]);
});

test("tenant-level archive and backups, with the 4.x refusals", async () => {
  const root = `${ob.cluster.sharedDir}/b4`;
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP TENANT = t1")).stderr).toMatch(/ERROR 9040 \(HY000\).*backup can not start, because backup dest is not set\./);
  expect((await ob.sql(H, `ALTER SYSTEM SET LOG_ARCHIVE_DEST = 'PIECE_SWITCH_INTERVAL=1d' TENANT = t1`)).stderr).toMatch(/ERROR 1235 \(0A000\).*set archive dest without location is not supported/);
  expect((await ob.sql(H, `ALTER SYSTEM SET LOG_ARCHIVE_DEST = 'LOCATION=file://${root}/t1/arch PIECE_SWITCH_INTERVAL=8d' TENANT = t1`)).stderr).toMatch(/ERROR 1235 \(0A000\).*invalid piece_switch_interval out of range \[1d,7d\] is not supported/);
  const set = await ob.sql(H, `ALTER SYSTEM SET LOG_ARCHIVE_DEST = 'LOCATION=file://${root}/t1/arch PIECE_SWITCH_INTERVAL=1d' TENANT = t1; ALTER SYSTEM SET DATA_BACKUP_DEST = 'file://${root}/t1/data' TENANT = t1`);
  expect(set).toMatchObject({ code: 0 });
  expect(fs.existsSync(path.join(root, "t1", "arch", "format"))).toBe(true);
  // A non-empty directory that is not a backup destination is refused.
  fs.mkdirSync(path.join(root, "t2", "busy"), { recursive: true });
  fs.writeFileSync(path.join(root, "t2", "busy", "somebody-else"), "x");
  expect((await ob.sql(H, `ALTER SYSTEM SET DATA_BACKUP_DEST = 'file://${root}/t2/busy' TENANT = t2`)).stderr).toMatch(/ERROR 9080 \(HY000\)/);
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP TENANT = t1")).stderr).toMatch(/ERROR 9040 \(HY000\).*backup can not start, because log archive status is not doing\./);

  expect((await ob.sql(H, "ALTER SYSTEM ARCHIVELOG TENANT = t1")).code).toBe(0);
  expect((await ob.sql(H, "ALTER SYSTEM ARCHIVELOG TENANT = t1")).stderr).toMatch(/ERROR 9091 \(HY000\).*Already in ARCHIVELOG mode/);
  await waitFor("t1 archiving DOING", async () => ((await status(1002)) === "DOING" ? true : undefined));
  expect(await ob.rows(H, "SELECT name, value FROM oceanbase.CDB_OB_ARCHIVE_DEST WHERE tenant_id = 1002 ORDER BY name")).toEqual([
    ["binding", "OPTIONAL"], ["dest_id", "1001"], ["path", `file://${root}/t1/arch`], ["piece_switch_interval", "1d"], ["state", "ENABLE"],
  ]);
  // Changing the archive destination while archiving runs.
  expect((await ob.sql(H, `ALTER SYSTEM SET LOG_ARCHIVE_DEST = 'LOCATION=file://${root}/t1/other' TENANT = t1`)).stderr).toMatch(/ERROR 1235 \(0A000\).*change archive dest when archive is running is not supported/);

  // An incremental with no full runs as a full; then a second backup at once is refused.
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP INCREMENTAL TENANT = t1")).code).toBe(0);
  expect(await ob.rows(H, "SELECT backup_set_id, backup_type, status FROM oceanbase.CDB_OB_BACKUP_JOBS WHERE tenant_id = 1002")).toEqual([["1", "FULL", "DOING"]]);
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP INCREMENTAL TENANT = t1")).stderr).toMatch(/ERROR 9036 \(HY000\).*Backup is in progress/);
  expect((await ob.sql(H, `ALTER SYSTEM SET DATA_BACKUP_DEST = 'file://${root}/t1/data2' TENANT = t1`)).stderr).toMatch(/ERROR 9036 \(HY000\)/);
  await waitFor("set 1 done", async () => ((await ob.rows(H, "SELECT status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1002 AND backup_set_id = 1"))[0]?.[0] === "SUCCESS" ? true : undefined));
  expect(fs.existsSync(path.join(root, "t1", "data", "backup_set_1_full", "backup_set_info"))).toBe(true);
  expect(fs.existsSync(path.join(root, "t1", "arch", "piece_d1r1p1", "archive_key"))).toBe(true);
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP INCREMENTAL TENANT = t1")).code).toBe(0);
  await waitFor("set 2 done", async () => ((await ob.rows(H, "SELECT backup_type, status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1002 AND backup_set_id = 2"))[0]?.join() === "INC,SUCCESS" ? true : undefined));
});

test("backup of backups is not supported in 4.x", async () => {
  for (const stmt of ["ALTER SYSTEM BACKUP BACKUPSET ALL NOT BACKED UP 1 TIMES", `ALTER SYSTEM SET BACKUP_BACKUP_DEST = 'file://${ob.cluster.sharedDir}/bb'`]) {
    expect((await ob.sql(H, stmt)).stderr).toMatch(/ERROR 1235 \(0A000\)/);
  }
});

test("delete policy: one per tenant, dropped by name; NOARCHIVELOG twice is refused", async () => {
  expect((await ob.sql(H, "ALTER SYSTEM ADD DELETE BACKUP POLICY 'default' RECOVERY_WINDOW '7d' TENANT = t1")).code).toBe(0);
  expect((await ob.sql(H, "ALTER SYSTEM ADD DELETE BACKUP POLICY 'default' RECOVERY_WINDOW '3d' TENANT = t1")).stderr).toMatch(/ERROR 4017 \(HY000\)/);
  expect(await ob.rows(H, "SELECT tenant_id, policy_name, recovery_window FROM oceanbase.CDB_OB_BACKUP_DELETE_POLICY")).toEqual([["1002", "default", "7d"]]);
  expect((await ob.sql(H, "ALTER SYSTEM DROP DELETE BACKUP POLICY 'default' TENANT = t2")).stderr).toMatch(/ERROR 4018 \(HY000\)/);
  expect((await ob.sql(H, "ALTER SYSTEM NOARCHIVELOG TENANT = t1")).code).toBe(0);
  expect((await ob.sql(H, "ALTER SYSTEM NOARCHIVELOG TENANT = t1")).stderr).toMatch(/ERROR 9092 \(HY000\).*Already in NOARCHIVELOG mode/);
});
