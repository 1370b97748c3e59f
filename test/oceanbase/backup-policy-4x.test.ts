/**
 * examples/ob-backup-4x through the local engine on a lab OceanBase 4.2.1 cluster, backing up to
 * the lab's OSS stand-in: a wrong access key is refused by the storage test (OSS's own error,
 * the host named) before anything is saved; per-tenant OSS destinations, archiving and delete
 * policies; the key nowhere in state, command lines, crontab or output; a quiet second up; the
 * monthly schedule in Asia/Shanghai time run by cron, the sets written to OSS; a tenant's
 * destination changed by hand while archiving is STOP is repaired; destroy with
 * stopArchivingOnDelete stops archiving and keeps the backups. Then OSS on both versions, one OSS
 * stand-in: a weekly policy on this cluster and on a 3.2.4 cluster made on the same hosts, its
 * sets written as objects and cleanup removing only the expired sets' objects; a capacity alarm
 * on OSS refused by check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, outcome, stackOn, type Stack } from "../examples/helpers";
import { obClient, startObLab, waitFor, type ObLab } from "./helpers";
import type { LabJson, LabObCluster } from "../../lab/hosts/lab-json";
import { runLabCli } from "../helpers/lab";
import { withoutSdkDebug } from "../helpers/engine-cli";
import { OB_ERRORS } from "../../lab/sim/oceanbase/errors";

jest.setTimeout(600_000);

const EXAMPLE = path.join(REPO, "examples", "ob-backup-4x");
let ob: ObLab;
let stack: Stack;
const JOB = "host4";
const runs = () => fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", "tenants", "runs.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const q = (sql: string) => ob.rows("host2", sql);
const remoteSteps = (r: { out: string }) => r.out.split("\n").filter((l) => / \.\.\. (ok|FAILED)/.test(l) && /oceanbase:BackupPolicy/.test(l));

let oss: NonNullable<LabJson["oss"]>;
let accessKey: string;
const ossRoot = () => path.join(oss.dataDir, oss.bucket, ob.cluster.name);
const shown = (sub: string) => `oss://${oss.bucket}/${ob.cluster.name}/${sub}?host=${oss.endpoint}`;

beforeAll(async () => {
  ob = await startObLab({ version: "4.2.1", hosts: 4, tenants: ["t1", "t2"] });
  stack = stackOn(ob.lab, EXAMPLE);
  oss = JSON.parse(fs.readFileSync(path.join(ob.lab.dir, "lab.json"), "utf8")).oss;
  accessKey = JSON.parse(fs.readFileSync(oss.credentialsFile, "utf8")).accessKey;
});
afterAll(async () => {
  await ob?.stop();
});

test("a wrong OSS access key: the storage test on the first OBServer's host gets OSS's SignatureDoesNotMatch; no destination is saved", async () => {
  const up = await stack.withEnv({ OB_OSS_ACCESS_KEY: "not-the-key" }).engine("up");
  expect(up.code).not.toBe(0);
  expect(up.out).toMatch(new RegExp(`${ob.cluster.servers[0].address} storage-test .*FAILED`));
  expect(up.out).toContain(`OSS refused PUT /${oss.bucket}/${ob.cluster.name}/.pulumi-dbcluster-storage-test.tenants.0: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.`);
  expect(await q("SELECT count(*) FROM oceanbase.CDB_OB_ARCHIVE_DEST")).toEqual([["0"]]);
  expect(await q("SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_PARAMETER WHERE value <> ''")).toEqual([["0"]]);
});

test("up (the right key): each user tenant archives to its own OSS destination, has a data destination and a 14-day delete policy; the key is nowhere in clear", async () => {
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  // The storage test ran on every OBServer host, each putting and deleting its own marker.
  for (const sv of ob.cluster.servers) expect(up.out).toMatch(new RegExp(`${sv.address} storage-test put and delete a test object in oss://${oss.bucket}/${ob.cluster.name} .*ok`));
  expect(fs.readdirSync(ossRoot()).filter((f) => f.startsWith(".pulumi-dbcluster"))).toEqual([]);
  expect(await q("SELECT tenant_id, value FROM oceanbase.CDB_OB_ARCHIVE_DEST WHERE name = 'path' ORDER BY tenant_id")).toEqual([["1002", shown("t1/log_archive")], ["1004", shown("t2/log_archive")]]);
  expect(await q("SELECT tenant_id, value FROM oceanbase.CDB_OB_BACKUP_PARAMETER ORDER BY tenant_id")).toEqual([["1002", shown("t1/data")], ["1004", shown("t2/data")]]);
  expect(await q("SELECT tenant_id, status FROM oceanbase.CDB_OB_ARCHIVELOG ORDER BY tenant_id")).toEqual([["1002", "DOING"], ["1004", "DOING"]]);
  expect(await q("SELECT tenant_id, recovery_window FROM oceanbase.CDB_OB_BACKUP_DELETE_POLICY ORDER BY tenant_id")).toEqual([["1002", "14d"], ["1004", "14d"]]);
  // OceanBase wrote through OSS with the keys: the format files and the first archive pieces are objects there.
  for (const t of ["t1", "t2"]) {
    expect(fs.existsSync(path.join(ossRoot(), t, "data", "format"))).toBe(true);
    expect(fs.existsSync(path.join(ossRoot(), t, "log_archive", "piece_d1r1p1", "archive_key"))).toBe(true);
  }
  const cron = fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "crontab"), "utf8");
  expect(cron).toContain("CRON_TZ=Asia/Shanghai");
  expect(cron).toMatch(/^30 2 1,15 \* \* .*run\.sh' full/m);
  expect(cron).toMatch(/^30 2 8,22 \* \* .*run\.sh' incremental/m);
  expect(cron).not.toMatch(/cleanup/);
  // The access key: not in the state (a Pulumi secret), on no command line, not in the crontab or the job's files, not in the output.
  expect(fs.readFileSync(stack.stateFile(), "utf8")).not.toContain(accessKey);
  for (const h of ob.lab.hosts) {
    expect(fs.readFileSync(h.commandLog, "utf8")).not.toContain(accessKey);
    expect(ob.lab.commandLog(h.name).some((c) => "command" in c && /curl/.test(c.command))).toBe(h.name !== JOB);
  }
  expect(cron).not.toContain(accessKey);
  const jobDir = path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", "tenants");
  for (const f of fs.readdirSync(jobDir)) expect(fs.readFileSync(path.join(jobDir, f), "utf8")).not.toContain(accessKey);
  // (@pulumi/pulumi's own debug echo of registrations prints inputs raw: README "What pulumi up shows".)
  expect(withoutSdkDebug(up.out)).not.toContain(accessKey);
  expect(up.out).toContain("access_key=***");
  const again = await stack.engine("up");
  expect(again.summary).toMatchObject({ same: 2 });
  expect(remoteSteps(again)).toEqual([]);
});

test("three weeks of lab time: fulls on the 1st and 15th, incrementals on the 8th and 22nd, at 02:30 Shanghai time, per tenant", async () => {
  // 22 days from any start cross three or four of the days 1, 8, 15, 22: at least one full day.
  await ob.clock("22d");
  const log = runs();
  expect(log.length).toBeGreaterThanOrEqual(6);
  expect(log.some((x) => x.requested === "full")).toBe(true);
  for (const x of log) {
    const local = new Date(new Date(x.start).getTime() + 8 * 3600_000);
    expect(local.getUTCHours() * 100 + local.getUTCMinutes()).toBe(230);
    expect(x.requested).toBe([1, 15].includes(local.getUTCDate()) ? "full" : "incremental");
    expect(x.result).toBe("started");
  }
  expect(new Set(log.map((x) => x.tenant))).toEqual(new Set(["t1", "t2"]));
  await waitFor("the last backups to finish", async () => ((await q("SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_JOBS"))[0][0] === "0" ? true : undefined));
  const sets = await q("SELECT tenant_id, backup_set_id, backup_type FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1002 ORDER BY backup_set_id");
  expect(sets.map((s) => s[2])).toEqual(log.filter((x) => x.tenant === "t1").map((x) => (x.mode === "full" ? "FULL" : "INC")));
  // Each set's files are objects in OSS.
  for (const [, id, type] of sets) expect(fs.readdirSync(path.join(ossRoot(), "t1", "data", `backup_set_${id}_${type === "FULL" ? "full" : "inc"}`)).sort()).toEqual(["backup_set_info", "macro_block_data"]);
});

test("a tenant's archive destination changed by hand (archiving stopped first): refresh shows it, up puts it back", async () => {
  expect((await ob.sql("host2", "ALTER SYSTEM NOARCHIVELOG TENANT = t2")).code).toBe(0);
  await waitFor("t2 STOP", async () => ((await q("SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1004"))[0][0] === "STOP" ? true : undefined));
  expect((await ob.sql("host2", `ALTER SYSTEM SET LOG_ARCHIVE_DEST = 'LOCATION=file://${ob.cluster.sharedDir}/byhand' TENANT = t2`)).code).toBe(0);
  const refresh = await stack.engine("refresh");
  expect(refresh.out).toMatch(/drift: the next up would run:.*LOG_ARCHIVE_DEST.*TENANT = t2/);
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(await q("SELECT value FROM oceanbase.CDB_OB_ARCHIVE_DEST WHERE tenant_id = 1004 AND name = 'path'")).toEqual([[shown("t2/log_archive")]]);
  expect((await q("SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1004"))[0][0]).toBe("DOING");
});

test("destroy: stopArchivingOnDelete stops archiving; the delete policies go (nothing expires backups any more); every backup set stays", async () => {
  const before = await q("SELECT tenant_id, backup_set_id FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE file_status = 'AVAILABLE' ORDER BY tenant_id, backup_set_id");
  expect(outcome(await stack.engine("destroy"))).toEqual({ code: 0, tail: "" });
  await waitFor("archiving STOP", async () => ((await q("SELECT count(*) FROM oceanbase.CDB_OB_ARCHIVELOG WHERE status = 'STOP'"))[0][0] === "2" ? true : undefined));
  expect(await q("SELECT tenant_id, backup_set_id FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE file_status = 'AVAILABLE' ORDER BY tenant_id, backup_set_id")).toEqual(before);
  expect(await q("SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_DELETE_POLICY")).toEqual([["0"]]);
});

/*
 * OSS on both versions after the example is gone: test/oceanbase/programs/oss-policy (weekly,
 * cleanup after a day) on this 4.x cluster, whose tenants keep the example's OSS destinations,
 * and on a second, 3.2.4 cluster made on the same hosts (its own ports), both backing up to the
 * one OSS stand-in.
 */
