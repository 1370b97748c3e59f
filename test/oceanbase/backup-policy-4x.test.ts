/**
 * examples/ob-backup-4x through the local engine on a lab OceanBase 4.2.1 cluster, backing up to
 * the lab's OSS stand-in: a wrong access key is refused by the storage test (OSS's own error,
 * the host named) before anything is saved; per-tenant OSS destinations, archiving and delete
 * policies; the key nowhere in state, command lines, crontab or output; a quiet second up; the
 * monthly schedule in Asia/Shanghai time run by cron, the sets written to OSS; a tenant's
 * destination changed by hand while archiving is STOP is repaired; destroy with
 * stopArchivingOnDelete stops archiving and keeps the backups.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, outcome, stackOn, type Stack } from "../examples/helpers";
import { startObLab, waitFor, type ObLab } from "./helpers";
import type { LabJson } from "../../lab/hosts/lab-json";
import { withoutSdkDebug } from "../helpers/engine-cli";

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
