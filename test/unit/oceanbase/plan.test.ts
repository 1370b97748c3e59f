import { planPolicy, planPolicyDelete, unverifiedKeys } from "../../../provider/oceanbase/plan";
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
const cluster3 = (o: Partial<PolicyActual["cluster"]> = {}): PolicyActual["cluster"] => ({ version: "3.2.4.0", backupDest: "", backupDestOption: {}, backupBackupDest: "", backupBackupDestOption: {}, archiveStatus: "STOP", archiveRound: 0, sets: [], copies: [], running: [], mergeStatus: "IDLE", lastMergedTime: 0, archiveStartMs: 0, ...o });
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

test("3.x: the copies never expire unless secondary.expiryDays is declared (a stack that had copies keeps them); set once, repaired when changed by hand, turned off when undeclared or with the secondary", () => {
  const optionSql = (plan: ReturnType<typeof planPolicy>) => sqlOf(plan).join("; ").split("; ").filter((x) => /backup_backup_dest_option/.test(x));
  const base = { backupDest: "file:///nfs/backup", backupBackupDest: "file:///nfs2/backup", backupDestOption: { recovery_window: "7d", auto_delete_obsolete_backup: "false", log_archive_piece_switch_interval: "1d" } };
  const cleanup = { cleanup: { enabled: true, expiryDays: 7 } };
  // An existing stack with cleanup on and no expiryDays: nothing starts deleting its copies.
  expect(optionSql(planPolicy(spec(cleanup), { cluster: cluster3(base), job }, "B", "E"))).toEqual([]);
  expect(optionSql(planPolicy(spec(), { cluster: cluster3(base), job }, "B", "E"))).toEqual([]);
  const ten = spec({ ...cleanup, secondary: { ...spec().secondary, expiryDays: 10 } });
  expect(optionSql(planPolicy(ten, { cluster: cluster3(base), job }, "B", "E"))).toEqual(["ALTER SYSTEM SET backup_backup_dest_option = 'recovery_window=10d&auto_delete_obsolete_backup=true'"]);
  // As declared: nothing to do. Auto-delete turned off by hand: set again.
  expect(optionSql(planPolicy(ten, { cluster: cluster3({ ...base, backupBackupDestOption: { recovery_window: "10d", auto_delete_obsolete_backup: "true" } }), job }, "B", "E"))).toEqual([]);
  expect(optionSql(planPolicy(ten, { cluster: cluster3({ ...base, backupBackupDestOption: { recovery_window: "10d", auto_delete_obsolete_backup: "false" } }), job }, "B", "E"))).toHaveLength(1);
  // expiryDays dropped from the policy, or the secondary removed: nothing may go on deleting its copies.
  const expiring = cluster3({ ...base, backupBackupDestOption: { recovery_window: "10d", auto_delete_obsolete_backup: "true" } });
  expect(optionSql(planPolicy(spec(cleanup), { cluster: expiring, job }, "B", "E"))).toEqual(["ALTER SYSTEM SET backup_backup_dest_option = ''"]);
  const { secondary: _drop, ...rest } = spec(cleanup);
  expect(optionSql(planPolicy(rest as ReturnType<typeof spec>, { cluster: expiring, job }, "B", "E"))).toEqual(["ALTER SYSTEM SET backup_backup_dest_option = ''"]);
});

test("3.x delete: the copies' auto-delete is turned off (nothing goes on expiring them), archiving kept", () => {
  const expiring = cluster3({ archiveStatus: "DOING", backupBackupDestOption: { recovery_window: "7d", auto_delete_obsolete_backup: "true" } });
  expect(sqlOf(planPolicyDelete(spec(), { cluster: expiring, job }))).toEqual(["ALTER SYSTEM SET backup_backup_dest_option = ''"]);
  expect(sqlOf(planPolicyDelete(spec({ stopArchivingOnDelete: true }), { cluster: expiring, job }))).toEqual(["ALTER SYSTEM SET backup_backup_dest_option = ''; ALTER SYSTEM NOARCHIVELOG"]);
  expect(sqlOf(planPolicyDelete(spec(), { cluster: cluster3({ archiveStatus: "DOING" }), job }))).toEqual([]);
});