const OSS_POLICY = path.join(REPO, "test", "oceanbase", "programs", "oss-policy");
let ob3: LabObCluster;
let ob3sql: ReturnType<typeof obClient>;
let oss4: Stack;
let oss3: Stack;
const ossDir = (...sub: string[]) => path.join(oss.dataDir, oss.bucket, ...sub);
const jobRuns = (policy: string) => fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", policy, "runs.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const labTime = (text: string) => Date.parse(`${text.replace(" ", "T")}Z`);

/**
 * What a recovery window of `days` at `at` leaves: the newest full finished before the horizon
 * and every set after it stay; the sets before that full are expired.
 */
function expiredAt(sets: { id: number; full: boolean; end: number }[], at: number, days: number): number[] {
  const anchor = [...sets].reverse().find((x) => x.full && x.end <= at - days * 86_400_000);
  return anchor ? sets.filter((x) => x.id < anchor.id).map((x) => x.id) : [];
}

test("OSS on 3.x and 4.x: the policy's up on a 3.2.4 cluster and on this 4.x cluster tests OSS from every OBServer host, sets the keyed destinations and archives there; a second up is quiet", async () => {
  ob3 = JSON.parse((await runLabCli(["oceanbase", "create", "--dir", ob.lab.dir, "--name", "ob3", "--version", "3.2.4", "--zones", "z1:host1,z2:host2,z3:host3", "--tenant", "t1"])).stdout);
  ob3sql = obClient(ob.lab, ob3);
  oss4 = stackOn(ob.lab, OSS_POLICY, "oss4-state");
  oss3 = stackOn(ob.lab, OSS_POLICY, "oss3-state", { OB_CLUSTER: "ob3" });
  const [up4, up3] = [await oss4.engine("up"), await oss3.engine("up")];
  expect(outcome(up4)).toEqual({ code: 0, tail: "" });
  expect(outcome(up3)).toEqual({ code: 0, tail: "" });
  for (const sv of ob3.servers) expect(up3.out).toMatch(new RegExp(`${sv.address} storage-test put and delete a test object in oss://${oss.bucket}/ob3 .*ok`));
  expect((await ob3sql.rows("host2", "SHOW PARAMETERS LIKE 'backup_dest'"))[0][6]).toBe(`oss://${oss.bucket}/ob3?host=${oss.endpoint}`);
  expect((await ob3sql.rows("host2", "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0][0]).toBe("DOING");
  expect(fs.existsSync(ossDir("ob3", "ob3", String(ob3.clusterId), "incarnation_1", "1", "clog", "1", "archive_key"))).toBe(true);
  // 4.x: the example's destinations are this policy's too; only archiving (stopped by the example's destroy) and the delete policy change.
  expect(await q("SELECT tenant_id, status FROM oceanbase.CDB_OB_ARCHIVELOG ORDER BY tenant_id")).toEqual([["1002", "DOING"], ["1004", "DOING"]]);
  expect(await q("SELECT tenant_id, recovery_window FROM oceanbase.CDB_OB_BACKUP_DELETE_POLICY ORDER BY tenant_id")).toEqual([["1002", "1d"], ["1004", "1d"]]);
  for (const s of [oss4, oss3]) {
    expect(fs.readFileSync(s.stateFile(), "utf8")).not.toContain(accessKey);
    const again = await s.engine("up");
    expect(again.summary).toMatchObject({ same: 2 });
    expect(remoteSteps(again)).toEqual([]);
  }
  for (const h of ob.lab.hosts) expect(fs.readFileSync(h.commandLog, "utf8")).not.toContain(accessKey);
});

test("6 days: the scheduled sets are objects in OSS; cleanup removes only the expired sets' objects (3.x DELETE OBSOLETE BACKUP at 03:00, 4.x the delete policy)", async () => {
  // From any start, 6 days hold a full after the first set and a day of cleanup after that full.
  const { now } = await ob.clock("6d");
  // 3.x: the sets as the cluster lists them, against the last cleanup run's horizon.
  await waitFor("3.x backups to finish", async () => ((await ob3sql.rows("host2", "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_PROGRESS WHERE status <> 'FINISH'"))[0][0] === "0" ? true : undefined));
  const runs3 = jobRuns("oss-ob3");
  expect(runs3.filter((x) => x.requested === "full" || x.requested === "incremental").length).toBeGreaterThanOrEqual(5);
  const cleanups = runs3.filter((x) => x.requested === "cleanup");
  expect(cleanups.length).toBeGreaterThanOrEqual(5);
  const sets3 = (await ob3sql.rows("host2", "SELECT bs_key, backup_type, completion_time, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND status = 'SUCCESS' ORDER BY bs_key")).map(([id, type, end, st]) => ({ id: Number(id), full: type === "D", end: labTime(end), deleted: st === "DELETED" }));
  const expired3 = expiredAt(sets3.filter((x) => x.end <= Date.parse(cleanups[cleanups.length - 1].start)), Date.parse(cleanups[cleanups.length - 1].start), 1);
  expect(expired3.length).toBeGreaterThan(0);
  expect(sets3.filter((x) => x.deleted).map((x) => x.id)).toEqual(expired3);
  const set3 = (id: number) => ossDir("ob3", "ob3", String(ob3.clusterId), "incarnation_1", "1", "data", `backup_set_${id}`, "macro_block_data");
  for (const x of sets3) expect([x.id, fs.existsSync(set3(x.id))]).toEqual([x.id, !x.deleted]);
  // 4.x: the server applies the delete policy itself, so the horizon is now.
  for (const [tenantId, tenant] of [["1002", "t1"], ["1004", "t2"]]) {
    const sets4 = (await q(`SELECT backup_set_id, backup_type, end_timestamp, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = ${tenantId} AND status = 'SUCCESS' ORDER BY backup_set_id`)).map(([id, type, end, st]) => ({ id: Number(id), full: type === "FULL", end: labTime(end), deleted: st === "DELETED", type }));
    const expired4 = expiredAt(sets4, Date.parse(now), 1);
    expect(expired4.length).toBeGreaterThan(0);
    expect(sets4.filter((x) => x.deleted).map((x) => x.id)).toEqual(expired4);
    for (const x of sets4) expect([x.id, fs.existsSync(ossDir(ob.cluster.name, tenant, "data", `backup_set_${x.id}_${x.full ? "full" : "inc"}`, "macro_block_data"))]).toEqual([x.id, !x.deleted]);
  }
});

test("a capacity alarm on OSS storage is refused by check, naming the field and why", async () => {
  const preview = await oss3.withEnv({ OB_CAPACITY_PERCENT: "90" }).engine("preview");
  expect(preview.code).not.toBe(0);
  expect(preview.out).toContain("storage.capacityAlarmPercent: OSS has no capacity to fill (a bucket grows without limit; OSS reports only the bytes used)");
});

test("OSS keys rotated: the servers' writes with the old pair fail as OSS refuses them: archiving INTERRUPTED (4.x's COMMENT says why), so the scheduled backups do not start; alarmed with what to do and reported by refresh; up with the new pair tests it, stops the interrupted rounds, sets the new keys and restarts archiving (3.x: an up cut before archiving restarts is finished by the next), recorded by fingerprint only; backups work again", async () => {
  const rotated = JSON.parse((await runLabCli(["oceanbase", "oss-rotate", "--dir", ob.lab.dir])).stdout) as { accessId: string };
  const newKey = JSON.parse(fs.readFileSync(oss.credentialsFile, "utf8")).accessKey as string;
  expect(rotated.accessId).not.toBe(oss.accessId);
  // The servers still hold the old pair: archiving's next write (within archive_lag_target) is refused by OSS and the
  // rounds are INTERRUPTED, 4.x saying why in COMMENT; the next day's scheduled backups do not start without archiving.
  const runsBefore = jobRuns("oss-obcluster").length;
  await ob.clock("1d");
  await waitFor("the backups to end", async () => ((await q("SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_JOBS"))[0][0] === "0" && (await ob3sql.rows("host2", "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_PROGRESS"))[0][0] === "0" ? true : undefined));
  const last4 = async () => (await q("SELECT status, comment FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY WHERE tenant_id = 1002 ORDER BY job_id DESC LIMIT 1"))[0];
  const last3 = async () => (await ob3sql.rows("host2", "SELECT status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 ORDER BY bs_key DESC LIMIT 1"))[0][0];
  expect(jobRuns("oss-obcluster").slice(runsBefore)).toContainEqual(expect.objectContaining({ tenant: "t1", result: "failed", message: expect.stringContaining("log archiving is INTERRUPTED, not DOING") }));
  expect(await q("SELECT tenant_id, status FROM oceanbase.CDB_OB_ARCHIVELOG ORDER BY tenant_id")).toEqual([["1002", "INTERRUPTED"], ["1004", "INTERRUPTED"]]);
  expect((await q("SELECT comment FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002"))[0][0]).toContain("InvalidAccessKeyId");
  expect((await ob3sql.rows("host2", "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0][0]).toBe("INTERRUPTED");
  // The job's hourly check alarms it, saying what to do; refresh reports it.
  const alarmsOf = (policy: string) => fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", policy, "alarms.tsv"), "utf8");
  for (const policy of ["oss-obcluster", "oss-ob3"]) expect(alarmsOf(policy)).toMatch(/^log_backup_delay\t\S+\t\S+\tlog archiving is INTERRUPTED, not DOING: .*revoked OSS keys.*\(the new keys in the program, or remount\), then run pulumi up --refresh \(an up alone compares inputs only\), which restarts archiving$/m);
  expect(outcome(await oss4.engine("refresh"))).toEqual({ code: 0, tail: "" });
  expect(fs.readFileSync(oss4.stateFile(), "utf8")).toContain("log archiving is INTERRUPTED, not DOING");
  // The program now declares the new pair: up tests it from every OBServer host, stops the interrupted rounds, gives the
  // destinations the new keys and restarts archiving (OceanBase takes new keys only as a destination change, from STOP).
  const keysFp = (policy: string) => path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", policy, "keys.fp");
  const up4 = await oss4.engine("up");
  expect(outcome(up4)).toEqual({ code: 0, tail: "" });
  expect(up4.out).toMatch(/storage-test put and delete a test object in oss:\/\/.* ok/);
  expect(up4.out).toMatch(/ sql ALTER SYSTEM NOARCHIVELOG TENANT = t1; ALTER SYSTEM NOARCHIVELOG TENANT = t2 .*ok/);
  expect(up4.out).toMatch(/t1: the archive destination gets the rotated OSS keys/);
  expect(withoutSdkDebug(up4.out)).not.toContain(newKey);
  // 3.x: stopped by hand, then an up cut after the destination SQL (the ARCHIVELOG after it fails). The new pair was
  // recorded before archiving restarts, so archiving stays STOP and the next up finishes (it does not refuse as rotated).
  expect((await ob3sql.sql("host2", "ALTER SYSTEM NOARCHIVELOG")).code).toBe(0);
  await waitFor("3.x archiving STOP", async () => ((await ob3sql.rows("host2", "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0][0] === "STOP" ? true : undefined));
  await ob.lab.fault(ob3.servers[0].host, "fail", "obclient", 1, 1);
  const cut = await oss3.engine("up");
  expect(cut.code).not.toBe(0);
  expect(cut.out).toMatch(/gets the rotated OSS keys/);
  expect(cut.out).toMatch(/ sql ALTER SYSTEM ARCHIVELOG .*FAILED/);
  expect((await ob3sql.rows("host2", "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0][0]).toBe("STOP");
  const up3 = await oss3.engine("up");
  expect(outcome(up3)).toEqual({ code: 0, tail: "" });
  expect(up3.out).not.toMatch(/rotated/);
  expect(up3.out).toMatch(/ sql ALTER SYSTEM ARCHIVELOG .*ok/);
  for (const s of [oss4, oss3]) {
    const again = await s.engine("up");
    expect(again.summary).toMatchObject({ same: 2 });
    expect(remoteSteps(again)).toEqual([]);
    expect(fs.readFileSync(s.stateFile(), "utf8")).not.toContain(newKey);
  }
  expect(await q("SELECT tenant_id, status FROM oceanbase.CDB_OB_ARCHIVELOG ORDER BY tenant_id")).toEqual([["1002", "DOING"], ["1004", "DOING"]]);
  // What the job host records is a fingerprint per destination, never a key.
  for (const policy of ["oss-obcluster", "oss-ob3"]) {
    const fp = fs.readFileSync(keysFp(policy), "utf8");
    expect(fp).toMatch(/^(\S+ [0-9a-f]{64}\n)+$/);
    expect(fp).not.toContain(newKey);
    expect(fp).not.toContain(rotated.accessId);
  }
  for (const h of ob.lab.hosts) expect(fs.readFileSync(h.commandLog, "utf8")).not.toContain(newKey);
  // The next day's backups land in OSS again, on both clusters.
  await ob.clock("1d");
  await waitFor("the backups to end", async () => ((await q("SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_JOBS"))[0][0] === "0" && (await ob3sql.rows("host2", "SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_PROGRESS"))[0][0] === "0" ? true : undefined));
  expect(await last4()).toEqual(["COMPLETED", ""]);
  expect(await last3()).toBe("SUCCESS");
  const [id4, type4] = (await q("SELECT backup_set_id, backup_type FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1002 ORDER BY backup_set_id DESC LIMIT 1"))[0];
  expect(fs.existsSync(ossDir(ob.cluster.name, "t1", "data", `backup_set_${id4}_${type4 === "FULL" ? "full" : "inc"}`, "macro_block_data"))).toBe(true);
  const id3 = (await ob3sql.rows("host2", "SELECT bs_key FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 ORDER BY bs_key DESC LIMIT 1"))[0][0];
  expect(fs.existsSync(ossDir("ob3", "ob3", String(ob3.clusterId), "incarnation_1", "1", "data", `backup_set_${id3}`, "macro_block_data"))).toBe(true);
});

test("4.x, the shared directory unmounted from one OBServer's host while the observers run: a tenant's backup to it FAILED naming the host, archiving INTERRUPTED, both alarmed with what to do; up refuses at the storage test until it is mounted again, then restarts archiving; a second up is quiet", async () => {
  // The OSS policy goes (archiving stays on OSS for t2); t1 is stopped by hand and gets a file policy on the shared directory.
  expect(outcome(await oss4.engine("destroy"))).toEqual({ code: 0, tail: "" });
  expect((await ob.sql("host2", "ALTER SYSTEM NOARCHIVELOG TENANT = t1")).code).toBe(0);
  await waitFor("t1 STOP", async () => ((await q("SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002"))[0][0] === "STOP" ? true : undefined));
  const dir = path.join(ob.cluster.sharedDir, "nfs4");
  fs.mkdirSync(dir, { recursive: true });
  const nfs4 = stackOn(ob.lab, OSS_POLICY, "nfs4-state", { OB_FILE_DIR: dir, OB_POLICY: "nfs4", OB_TENANTS: "t1" });
  expect(outcome(await nfs4.engine("up"))).toEqual({ code: 0, tail: "" });
  expect(await q("SELECT status, path FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002")).toEqual([["DOING", `file://${dir}/t1/log_archive`]]);
  const lost = ob.cluster.servers[2].host;
  await ob.lab.fault(lost, "unmount-shared");
  // A backup started now (before archiving's next write): the servers on the host without the mount cannot write it.
  expect((await ob.sql("host2", "ALTER SYSTEM BACKUP TENANT = t1")).code).toBe(0);
  await waitFor("the backup to end", async () => ((await q("SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_JOBS"))[0][0] === "0" ? true : undefined));
  const [status, result, comment] = (await q("SELECT status, result, comment FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY WHERE tenant_id = 1002 ORDER BY job_id DESC LIMIT 1"))[0];
  expect([status, result]).toEqual(["FAILED", String(-OB_ERRORS.backupPermissionDenied.code)]);
  expect(comment).toContain(lost);
  // An hour on: archiving's next write from that host failed too; the hourly check alarms both, saying where and what to do.
  await ob.clock("1h");
  const [arch, archComment] = (await q("SELECT status, comment FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002"))[0];
  expect(arch).toBe("INTERRUPTED");
  expect(archComment).toContain(`not mounted on the server host ${lost}`);
  const alarms = fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", "nfs4", "alarms.tsv"), "utf8");
  expect(alarms).toMatch(/^log_backup_delay\t"t1"\t\S+\tlog archiving is INTERRUPTED, not DOING: .*an NFS not mounted on an OBServer host.*then run pulumi up --refresh \(an up alone compares inputs only\), which restarts archiving$/m);
  expect(alarms).toMatch(new RegExp(`^backup_failed\\t"t1"\\t\\S+\\tthe full data backup \\(set \\d+\\) FAILED \\(result ${-OB_ERRORS.backupPermissionDenied.code}\\): .*remount`, "m"));
  // refresh shows the interrupted round and the alarms; still unmounted, up's storage test fails on that host, saying
  // why, and nothing is stopped or restarted.
  const refresh = await nfs4.engine("refresh");
  expect(refresh.out).toMatch(/drift: the next up would run:/);
  expect(refresh.out).toMatch(/NOARCHIVELOG TENANT = t1/);
  expect(fs.readFileSync(nfs4.stateFile(), "utf8")).toContain("log archiving is INTERRUPTED, not DOING");
  const refused = await nfs4.engine("up");
  expect(refused.code).not.toBe(0);
  expect(refused.out).toMatch(new RegExp(`${ob.cluster.servers[2].address} storage-test .*FAILED`));
  expect(refused.out).not.toMatch(/ sql ALTER SYSTEM NOARCHIVELOG .*ok/);
  expect((await q("SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002"))[0][0]).toBe("INTERRUPTED");
  // Mounted again: up stops the interrupted round and starts a new one.
  await ob.lab.fault(lost, "mount-shared");
  expect(outcome(await nfs4.engine("refresh"))).toEqual({ code: 0, tail: "" });
  const up = await nfs4.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(up.out).toMatch(/ sql ALTER SYSTEM NOARCHIVELOG TENANT = t1 .*ok/);
  expect(up.out).toMatch(/ sql ALTER SYSTEM ARCHIVELOG TENANT = t1 .*ok/);
  expect(await q("SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1002")).toEqual([["DOING"]]);
  const again = await nfs4.engine("up");
  expect(again.summary).toMatchObject({ same: 2 });
  expect(remoteSteps(again)).toEqual([]);
});
