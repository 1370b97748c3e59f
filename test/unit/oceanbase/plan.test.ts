import { planPolicy } from "../../../provider/oceanbase/plan";
import type { PolicyActual } from "../../../provider/oceanbase/read";
import { validatePolicy } from "../../../provider/oceanbase/validate";

const conn = { host: "10.0.0.1", user: "admin", privateKey: "KEY" };
const spec = (extra: object = {}) => {
  const v = validatePolicy({
    name: "weekly",
    cluster: { connection: conn, password: "S3cret!pw" },
    storage: { name: "nfs", file: { path: "/nfs/backup" } },
    schedule: { period: "week", days: [{ day: 7, mode: "full" }], time: "01:00" },
    secondary: { storage: { name: "nfs2", file: { path: "/nfs2/backup" } }, schedule: { period: "week", days: [1, 3], time: "05:00" } },
    job: { connection: { ...conn, host: "10.0.0.4" } },
    ...extra,
  });
  if (!v.ok) throw new Error(JSON.stringify(v.failures));
  return v.spec;
};
const job = { home: "/home/admin", cron: "", scriptSha256: null, cnfSha256: null, cnfMode: null, runs: [], alarms: [], keys: "" };
const cluster3 = (o: Partial<PolicyActual["cluster"]> = {}): PolicyActual["cluster"] => ({ version: "3.2.4.0", backupDest: "", backupDestOption: {}, backupBackupDest: "", archiveStatus: "STOP", archiveRound: 0, sets: [], copies: [], running: [], mergeStatus: "IDLE", lastMergedTime: 0, archiveStartMs: 0, ...o });
const sqlOf = (plan: ReturnType<typeof planPolicy>) => plan.flatMap((p) => p.operations).filter((o) => o.kind === "sql").map((o) => o.describe);

test("3.x: the secondary destination is set after backup_dest and tested like it; a new backup_dest clears backup_backup_dest first (OceanBase refuses it otherwise)", () => {
  const fresh = planPolicy(spec(), { cluster: cluster3(), job }, "B", "E");
  expect(sqlOf(fresh)).toEqual(["ALTER SYSTEM SET backup_dest = 'file:///nfs/backup'; ALTER SYSTEM SET backup_dest_option = 'recovery_window=0d&auto_delete_obsolete_backup=false&log_archive_piece_switch_interval=1d'; ALTER SYSTEM SET backup_backup_dest = 'file:///nfs2/backup'; ALTER SYSTEM ARCHIVELOG"]);
  expect(fresh[0].operations.map((o) => o.describe)).toEqual(["write a test marker into /nfs/backup", "write a test marker into /nfs2/backup"]);
  const moved = planPolicy(spec(), { cluster: cluster3({ backupDest: "file:///old", backupBackupDest: "file:///nfs2/backup" }), job }, "B", "E");
  expect(sqlOf(moved)[0]).toMatch(/^ALTER SYSTEM SET backup_backup_dest = ''; ALTER SYSTEM SET backup_dest = 'file:\/\/\/nfs\/backup'; .*ALTER SYSTEM SET backup_backup_dest = 'file:\/\/\/nfs2\/backup'/);
  // Secondary removed from the policy: the server stops copying (the copies stay).
  const { secondary: _drop, ...rest } = spec();
  const off = planPolicy(rest as ReturnType<typeof spec>, { cluster: cluster3({ backupDest: "file:///nfs/backup", backupBackupDest: "file:///nfs2/backup" }), job }, "B", "E");
  expect(sqlOf(off)[0]).toContain("ALTER SYSTEM SET backup_backup_dest = ''");
});

