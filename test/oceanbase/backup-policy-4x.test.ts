/**
 * examples/ob-backup-4x through the local engine on a lab OceanBase 4.2.1 cluster: per-tenant
 * destinations, archiving and delete policies; a quiet second up; the monthly schedule in
 * Asia/Shanghai time run by cron; a tenant's destination changed by hand while archiving is
 * STOP is repaired; destroy with stopArchivingOnDelete stops archiving and keeps the backups.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, outcome, stackOn, type Stack } from "../examples/helpers";
import { startObLab, waitFor, type ObLab } from "./helpers";

jest.setTimeout(600_000);

const EXAMPLE = path.join(REPO, "examples", "ob-backup-4x");
let ob: ObLab;
let stack: Stack;
const JOB = "host4";
const runs = () => fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", "tenants", "runs.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const q = (sql: string) => ob.rows("host2", sql);
const remoteSteps = (r: { out: string }) => r.out.split("\n").filter((l) => / \.\.\. (ok|FAILED)/.test(l) && /oceanbase:BackupPolicy/.test(l));

beforeAll(async () => {
  ob = await startObLab({ version: "4.2.1", hosts: 4, tenants: ["t1", "t2"] });
  stack = stackOn(ob.lab, EXAMPLE);
});
afterAll(async () => {
  await ob?.stop();
});

test("up: each user tenant archives to its own destination, has a data destination and a 14-day delete policy", async () => {
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  const root = `${ob.cluster.sharedDir}/backup`;
  expect(await q("SELECT tenant_id, value FROM oceanbase.CDB_OB_ARCHIVE_DEST WHERE name = 'path' ORDER BY tenant_id")).toEqual([["1002", `file://${root}/t1/log_archive`], ["1004", `file://${root}/t2/log_archive`]]);
  expect(await q("SELECT tenant_id, value FROM oceanbase.CDB_OB_BACKUP_PARAMETER ORDER BY tenant_id")).toEqual([["1002", `file://${root}/t1/data`], ["1004", `file://${root}/t2/data`]]);
  expect(await q("SELECT tenant_id, status FROM oceanbase.CDB_OB_ARCHIVELOG ORDER BY tenant_id")).toEqual([["1002", "DOING"], ["1004", "DOING"]]);
  expect(await q("SELECT tenant_id, recovery_window FROM oceanbase.CDB_OB_BACKUP_DELETE_POLICY ORDER BY tenant_id")).toEqual([["1002", "14d"], ["1004", "14d"]]);
  const cron = fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "crontab"), "utf8");
  expect(cron).toContain("CRON_TZ=Asia/Shanghai");
  expect(cron).toMatch(/^30 2 1,15 \* \* .*run\.sh' full/m);
  expect(cron).toMatch(/^30 2 8,22 \* \* .*run\.sh' incremental/m);
  expect(cron).not.toMatch(/cleanup/);
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
  const sets = await q("SELECT tenant_id, backup_type FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1002 ORDER BY backup_set_id");
  expect(sets.map((s) => s[1])).toEqual(log.filter((x) => x.tenant === "t1").map((x) => (x.mode === "full" ? "FULL" : "INC")));
});

test("a tenant's archive destination changed by hand (archiving stopped first): refresh shows it, up puts it back", async () => {
  expect((await ob.sql("host2", "ALTER SYSTEM NOARCHIVELOG TENANT = t2")).code).toBe(0);
  await waitFor("t2 STOP", async () => ((await q("SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1004"))[0][0] === "STOP" ? true : undefined));
  expect((await ob.sql("host2", `ALTER SYSTEM SET LOG_ARCHIVE_DEST = 'LOCATION=file://${ob.cluster.sharedDir}/byhand' TENANT = t2`)).code).toBe(0);
  const refresh = await stack.engine("refresh");
  expect(refresh.out).toMatch(/drift: the next up would run:.*LOG_ARCHIVE_DEST.*TENANT = t2/);
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(await q("SELECT value FROM oceanbase.CDB_OB_ARCHIVE_DEST WHERE tenant_id = 1004 AND name = 'path'")).toEqual([[`file://${ob.cluster.sharedDir}/backup/t2/log_archive`]]);
  expect((await q("SELECT status FROM oceanbase.CDB_OB_ARCHIVELOG WHERE tenant_id = 1004"))[0][0]).toBe("DOING");
});

test("destroy: stopArchivingOnDelete stops archiving; the delete policies go (nothing expires backups any more); every backup set stays", async () => {
  const before = await q("SELECT tenant_id, backup_set_id FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE file_status = 'AVAILABLE' ORDER BY tenant_id, backup_set_id");
  expect(outcome(await stack.engine("destroy"))).toEqual({ code: 0, tail: "" });
  await waitFor("archiving STOP", async () => ((await q("SELECT count(*) FROM oceanbase.CDB_OB_ARCHIVELOG WHERE status = 'STOP'"))[0][0] === "2" ? true : undefined));
  expect(await q("SELECT tenant_id, backup_set_id FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE file_status = 'AVAILABLE' ORDER BY tenant_id, backup_set_id")).toEqual(before);
  expect(await q("SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_DELETE_POLICY")).toEqual([["0"]]);
});
