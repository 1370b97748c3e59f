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
const job = { home: "/home/admin", cron: "", scriptSha256: null, cnfSha256: null, cnfMode: null, runs: [], alarms: [] };
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