test("4.x: secondary is refused before any step, saying why", () => {
  const cluster4 = { ...cluster3({ version: "4.2.1.0" }), tenants: [{ id: 1002, name: "t1", archiveDest: {}, archiveStatus: "STOP", archiveRound: 0, dataDest: "", running: [], sets: [], recoveryWindowDays: null, archiveStartMs: 0, lastCompactionMs: 0 }] };
  expect(() => planPolicy(spec(), { cluster: cluster4, job }, "B", "E")).toThrow(/secondary \(backup of backups\) is OceanBase 3\.x's: 4\.2\.1\.0 has none/);
  expect(() => planPolicy(spec({ secondary: undefined }), { cluster: cluster4, job }, "B", "E")).not.toThrow();
});

test("rotated OSS keys: keys.fp records a fingerprint per destination, never the key; a rotation is applied only while archiving is STOP (3.x and 4.x), refused with what to do otherwise", () => {
  const oss = (accessKey: string) => ({ name: "oss", oss: { endpoint: "10.0.0.250:8080", bucket: "ob-backup", path: "ob", accessId: "LTAIid", accessKey } });
  const s1 = spec({ storage: oss("old-key"), secondary: undefined });
  const s2 = spec({ storage: oss("new-key"), secondary: undefined });
  const fileOp = (plan: ReturnType<typeof planPolicy>) => plan.flatMap((p) => p.operations).find((o) => o.describe.includes("keys.fp"));
  // 3.x: the destination is set, and the first up records which keys it has.
  const shown = "oss://ob-backup/ob?host=10.0.0.250:8080";
  const option = { recovery_window: "0d", auto_delete_obsolete_backup: "false", log_archive_piece_switch_interval: "1d" };
  const first = planPolicy(s1, { cluster: cluster3({ backupDest: shown, backupDestOption: option, archiveStatus: "DOING", archiveRound: 1 }), job }, "B", "E");
  expect(sqlOf(first)).toEqual([]);
  const recorded = fileOp(first)!;
  expect(JSON.stringify(recorded)).not.toContain("old-key");
  const keys = /backup_dest [0-9a-f]{64}\n/.exec(JSON.stringify(recorded).replace(/\\n/g, "\n"))![0];
  const doing = { cluster: cluster3({ backupDest: shown, backupDestOption: option, archiveStatus: "DOING", archiveRound: 1 }), job: { ...job, keys } };
  // Recorded and unchanged: nothing for the cluster, nothing to record.
  expect(sqlOf(planPolicy(s1, doing, "B", "E"))).toEqual([]);
  expect(fileOp(planPolicy(s1, doing, "B", "E"))).toBeUndefined();
  expect(() => planPolicy(s2, doing, "B", "E")).toThrow(/the OSS keys of backup_dest oss:\/\/ob-backup\/ob\?host=10\.0\.0\.250:8080 are not the ones declared \(rotated\) and log archiving is DOING .* To give it the new keys, stop archiving \(ALTER SYSTEM NOARCHIVELOG/);
  const stopped = planPolicy(s2, { ...doing, cluster: { ...doing.cluster, archiveStatus: "STOP" } }, "B", "E");
  expect(sqlOf(stopped)).toEqual(["ALTER SYSTEM SET backup_dest = 'oss://ob-backup/ob?host=10.0.0.250:8080&access_id=LTAIid&access_key=***'; ALTER SYSTEM ARCHIVELOG"]);
  expect(fileOp(stopped)).toBeDefined();
  // 4.x: per tenant; both destinations get the keys once archiving is STOP.
  const tenant = (archiveStatus: string) => ({ id: 1002, name: "t1", archiveDest: { path: `${shown.replace("/ob?", "/ob/t1/log_archive?")}`, piece_switch_interval: "1d" }, archiveStatus, archiveRound: 1, dataDest: shown.replace("/ob?", "/ob/t1/data?"), running: [], sets: [], recoveryWindowDays: null, archiveStartMs: 0, lastCompactionMs: 0 });
  const c4 = (st: string) => ({ ...cluster3({ version: "4.2.1.0" }), tenants: [tenant(st)] });
  const keys4 = /t1 [0-9a-f]{64}\n/.exec(JSON.stringify(fileOp(planPolicy(s1, { cluster: c4("DOING"), job }, "B", "E"))).replace(/\\n/g, "\n"))![0];
  expect(sqlOf(planPolicy(s1, { cluster: c4("DOING"), job: { ...job, keys: keys4 } }, "B", "E"))).toEqual([]);
  expect(() => planPolicy(s2, { cluster: c4("DOING"), job: { ...job, keys: keys4 } }, "B", "E")).toThrow(/tenant t1: the OSS keys of LOG_ARCHIVE_DEST .* are not the ones declared \(rotated\) and archiving is DOING: OceanBase refuses .* \(1235\), new keys too/);
  expect(sqlOf(planPolicy(s2, { cluster: c4("STOP"), job: { ...job, keys: keys4 } }, "B", "E"))[0]).toMatch(/^ALTER SYSTEM SET LOG_ARCHIVE_DEST = .*access_key=\*\*\*.* TENANT = t1; ALTER SYSTEM SET DATA_BACKUP_DEST = .*access_key=\*\*\*.* TENANT = t1; ALTER SYSTEM ARCHIVELOG TENANT = t1/);
});
