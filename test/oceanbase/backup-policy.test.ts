/**
 * examples/ob-backup-policy (seed 001's 3.x policy) through the local engine on a lab OceanBase
 * cluster: create, a quiet second up, the schedule run by the hosts' cron as the lab clock moves
 * 14 days, cleanup of expired sets only, the copies of backup of backups expiring by the window
 * declared for them, drift shown by refresh and repaired by up, a destination
 * change refused while archiving runs, delete keeping the data. SQL checks run by hand with
 * obclient over SSH, as a DBA would.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, outcome, stackOn, type Stack } from "../examples/helpers";
import { startObLab, type ObLab } from "./helpers";

jest.setTimeout(600_000);

const EXAMPLE = path.join(REPO, "examples", "ob-backup-policy");
let ob: ObLab;
let stack: Stack;
const JOB = "host4";
const jobDir = () => path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", "weekly");
const runs = () => fs.readFileSync(path.join(jobDir(), "runs.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const crontab = () => { try { return fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "crontab"), "utf8"); } catch { return ""; } };
const archive = async () => (await ob.rows("host2", "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0][0];
const observerLog = () => fs.readFileSync(path.join(ob.lab.host("host1").obHome, "obcluster", "log", "observer.log"), "utf8").split("\n").filter((l) => l !== "");
const param = async (name: string) => (await ob.rows("host2", `SHOW PARAMETERS LIKE '${name}'`))[0][6];

beforeAll(async () => {
  ob = await startObLab({ version: "3.2.4", hosts: 4, tenants: ["t1"] });
  // The copies expire only when asked (secondary.expiryDays), no sooner than the sets: 7 days, as the sets.
  stack = stackOn(ob.lab, EXAMPLE, "state", { OB_SECONDARY_EXPIRY_DAYS: "7" });
});
afterAll(async () => {
  await ob?.stop();
});

function remoteSteps(r: { events: Record<string, any>[]; out: string }): string[] {
  return r.out.split("\n").filter((l) => / \.\.\. (ok|FAILED)/.test(l) && /oceanbase:BackupPolicy/.test(l));
}

test("up: destination, archiving DOING and the job's cron entries; the password is nowhere in plain text", async () => {
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(up.summary).toMatchObject({ create: 2 });
  expect(await param("backup_dest")).toBe(`file://${ob.cluster.sharedDir}/backup`);
  expect(await param("backup_dest_option")).toBe("recovery_window=7d&auto_delete_obsolete_backup=false&log_archive_piece_switch_interval=1d");
  // The seed's secondary backup: its own destination, tested like the primary before it was saved.
  expect(await param("backup_backup_dest")).toBe(`file://${ob.cluster.sharedDir}/backup2`);
  expect(up.out).toMatch(new RegExp(`storage-test read the test marker from ${ob.cluster.sharedDir}/backup2 \\.\\.\\. ok`));
  expect(await param("backup_backup_dest_option")).toBe("recovery_window=7d&auto_delete_obsolete_backup=true");
  expect(await archive()).toBe("DOING");
  expect(crontab()).toMatch(/^0 1 \* \* 7 .*run\.sh' full /m);
  expect(crontab()).toMatch(/^0 1 \* \* 1,2,3,4,5,6 .*run\.sh' incremental /m);
  expect(crontab()).toMatch(/^0 3 \* \* \* .*run\.sh' cleanup /m);
  expect(crontab()).toMatch(/^CRON_TZ=UTC\n0 5 \* \* 1,2,3,4,5,6,7 .*run\.sh' backup-backup /m);
  expect(fs.statSync(path.join(jobDir(), "client.cnf")).mode & 0o777).toBe(0o600);
  // Secrets: not on any command line, not in the crontab, not in state as plain text.
  for (const h of ob.lab.hosts) for (const e of ob.lab.commandLog(h.name)) expect(JSON.stringify(e)).not.toContain(ob.password);
  expect(crontab()).not.toContain(ob.password);
  expect(fs.readFileSync(stack.stateFile(), "utf8")).not.toContain(ob.password);
  // SQL reached the cluster through an SSH port forward from the first OBServer's host.
  expect(ob.lab.commandLog("host1").filter((e: any) => e.event === "forward")).toEqual([expect.objectContaining({ to: `${ob.cluster.servers[0].address}:2881` }), expect.objectContaining({ to: `${ob.cluster.servers[0].address}:2881` })]);
  expect((await stack.outputs()).archiveStatus).toBe("DOING");
});

test("a second up changes nothing and touches no host; a refresh is one SQL session and one job-host command", async () => {
  const mark = () => ({ h1: ob.lab.commandLog("host1").length, h4: ob.lab.commandLog(JOB).length });
  const since = (m: { h1: number; h4: number }) => ({ h1: ob.lab.commandLog("host1").slice(m.h1) as any[], h4: ob.lab.commandLog(JOB).slice(m.h4) as any[] });
  let before = mark();
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(up.summary).toMatchObject({ same: 2 });
  expect(remoteSteps(up)).toEqual([]);
  let seen = since(before);
  expect(seen.h1.filter((e) => e.event === "forward" || "command" in e)).toEqual([]);
  expect(seen.h4.filter((e) => "command" in e)).toEqual([]);
  before = mark();
  const sqlBefore = observerLog().length;
  const refresh = await stack.engine("refresh");
  expect(outcome(refresh)).toEqual({ code: 0, tail: "" });
  seen = since(before);
  expect(seen.h1.filter((e) => e.event === "forward")).toHaveLength(1);
  // One query per view family, in that one session (the OBServer stand-in logs each statement's kind).
  const statements = observerLog().slice(sqlBefore).map((l) => /sql session=(\d+) (.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  expect(new Set(statements.map((m) => m[1])).size).toBe(1);
  expect(statements.map((m) => m[2])).toEqual(["SET time_zone", "SELECT @@version_comment", "SHOW PARAMETERS", "SELECT oceanbase.CDB_OB_BACKUP_ARCHIVELOG", "SELECT oceanbase.CDB_OB_BACKUP_SET_FILES", "SELECT oceanbase.CDB_OB_BACKUP_PROGRESS", "SELECT oceanbase.__all_zone"]);
  expect(seen.h1.filter((e) => "command" in e)).toEqual([]);
  expect(seen.h4.filter((e) => "command" in e)).toHaveLength(1);
});

test("14 days of lab time: cron runs a full on Sundays and incrementals otherwise; the first incremental runs as a full and says why", async () => {
  const r = await ob.clock("14d");
  const backups = r.ran.filter((x) => / (full|incremental) /.test(x.command));
  expect(backups).toHaveLength(14);
  expect(r.ran.every((x) => x.exit === 0)).toBe(true);
  const log = runs().filter((x) => x.requested !== "cleanup" && x.requested !== "backup-backup");
  for (const x of log) {
    const sunday = new Date(x.start).getUTCDay() === 0;
    expect(x.requested).toBe(sunday ? "full" : "incremental");
    expect(x.start).toMatch(/T01:00:00Z$/);
  }
  expect(log[0]).toMatchObject({ mode: "full", result: "started", message: expect.stringContaining("no full backup exists, so the scheduled incremental ran as a full") });
  expect(log.slice(1).every((x) => x.result === "started" && x.mode === x.requested)).toBe(true);
  const sets = await ob.rows("host2", "SELECT bs_key, backup_type, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = 0 ORDER BY bs_key");
  expect(sets.map((s) => s[1]).join("")).toBe(log.map((x) => (x.mode === "full" ? "D" : "I")).join(""));
});

test("backup of backups: cron copies each day's new sets and the archive pieces to the second directory at 05:00", async () => {
  const bb = runs().filter((x) => x.requested === "backup-backup");
  expect(bb.length).toBeGreaterThanOrEqual(26); // 13 or 14 days, a set statement and a piece statement each
  for (const x of bb) expect(x.start).toMatch(/T05:00:00Z$/);
  expect(bb.every((x) => x.result === "started" || (x.result === "skipped" && /nothing new to copy/.test(x.message)))).toBe(true);
  expect(bb.filter((x) => /BACKUPSET/.test(x.message) && x.result === "started").length).toBeGreaterThanOrEqual(12);
  // Every set made before the last 05:00 run has its copy (COPY_ID 1); a copy not expired has its files in the second directory.
  const last = Date.parse(bb[bb.length - 1].start);
  const sets = await ob.rows("host2", "SELECT bs_key, copy_id, completion_time, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND status = 'SUCCESS' ORDER BY bs_key, copy_id");
  const originals = sets.filter((x) => x[1] === "0" && Date.parse(`${x[2].replace(" ", "T")}Z`) < last).map((x) => x[0]);
  const copies = sets.filter((x) => x[1] === "1");
  expect(originals.length).toBeGreaterThan(0);
  expect(copies.map((x) => x[0])).toEqual(expect.arrayContaining(originals));
  const root = path.join(ob.cluster.sharedDir, "backup2", "obcluster", String(ob.cluster.clusterId), "incarnation_1", "1", "data");
  for (const [id] of copies.filter((x) => x[3] === "AVAILABLE")) expect(fs.readdirSync(path.join(root, `backup_set_${id}`)).sort()).toEqual(["backup_set_info", "macro_block_data"]);
  expect(await ob.rows("host2", "SELECT round_id, copy_id FROM oceanbase.CDB_OB_BACKUP_PIECE_FILES WHERE tenant_id = 1 ORDER BY copy_id")).toEqual([["1", "0"], ["1", "1"]]);
  expect(fs.existsSync(path.join(ob.cluster.sharedDir, "backup2", "obcluster", String(ob.cluster.clusterId), "incarnation_1", "1", "clog", "1", "archive_key"))).toBe(true);
});

test("cleanup removed only sets past the 7-day window that the newest old full does not need", async () => {
  const sets = await ob.rows("host2", "SELECT bs_key, backup_type, file_status, completion_time FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = 0 ORDER BY bs_key");
  const deleted = sets.filter((s) => s[2] === "DELETED").map((s) => Number(s[0]));
  const kept = sets.filter((s) => s[2] === "AVAILABLE").map((s) => Number(s[0]));
  expect(deleted.length).toBeGreaterThan(0);
  // What stays starts with a full: a restore inside the window needs it.
  expect(sets.find((s) => Number(s[0]) === Math.min(...kept))![1]).toBe("D");
  expect(Math.max(...deleted)).toBeLessThan(Math.min(...kept));
  const root = path.join(ob.cluster.sharedDir, "backup", "obcluster", String(ob.cluster.clusterId), "incarnation_1", "1", "data");
  for (const id of deleted) expect(fs.existsSync(path.join(root, `backup_set_${id}`))).toBe(false);
  for (const id of kept) expect(fs.existsSync(path.join(root, `backup_set_${id}`))).toBe(true);
  // refresh reads the sets; the up after it is quiet and publishes them as stack outputs.
  expect(outcome(await stack.engine("refresh"))).toEqual({ code: 0, tail: "" });
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(remoteSteps(up)).toEqual([]);
  const lastFullId = Math.max(...sets.filter((s) => s[1] === "D").map((s) => Number(s[0])));
  const outputs = await stack.outputs();
  expect(outputs.lastFull).toMatchObject({ setId: lastFullId, mode: "full", status: "SUCCESS" });
  expect(outputs.secondary).toMatchObject({ backupBackupDest: `file://${ob.cluster.sharedDir}/backup2`, destinationAsDeclared: true, copiedSets: expect.any(Number) });
  expect(outputs.secondary.copiedSets).toBeGreaterThan(0);
});

/** The ids a recovery window expires: those before the newest full that ended before the window. */
function expiredBy(rows: string[][], now: number, days: number): number[] {
  const horizon = now - days * 86_400_000;
  const ended = (r: string[]) => Date.parse(`${r[3].replace(" ", "T")}Z`);
  const anchor = Math.max(0, ...rows.filter((r) => r[1] === "D" && ended(r) <= horizon).map((r) => Number(r[0])));
  return rows.map((r) => Number(r[0])).filter((id) => id < anchor);
}

