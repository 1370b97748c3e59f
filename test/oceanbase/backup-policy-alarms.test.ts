/**
 * OCP's alarms of examples/ob-backup-policy, evaluated by the job on the job host at every run
 * and hourly as lab time passes: each fires when its threshold is crossed and clears when the
 * cause goes, is handed to the alarm command as JSON, and shows in refresh's `alarms` output.
 * Last, the shared directory unmounted from an OBServer's host while the observers run: the next
 * backup fails on the server as 3.x's mount-file check fails it, and the job reports it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, outcome, stackOn, type Stack } from "../examples/helpers";
import { runLabCli } from "../helpers/lab";
import { startObLab, waitFor, type ObLab } from "./helpers";
import { OB_ERRORS } from "../../lab/sim/oceanbase/errors";

jest.setTimeout(600_000);

const EXAMPLE = path.join(REPO, "examples", "ob-backup-policy");
let ob: ObLab;
let stack: Stack;
const JOB = "host4";
const delivered = () => {
  const f = path.join(ob.lab.host(JOB).hostDir, "home", "ob-backup-alarms.jsonl");
  return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l)) : [];
};
const open = () => {
  const f = path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", "weekly", "alarms.tsv");
  return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => l.split("\t")[0]) : [];
};
const runs = () => fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", "weekly", "runs.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const obFault = (kind: string) => runLabCli(["oceanbase", "fault", "--dir", ob.lab.dir, "--name", "obcluster", kind]);
async function refreshedAlarms(s: Stack): Promise<{ kind: string }[]> {
  expect(outcome(await s.engine("refresh"))).toEqual({ code: 0, tail: "" });
  expect(outcome(await s.engine("up"))).toEqual({ code: 0, tail: "" });
  return (await s.outputs()).alarms;
}

beforeAll(async () => {
  ob = await startObLab({ version: "3.2.4", hosts: 4 });
  stack = stackOn(ob.lab, EXAMPLE);
  expect(outcome(await stack.engine("up"))).toEqual({ code: 0, tail: "" });
});
afterAll(async () => {
  await ob?.stop();
});

test("a backup that hangs past the timeout fires backup_timeout; once it finishes the alarm clears", async () => {
  await obFault("hang-backups");
  // The next scheduled run (01:00) starts a full that never finishes; 6 hours later the hourly check sees it.
  await ob.clock("1d");
  expect(open()).toContain("backup_timeout");
  expect(delivered()).toContainEqual(expect.objectContaining({ policy: "weekly", state: "firing", kind: "backup_timeout", target: null, message: "a data backup has run for more than 6h" }));
  expect((await refreshedAlarms(stack)).map((a) => a.kind)).toContain("backup_timeout");
  await obFault("release-backups");
  await ob.clock("1h");
  expect(open()).not.toContain("backup_timeout");
  expect(delivered()).toContainEqual(expect.objectContaining({ state: "cleared", kind: "backup_timeout" }));
});

test("archiving stopped by hand fires log_backup_delay; up repairs archiving and the alarm clears", async () => {
  expect((await ob.sql("host2", "ALTER SYSTEM NOARCHIVELOG")).code).toBe(0);
  await ob.clock("1h");
  expect(open()).toContain("log_backup_delay");
  expect(delivered()).toContainEqual(expect.objectContaining({ state: "firing", kind: "log_backup_delay", message: expect.stringMatching(/^log archiving is (STOPPING|STOP), not DOING$/) }));
  await waitFor("archiving STOP", async () => ((await ob.rows("host2", "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0][0] === "STOP" ? true : undefined));
  // refresh sees the drift (and the open alarm); up repairs it.
  expect((await refreshedAlarms(stack)).map((a) => a.kind)).toContain("log_backup_delay");
  expect((await ob.rows("host2", "SELECT status FROM oceanbase.CDB_OB_BACKUP_ARCHIVELOG WHERE tenant_id = 1"))[0][0]).toBe("DOING");
  await ob.clock("1h");
  expect(open()).not.toContain("log_backup_delay");
  expect(delivered()).toContainEqual(expect.objectContaining({ state: "cleared", kind: "log_backup_delay" }));
});

test("days without a successful backup: fires after 2 days of hanging backups, clears after the next success", async () => {
  await obFault("hang-backups");
  await ob.clock("3d");
  expect(open()).toContain("no_successful_backup");
  await obFault("release-backups");
  await ob.clock("1h");
  expect(open()).not.toContain("no_successful_backup");
  expect(delivered().filter((a) => a.kind === "no_successful_backup").map((a) => a.state)).toEqual(["firing", "cleared"]);
});

test("storage capacity above the threshold fires storage_capacity (threshold lowered to 1% to cross it)", async () => {
  const low = stack.withEnv({ OB_CAPACITY_PERCENT: "1" });
  expect(outcome(await low.engine("up"))).toEqual({ code: 0, tail: "" });
  await ob.clock("1h");
  expect(open()).toContain("storage_capacity");
  expect(delivered()).toContainEqual(expect.objectContaining({ state: "firing", kind: "storage_capacity", message: expect.stringMatching(/^the backup storage is \d+% full \(threshold 1%\)$/) }));
  expect(outcome(await stack.engine("up"))).toEqual({ code: 0, tail: "" });
  await ob.clock("1h");
  expect(open()).not.toContain("storage_capacity");
});

test("the shared directory unmounted from an OBServer's host while the observers run: the next backup FAILED with the mount-file result; the job records it, backup_failed fires and refresh reports it; mounted again, the next backup clears it", async () => {
  await ob.lab.fault("host2", "unmount-shared");
  // The day's scheduled backup at 01:00; the hourly check after it sees the outcome.
  await ob.clock("1d");
  await ob.clock("1h");
  const [setId, status, result] = (await ob.rows("host1", "SELECT bs_key, status, result FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = 0 ORDER BY bs_key DESC LIMIT 1"))[0];
  expect([status, result]).toEqual(["FAILED", String(-OB_ERRORS.backupMountFileNotValid.code)]);
  expect(runs()).toContainEqual(expect.objectContaining({ result: "failed", setId: Number(setId), message: expect.stringContaining(`set ${setId} FAILED`) }));
  expect(open()).toContain("backup_failed");
  expect(delivered()).toContainEqual(expect.objectContaining({ state: "firing", kind: "backup_failed", target: null, message: expect.stringMatching(new RegExp(`^the (full|incremental) data backup \\(set ${setId}\\) FAILED \\(result ${-OB_ERRORS.backupMountFileNotValid.code}\\): .*OBServer host without the NFS mount.*remount`)) }));
  expect((await refreshedAlarms(stack)).map((a) => a.kind)).toContain("backup_failed");
  await ob.lab.fault("host2", "mount-shared");
  await ob.clock("1d");
  await ob.clock("1h");
  expect((await ob.rows("host1", "SELECT status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND copy_id = 0 ORDER BY bs_key DESC LIMIT 1"))[0][0]).toBe("SUCCESS");
  expect(open()).not.toContain("backup_failed");
  expect(delivered()).toContainEqual(expect.objectContaining({ state: "cleared", kind: "backup_failed" }));
});
