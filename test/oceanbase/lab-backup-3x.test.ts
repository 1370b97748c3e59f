/**
 * The lab's OceanBase 3.x, by hand: a DBA on a lab host runs obclient (Debian's MariaDB client)
 * over SSH against the OBServer stand-in, through the cluster-level backup procedure of
 * oceanbase.md, and meets the refusals the real server gives.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startObLab, waitFor, type ObLab } from "./helpers";

let ob: ObLab;
beforeAll(async () => {
  ob = await startObLab({ version: "3.2.4", tenants: ["t1"] });
});
afterAll(async () => {
  await ob?.stop();
});

const H = "host3";

test("lab.json records the cluster, and every host runs one observer with the real flags", async () => {
  const labJson = JSON.parse(fs.readFileSync(path.join(ob.lab.dir, "lab.json"), "utf8"));
  expect(labJson.oceanbase).toEqual([expect.objectContaining({ name: "obcluster", version: "3.2.4", clusterId: ob.cluster.clusterId, tenants: ["t1"] })]);
  expect(ob.cluster.servers.map((s) => [s.host, s.zone, s.sqlPort, s.rpcPort])).toEqual([["host1", "z1", 2881, 2882], ["host2", "z2", 2881, 2882], ["host3", "z3", 2881, 2882]]);
  expect(fs.statSync(ob.cluster.passwordFile).mode & 0o777).toBe(0o600);
  const status = await ob.lab.status();
  for (const h of status.hosts) expect(h.processes).toEqual([expect.objectContaining({ family: "ob", instance: "observer.obcluster", alive: true })]);
  const ps = await ob.lab.exec("host1", `cat /proc/$(cat ${ob.lab.host("host1").obHome}/obcluster/run/observer.pid)/cmdline | tr '\\0' ' '`);
  expect(ps.stdout).toMatch(/-z z1 -p 2881 -P 2882 -n obcluster -c \d+ -d \S+\/store -r 127\.\S+:2882:2881;\S+ -o /);
});

test("a wrong password is refused as OceanBase refuses it; the version comes from the server", async () => {
  const bad = await ob.sql(H, "select 1", { password: "wrong-password" });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^ERROR 1045 \(42000\): Access denied for user 'root'@'[\d.]+' \(using password: YES\)/m);
  expect(await ob.rows(H, "select @@version_comment")).toEqual([[expect.stringMatching(/^OceanBase 3\.2\.4\.0 /)]]);
  const noFn = await ob.sql(H, "select ob_version()");
  expect(noFn.stderr).toMatch(/ERROR 1305 \(42000\)/);
});

test("archive, then full and incremental backups, with the server's refusals on the way", async () => {
  const dest = `file://${ob.cluster.sharedDir}/backup3`;
  // A data backup before archiving is DOING.
  const early = await ob.sql(H, "ALTER SYSTEM BACKUP DATABASE");
  expect(early.stderr).toMatch(/ERROR 9040 \(HY000\) at line 1: backup can not start, because log archive is not doing\. log archive status : STOP\./);
  // ARCHIVELOG without a destination.
  expect((await ob.sql(H, "ALTER SYSTEM ARCHIVELOG")).stderr).toMatch(/ERROR 9026 \(HY000\).*backup destination is not valid/);
  // An NFS path with '?'.
  expect((await ob.sql(H, `ALTER SYSTEM SET backup_dest='file:///nfs/a?b'`)).stderr).toMatch(/ERROR 1235 \(0A000\).*backup device is nfs, setting '\?' is not supported/);
  expect((await ob.sql(H, `ALTER SYSTEM SET backup_dest_option='log_archive_piece_switch_interval=9d'`)).stderr).toMatch(/ERROR 1235 \(0A000\).*invalid piece_switch_interval out of range \[1d,7d\] is not supported/);

  expect((await ob.sql(H, `ALTER SYSTEM SET backup_dest='${dest}'; ALTER SYSTEM SET backup_dest_option='recovery_window=7d&auto_delete_obsolete_backup=true&log_archive_piece_switch_interval=1d'; ALTER SYSTEM ARCHIVELOG`)).code).toBe(0);
  // Seen from another server: one cluster.
  const beginning = await ob.rows("host1", "SELECT tenant_id, status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG ORDER BY tenant_id");
  expect(beginning.map((r) => r[0])).toEqual(["1", "1001"]);
  expect((await ob.sql(H, "ALTER SYSTEM ARCHIVELOG")).stderr).toMatch(/ERROR 9023 \(HY000\).*cannot start log archive backup/);
  await waitFor("archiving DOING", async () => ((await ob.rows(H, "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0]?.[0] === "DOING" ? true : undefined));
  // The destination cannot change while archiving runs.
  expect((await ob.sql(H, `ALTER SYSTEM SET backup_dest='file://${ob.cluster.sharedDir}/other'`)).stderr).toMatch(/ERROR 9036 \(HY000\).*Backup is in progress/);
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP INCREMENTAL DATABASE")).stderr).toMatch(/ERROR 9040/);

  expect((await ob.sql(H, "ALTER SYSTEM BACKUP DATABASE")).code).toBe(0);
  // A full and an incremental at once.
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP INCREMENTAL DATABASE")).stderr).toMatch(/ERROR 9036 \(HY000\) at line 1: Backup is in progress/);
  expect(await ob.rows(H, "SELECT bs_key, backup_type, status FROM oceanbase.CDB_OB_BACKUP_PROGRESS WHERE tenant_id = 1")).toEqual([["1", "D", "RUNNING"]]);
  await waitFor("full set 1", async () => ((await ob.rows(H, "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE bs_key = 1 AND status = 'SUCCESS'"))[0][0] === "2" ? true : undefined));
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP INCREMENTAL DATABASE")).code).toBe(0);
  const sets = await waitFor("incremental set 2", async () => {
    const r = await ob.rows(H, "SELECT bs_key, backup_type, status, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1001 ORDER BY bs_key");
    return r.length === 2 ? r : undefined;
  });
  expect(sets).toEqual([["1", "D", "SUCCESS", "AVAILABLE"], ["2", "I", "SUCCESS", "AVAILABLE"]]);
  // Real files under the destination, for every tenant.
  const root = path.join(ob.cluster.sharedDir, "backup3", "obcluster", String(ob.cluster.clusterId), "incarnation_1");
  for (const t of ["1", "1001"]) {
    expect(fs.existsSync(path.join(root, t, "data", "backup_set_1", "backup_set_info"))).toBe(true);
    expect(fs.existsSync(path.join(root, t, "data", "backup_set_2", "macro_block_data"))).toBe(true);
    expect(fs.existsSync(path.join(root, t, "clog", "1", "archive_key"))).toBe(true);
  }
  expect((await ob.sql(H, "ALTER SYSTEM CANCEL BACKUP")).stderr).toMatch(/ERROR 9049 \(HY000\)/);
});

test("backup of backups: BACKUP BACKUPSET / BACKUPPIECE copy sets and pieces to backup_backup_dest, with the server's refusals", async () => {
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP BACKUPSET ALL NOT BACKED UP 1 TIMES")).stderr).toMatch(/ERROR 9026 \(HY000\).*backup destination is not valid/);
  expect((await ob.sql(H, `ALTER SYSTEM SET backup_backup_dest = 'file://${ob.cluster.sharedDir}/backup3'`)).stderr).toMatch(/ERROR 9026 \(HY000\)/);
  expect((await ob.sql(H, `ALTER SYSTEM SET backup_backup_dest = 'file://${ob.cluster.sharedDir}/bb3'`)).code).toBe(0);
  // backup_dest cannot change while backup_backup_dest is set (nor while archiving runs: 9036 first).
  expect((await ob.sql(H, `ALTER SYSTEM SET backup_dest = 'file://${ob.cluster.sharedDir}/other'`)).stderr).toMatch(/ERROR 9036 \(HY000\)/);
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP BACKUPSET ALL NOT BACKED UP 1 TIMES")).code).toBe(0);
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP BACKUPSET ALL NOT BACKED UP 1 TIMES")).stderr).toMatch(/ERROR 4023 \(HY000\).*Try again/);
  await waitFor("the copies", async () => ((await ob.rows(H, "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE copy_id = 1 AND status = 'SUCCESS'"))[0][0] === "4" ? true : undefined));
  expect(await ob.rows(H, "SELECT bs_key, copy_id, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 ORDER BY bs_key, copy_id")).toEqual([["1", "0", "AVAILABLE"], ["1", "1", "AVAILABLE"], ["2", "0", "AVAILABLE"], ["2", "1", "AVAILABLE"]]);
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP BACKUPSET ALL NOT BACKED UP 1 TIMES")).stderr).toMatch(/ERROR 9050 \(HY000\).*no backup data to be backuped up/);
  // The round being archived is the active piece: copied only WITH ACTIVE BACKUPPIECE.
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP BACKUPPIECE ALL NOT BACKED UP 1 TIMES")).stderr).toMatch(/ERROR 9050/);
  expect((await ob.sql(H, "ALTER SYSTEM BACKUP BACKUPPIECE ALL NOT BACKED UP 1 TIMES WITH ACTIVE BACKUPPIECE")).code).toBe(0);
  await waitFor("the piece copies", async () => ((await ob.rows(H, "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_PIECE_FILES WHERE copy_id = 1"))[0][0] === "2" ? true : undefined));
  const copy = path.join(ob.cluster.sharedDir, "bb3", "obcluster", String(ob.cluster.clusterId), "incarnation_1");
  for (const t of ["1", "1001"]) {
    expect(fs.readdirSync(path.join(copy, t, "data", "backup_set_2")).sort()).toEqual(["backup_set_info", "macro_block_data"]);
    expect(fs.existsSync(path.join(copy, t, "clog", "1", "archive_key"))).toBe(true);
  }
});

test("major freeze and compaction state in __all_zone", async () => {
  expect((await ob.sql(H, "ALTER SYSTEM MAJOR FREEZE")).code).toBe(0);
  expect(await ob.rows(H, "select info from oceanbase.__all_zone where zone='' and name='merge_status'")).toEqual([["MERGING"]]);
  await waitFor("merge IDLE", async () => ((await ob.rows(H, "select info from oceanbase.__all_zone where zone='' and name='merge_status'"))[0][0] === "IDLE" ? true : undefined));
  expect(await ob.rows(H, "select name, value from oceanbase.__all_zone where zone='' and name in ('frozen_version','last_merged_version') order by name")).toEqual([["frozen_version", "2"], ["last_merged_version", "2"]]);
});

test("NOARCHIVELOG stops archiving; a second one is refused; cleanup keeps what the window needs", async () => {
  expect((await ob.sql(H, "ALTER SYSTEM NOARCHIVELOG")).code).toBe(0);
  expect((await ob.sql(H, "ALTER SYSTEM NOARCHIVELOG")).stderr).toMatch(/ERROR 9024 \(HY000\).*log archive backup is already disabled/);
  await waitFor("archiving STOP", async () => ((await ob.rows(H, "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0][0] === "STOP" ? true : undefined));
  // Eight days later the sets are past the 7-day window, but set 1 (the newest full) and what follows it stay.
  await ob.clock("8d");
  expect((await ob.sql(H, "ALTER SYSTEM DELETE OBSOLETE BACKUP")).code).toBe(0);
  expect(await ob.rows(H, "SELECT bs_key, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = 0 ORDER BY bs_key")).toEqual([["1", "AVAILABLE"], ["2", "AVAILABLE"]]);
});