test("the copies expire by their declared 7-day window: removed from the second directory, newer ones kept; the sets by the job's cleanup", async () => {
  const q = (copy: number) => ob.rows("host2", `SELECT bs_key, backup_type, file_status, completion_time FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = ${copy} AND status = 'SUCCESS' ORDER BY bs_key`);
  let now = Date.parse((await ob.clock("0s")).now);
  let copies = await q(1);
  // A lab whose first day is a Sunday has no copy before the only full past the window (the first set): the next Sunday's full passes it a day later.
  if (expiredBy(copies, now, 7).length === 0) {
    now = Date.parse((await ob.clock("1d")).now);
    copies = await q(1);
  }
  const sets = await q(0);
  const deleted = copies.filter((r) => r[2] === "DELETED").map((r) => Number(r[0]));
  const kept = copies.filter((r) => r[2] === "AVAILABLE").map((r) => Number(r[0]));
  // Some copy is past the window (a full copy ended more than 7 days ago, with copies before it), and newer ones stay.
  expect(deleted.length).toBeGreaterThan(0);
  expect(kept.length).toBeGreaterThan(0);
  expect(deleted).toEqual(expiredBy(copies, now, 7));
  expect(copies.find((r) => Number(r[0]) === Math.min(...kept))![1]).toBe("D");
  const second = path.join(ob.cluster.sharedDir, "backup2", "obcluster", String(ob.cluster.clusterId), "incarnation_1", "1", "data");
  for (const id of deleted) expect(fs.existsSync(path.join(second, `backup_set_${id}`))).toBe(false);
  for (const id of kept) expect(fs.existsSync(path.join(second, `backup_set_${id}`))).toBe(true);
  // The sets follow the primary's window, as of the job's last daily cleanup, their files in the first directory.
  const cleaned = Date.parse(runs().filter((x) => x.requested === "cleanup").pop()!.start);
  expect(sets.filter((r) => r[2] === "DELETED").map((r) => Number(r[0]))).toEqual(expiredBy(sets, cleaned, 7));
  const first = path.join(ob.cluster.sharedDir, "backup", "obcluster", String(ob.cluster.clusterId), "incarnation_1", "1", "data");
  for (const r of sets.filter((x) => x[2] === "AVAILABLE")) expect(fs.existsSync(path.join(first, `backup_set_${r[0]}`))).toBe(true);
  // One clean-history row per expired set copy (BS_KEY its set; an expired piece copy's row has BS_KEY 0).
  expect(await ob.rows("host2", "SELECT bs_key FROM oceanbase.CDB_OB_BACKUP_CLEAN_HISTORY WHERE tenant_id = 1 AND type = 'DELETE OBSOLETE BACKUP BACKUP' AND bs_key > 0 ORDER BY bs_key")).toEqual(deleted.map((id) => [String(id)]));
  // What OceanBase refuses in the second destination's option: a blank and auto-delete with auto-touch (ObBackupDestOpt's
  // unit test); a piece interval (pieces are the first destination's), whether by init (4002) or the root service's check (1235) unproven.
  expect((await ob.sql("host2", "ALTER SYSTEM SET backup_backup_dest_option = 'recovery_window=7d &auto_delete_obsolete_backup=true'")).stderr).toMatch(/ERROR 4002 \(HY000\)/);
  expect((await ob.sql("host2", "ALTER SYSTEM SET backup_backup_dest_option = 'recovery_window=7d&auto_delete_obsolete_backup=true&auto_update_reserved_backup_timestamp=true'")).stderr).toMatch(/ERROR 1235 \(0A000\).*auto delete and touch backup at same time is not supported/);
  expect((await ob.sql("host2", "ALTER SYSTEM SET backup_backup_dest_option = 'recovery_window=7d&log_archive_piece_switch_interval=1d'")).stderr).toMatch(/ERROR (4002 \(HY000\)|1235 \(0A000\))/);
  expect(await param("backup_backup_dest_option")).toBe("recovery_window=7d&auto_delete_obsolete_backup=true");
  // Auto-delete turned off by hand: refresh shows it, up sets it again, a second up is quiet.
  expect((await ob.sql("host2", "ALTER SYSTEM SET backup_backup_dest_option = 'recovery_window=7d&auto_delete_obsolete_backup=false'")).code).toBe(0);
  const refresh = await stack.engine("refresh");
  expect(outcome(refresh)).toEqual({ code: 0, tail: "" });
  expect(refresh.out).toMatch(/drift: the next up would run:.*backup_backup_dest_option/);
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(await param("backup_backup_dest_option")).toBe("recovery_window=7d&auto_delete_obsolete_backup=true");
  expect((await stack.outputs()).secondary).toMatchObject({ expiryDays: 7 });
  expect(remoteSteps(await stack.engine("up"))).toEqual([]);
});