test("check: secondary.expiryDays is a whole number of days, at least 1, and no shorter than the cleanup's window", () => {
  const policy = (expiryDays: number, cleanup: object | undefined) => validatePolicy({ name: "weekly", cluster: { connection: conn, password: "p" }, storage: { name: "nfs", file: { path: "/nfs/backup" } }, schedule: { period: "week", days: [{ day: 7, mode: "full" }], time: "01:00" }, cleanup, secondary: { storage: { name: "nfs2", file: { path: "/nfs2/backup" } }, schedule: { period: "week", days: [1], time: "05:00" }, expiryDays }, job: { connection: conn } });
  const failures = (v: ReturnType<typeof policy>) => (v.ok ? [] : v.failures);
  expect(failures(policy(0.5, undefined))).toEqual([expect.objectContaining({ path: "secondary.expiryDays", value: 0.5, rule: expect.stringMatching(/whole number of days/) })]);
  // Shorter than the sets' window (the default 7 days included): refused, naming both.
  for (const cleanup of [{ enabled: true, expiryDays: 14 }, { enabled: true }]) {
    const days = (cleanup as { expiryDays?: number }).expiryDays ?? 7;
    expect(failures(policy(days - 1, cleanup))).toEqual([{ path: "secondary.expiryDays", value: days - 1, rule: `a copy may not expire before the set it copies: at least cleanup.expiryDays (${days}), or leave it out to keep the copies` }]);
    expect(failures(policy(days, cleanup))).toEqual([]);
  }
  // Cleanup off: the sets never expire, any window for the copies is theirs to choose.
  expect(failures(policy(1, { enabled: false, expiryDays: 14 }))).toEqual([]);
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
  // 3.x: the first up sets the destination, records which keys it has, and only then restarts archiving.
  const shown = "oss://ob-backup/ob?host=10.0.0.250:8080";
  const option = { recovery_window: "0d", auto_delete_obsolete_backup: "false", log_archive_piece_switch_interval: "1d" };
  const first = planPolicy(s1, { cluster: cluster3(), job }, "B", "E");
  expect(first.map((p) => [p.title, p.operations.map((o) => o.kind)]).filter(([, k]) => k.length > 0)).toEqual([
    ["test the backup storage", ["storage-test"]],
    ["backup destination and log archiving", ["sql"]],
    ["record the destinations' OSS keys", ["write-file"]],
    ["restart log archiving", ["sql"]],
    ["wait for archiving", ["wait"]],
    ["job host: script, defaults file, cron", ["write-file", "write-file", "crontab"]],
  ]);
  expect(sqlOf(first)).toEqual([expect.stringMatching(/^ALTER SYSTEM SET backup_dest = .*access_key=\*\*\*'; ALTER SYSTEM SET backup_dest_option = .*'$/), "ALTER SYSTEM ARCHIVELOG"]);
  const recorded = fileOp(first)!;
  expect(JSON.stringify(recorded)).not.toContain("old-key");
  const keys = /backup_dest [0-9a-f]{64}\n/.exec(JSON.stringify(recorded).replace(/\\n/g, "\n"))![0];
  const doing = { cluster: cluster3({ backupDest: shown, backupDestOption: option, archiveStatus: "DOING", archiveRound: 1 }), job: { ...job, keys } };
  // Recorded and unchanged: nothing for the cluster, nothing to record.
  expect(sqlOf(planPolicy(s1, doing, "B", "E"))).toEqual([]);
  expect(fileOp(planPolicy(s1, doing, "B", "E"))).toBeUndefined();
  expect(() => planPolicy(s2, doing, "B", "E")).toThrow(/the OSS keys of backup_dest oss:\/\/ob-backup\/ob\?host=10\.0\.0\.250:8080 are not the ones declared \(rotated\) and log archiving is DOING .* To give it the new keys, stop archiving \(ALTER SYSTEM NOARCHIVELOG/);
  const stopped = planPolicy(s2, { ...doing, cluster: { ...doing.cluster, archiveStatus: "STOP" } }, "B", "E");
  expect(sqlOf(stopped)).toEqual(["ALTER SYSTEM SET backup_dest = 'oss://ob-backup/ob?host=10.0.0.250:8080&access_id=LTAIid&access_key=***'", "ALTER SYSTEM ARCHIVELOG"]);
  // The record comes between the destination and the restart of archiving.
  const order = stopped.flatMap((p) => p.operations).map((o) => (o.kind === "sql" ? o.describe.slice(0, 25) : o.describe.includes("keys.fp") ? "keys.fp" : "")).filter((d) => d !== "");
  expect(order).toEqual(["ALTER SYSTEM SET backup_de", "keys.fp", "ALTER SYSTEM ARCHIVELOG"].map((d) => d.slice(0, 25)));
  expect(fileOp(stopped)).toBeDefined();
  // 4.x: per tenant; both destinations get the keys once archiving is STOP.
  const tenant = (archiveStatus: string) => ({ id: 1002, name: "t1", archiveDest: { path: `${shown.replace("/ob?", "/ob/t1/log_archive?")}`, piece_switch_interval: "1d" }, archiveStatus, archiveRound: 1, dataDest: shown.replace("/ob?", "/ob/t1/data?"), running: [], sets: [], recoveryWindowDays: null, archiveStartMs: 0, lastCompactionMs: 0 });
  const c4 = (st: string) => ({ ...cluster3({ version: "4.2.1.0" }), tenants: [tenant(st)] });
  const keys4 = /t1 [0-9a-f]{64}\n/.exec(JSON.stringify(fileOp(planPolicy(s1, { cluster: c4("STOP"), job }, "B", "E"))).replace(/\\n/g, "\n"))![0];
  expect(sqlOf(planPolicy(s1, { cluster: c4("DOING"), job: { ...job, keys: keys4 } }, "B", "E"))).toEqual([]);
  expect(() => planPolicy(s2, { cluster: c4("DOING"), job: { ...job, keys: keys4 } }, "B", "E")).toThrow(/tenant t1: the OSS keys of LOG_ARCHIVE_DEST .* are not the ones declared \(rotated\) and archiving is DOING: OceanBase refuses .* \(1235\), new keys too/);
  expect(sqlOf(planPolicy(s2, { cluster: c4("STOP"), job: { ...job, keys: keys4 } }, "B", "E"))[0]).toMatch(/^ALTER SYSTEM SET LOG_ARCHIVE_DEST = .*access_key=\*\*\*.* TENANT = t1; ALTER SYSTEM SET DATA_BACKUP_DEST = .*access_key=\*\*\*.* TENANT = t1$/);
});

test("an OSS destination set before any keys.fp record (a policy from before rotation, an up cut before the record): set again with the declared keys when archiving is STOP, else not recorded and said in refresh", () => {
  const s1 = spec({ storage: { name: "oss", oss: { endpoint: "10.0.0.250:8080", bucket: "ob-backup", path: "ob", accessId: "LTAIid", accessKey: "k1" } }, secondary: undefined });
  const shown = "oss://ob-backup/ob?host=10.0.0.250:8080";
  const option = { recovery_window: "0d", auto_delete_obsolete_backup: "false", log_archive_piece_switch_interval: "1d" };
  const ops = (plan: ReturnType<typeof planPolicy>) => plan.flatMap((p) => p.operations);
  // 3.x, archiving DOING: nothing is claimed (no keys.fp), nothing refused; refresh says what to do.
  const doing3 = { cluster: cluster3({ backupDest: shown, backupDestOption: option, archiveStatus: "DOING", archiveRound: 1 }), job };
  const p3 = planPolicy(s1, doing3, "B", "E");
  expect(sqlOf(p3)).toEqual([]);
  expect(ops(p3).some((o) => o.describe.includes("keys.fp"))).toBe(false);
  expect(unverifiedKeys(s1, doing3)).toEqual([expect.stringMatching(/^backup_dest: the OSS keys the server holds are not known .* to give it the declared keys, stop archiving \(ALTER SYSTEM NOARCHIVELOG\), wait for STOP, then run up again$/)]);
  // Archiving STOP: set again (storage test first), recorded, then archiving restarts.
  const stop3 = { ...doing3, cluster: { ...doing3.cluster, archiveStatus: "STOP" } };
  const r3 = planPolicy(s1, stop3, "B", "E");
  expect(sqlOf(r3)).toEqual(["ALTER SYSTEM SET backup_dest = 'oss://ob-backup/ob?host=10.0.0.250:8080&access_id=LTAIid&access_key=***'", "ALTER SYSTEM ARCHIVELOG"]);
  expect(ops(r3)[0].kind).toBe("storage-test");
  expect(ops(r3).find((o) => o.kind === "sql")!.reason).toContain("backup_dest was set before its OSS keys were recorded: set again with the declared keys");
  expect(ops(r3).some((o) => o.describe.includes("keys.fp"))).toBe(true);
  expect(unverifiedKeys(s1, stop3)).toEqual([]);
  // A backup running: not settable now, so unverified rather than refused.
  expect(sqlOf(planPolicy(s1, { ...stop3, cluster: { ...stop3.cluster, running: [{ setId: 3 }] as never } }, "B", "E"))).toEqual(["ALTER SYSTEM ARCHIVELOG"]);
  // 4.x: per tenant, the same.
  const tenant = (archiveStatus: string) => ({ id: 1002, name: "t1", archiveDest: { path: shown.replace("/ob?", "/ob/t1/log_archive?"), piece_switch_interval: "1d" }, archiveStatus, archiveRound: 1, dataDest: shown.replace("/ob?", "/ob/t1/data?"), running: [], sets: [], recoveryWindowDays: null, archiveStartMs: 0, lastCompactionMs: 0 });
  const a4 = (st: string) => ({ cluster: { ...cluster3({ version: "4.2.1.0" }), tenants: [tenant(st)] }, job });
  expect(sqlOf(planPolicy(s1, a4("DOING"), "B", "E"))).toEqual([]);
  expect(ops(planPolicy(s1, a4("DOING"), "B", "E")).some((o) => o.describe.includes("keys.fp"))).toBe(false);
  expect(unverifiedKeys(s1, a4("DOING"))).toEqual([expect.stringMatching(/^t1: the OSS keys .* stop archiving \(ALTER SYSTEM NOARCHIVELOG TENANT = t1\)/)]);
  const r4 = planPolicy(s1, a4("STOP"), "B", "E");
  expect(sqlOf(r4)).toEqual([expect.stringMatching(/^ALTER SYSTEM SET LOG_ARCHIVE_DEST = .* TENANT = t1; ALTER SYSTEM SET DATA_BACKUP_DEST = .* TENANT = t1$/), "ALTER SYSTEM ARCHIVELOG TENANT = t1"]);
  expect(ops(r4).some((o) => o.describe.includes("keys.fp"))).toBe(true);
});

test("3.x archiving INTERRUPTED: the storage is tested from the hosts first, then the round is stopped and waited for STOP, then archiving starts again and is waited for DOING", () => {
  const { secondary: _drop, ...rest } = spec();
  const base = { backupDest: "file:///nfs/backup", backupDestOption: { recovery_window: "0d", auto_delete_obsolete_backup: "false", log_archive_piece_switch_interval: "1d" } };
  const plan = planPolicy(rest as ReturnType<typeof spec>, { cluster: cluster3({ ...base, archiveStatus: "INTERRUPTED", archiveRound: 3 }), job }, "B", "E");
  const steps = plan.flatMap((p) => p.operations.map((o) => `${p.title}: ${o.kind} ${o.describe}`));
  const at = (re: RegExp) => steps.findIndex((x) => re.test(x));
  expect(at(/^test the backup storage: .*write a test marker into \/nfs\/backup/)).toBe(0);
  expect(at(/^stop the interrupted log archiving: sql ALTER SYSTEM NOARCHIVELOG$/)).toBeGreaterThan(0);
  expect(at(/wait wait for log archiving to be STOP$/)).toBe(at(/NOARCHIVELOG$/) + 1);
  expect(at(/: sql ALTER SYSTEM ARCHIVELOG$/)).toBeGreaterThan(at(/STOP$/));
  expect(at(/wait for log archiving to be DOING$/)).toBeGreaterThan(at(/: sql ALTER SYSTEM ARCHIVELOG$/));
  // DOING: nothing of this.
  expect(planPolicy(rest as ReturnType<typeof spec>, { cluster: cluster3({ ...base, archiveStatus: "DOING" }), job }, "B", "E").flatMap((p) => p.operations).filter((o) => /ARCHIVELOG|test marker/.test(o.describe))).toEqual([]);
});