test("hand changes: archiving stopped and the cron entries removed; refresh shows drift, up repairs it", async () => {
  expect((await ob.sql("host2", "ALTER SYSTEM NOARCHIVELOG")).code).toBe(0);
  expect((await ob.lab.exec(JOB, "crontab -r")).code).toBe(0);
  // Archiving must reach STOP before up can start it again: wait for it as a DBA would.
  for (let i = 0; i < 100 && (await archive()) !== "STOP"; i++) await new Promise((r) => setTimeout(r, 200));
  const refresh = await stack.engine("refresh");
  expect(outcome(refresh)).toEqual({ code: 0, tail: "" });
  expect(refresh.out).toMatch(/drift: the next up would run:.*ALTER SYSTEM ARCHIVELOG/);
  expect(refresh.out).toMatch(/install the cron entries of policy weekly/);
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(await archive()).toBe("DOING");
  expect(crontab()).toMatch(/run\.sh' full/);
  const again = await stack.engine("up");
  expect(remoteSteps(again)).toEqual([]);
});

test("a destination change while archiving is DOING is refused before any step, saying why and what to do", async () => {
  const moved = stack.withEnv({ OB_BACKUP_DIR: `${ob.cluster.sharedDir}/elsewhere` });
  const up = await moved.engine("up");
  expect(up.code).not.toBe(0);
  expect(up.out).toMatch(/OceanBase refuses to change the destination while archiving runs\. To move the backups, stop archiving \(ALTER SYSTEM NOARCHIVELOG/);
  expect(remoteSteps(up)).toEqual([]);
  expect(await param("backup_dest")).toBe(`file://${ob.cluster.sharedDir}/backup`);
  expect(fs.existsSync(`${ob.cluster.sharedDir}/elsewhere`)).toBe(false);
});

test("destroy removes the schedule, keeps archiving and every backup and copy, and turns the copies' expiry off", async () => {
  const setsBefore = await ob.rows("host2", "SELECT bs_key FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE file_status = 'AVAILABLE'");
  const d = await stack.engine("destroy");
  expect(outcome(d)).toEqual({ code: 0, tail: "" });
  expect(crontab()).not.toContain("pulumi-dbcluster");
  expect(fs.existsSync(path.join(jobDir(), "run.sh"))).toBe(false);
  expect(fs.existsSync(path.join(jobDir(), "client.cnf"))).toBe(false);
  expect(fs.existsSync(path.join(jobDir(), "runs.log"))).toBe(true);
  expect(await archive()).toBe("DOING");
  expect(await ob.rows("host2", "SELECT bs_key FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE file_status = 'AVAILABLE'")).toEqual(setsBefore);
  // Nothing goes on expiring the copies: their auto-delete is off, the second destination stays.
  expect(await param("backup_backup_dest_option")).toBe("");
  expect(await param("backup_backup_dest")).toBe(`file://${ob.cluster.sharedDir}/backup2`);
});
