/**
 * examples/ob-backup-now (OCP's 立即备份) through the local engine on a lab OceanBase 3.x
 * cluster whose archiving an ob-backup-policy stack turned on: OCP's two prechecks refuse with
 * the seed's exact texts; compactIfNeeded compacts first; the resource waits for its set and
 * outputs it; a changed trigger runs a new backup; delete keeps the data.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { outcome, type Stack } from "../examples/helpers";
import { startBackupNowLab, type ObLab } from "./helpers";

jest.setTimeout(600_000);

let ob: ObLab;
let now: Stack;
const sets = () => ob.rows("host2", "SELECT bs_key, backup_type, status, file_status FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 ORDER BY bs_key");
const remoteSteps = (r: { out: string }) => r.out.split("\n").filter((l) => / \.\.\. (ok|FAILED)/.test(l) && /oceanbase:Backup\//.test(l));

beforeAll(async () => {
  ({ ob, now } = await startBackupNowLab({ version: "3.2.4", policyExample: "ob-backup-policy" }));
});
afterAll(async () => {
  await ob?.stop();
});

test("an incremental with no full backup is refused by OCP's precheck, with the seed's text, before any step", async () => {
  const up = await now.withEnv({ OB_BACKUP_MODE: "incremental" }).engine("up");
  expect(up.code).not.toBe(0);
  expect(up.out).toContain("Pre check: full data backup needed before incremental data backup.");
  expect(remoteSteps(up)).toEqual([]);
  expect(await sets()).toEqual([]);
});

test("a full when the cluster was not compacted since archiving started is refused with the seed's text", async () => {
  const up = await now.engine("up");
  expect(up.code).not.toBe(0);
  expect(up.out).toContain("Pre check: Cluster compaction needed before full data backup");
  expect(remoteSteps(up)).toEqual([]);
});

test("compactIfNeeded: MAJOR FREEZE, wait for IDLE, then the full; the resource waits for its set and outputs it", async () => {
  const up = await now.withEnv({ OB_COMPACT: "true" }).engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(up.out).toMatch(/backup ALTER SYSTEM MAJOR FREEZE; wait for IDLE; ALTER SYSTEM BACKUP DATABASE; record the set/);
  expect(await ob.rows("host2", "select name, value from oceanbase.__all_zone where zone='' and name in ('frozen_version','last_merged_version') order by name")).toEqual([["frozen_version", "2"], ["last_merged_version", "2"]]);
  expect(await sets()).toEqual([["1", "D", "SUCCESS", "AVAILABLE"]]);
  const out = (await now.outputs()).backupSet;
  expect(out).toMatchObject({ setId: 1, mode: "full", status: "SUCCESS", bytes: expect.any(Number) });
  expect(out.start < out.end).toBe(true);
  const quiet = await now.withEnv({ OB_COMPACT: "true" }).engine("up");
  expect(quiet.summary).toMatchObject({ same: 2 });
});

test("a changed trigger (and mode) runs a new backup: an incremental now that a full exists", async () => {
  const up = await now.withEnv({ OB_COMPACT: "true", OB_BACKUP_MODE: "incremental", OB_BACKUP_TRIGGER: "after-upgrade" }).engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(await sets()).toEqual([["1", "D", "SUCCESS", "AVAILABLE"], ["2", "I", "SUCCESS", "AVAILABLE"]]);
  expect((await now.outputs()).backupSet).toMatchObject({ setId: 2, mode: "incremental", status: "SUCCESS" });
  for (const h of ob.lab.hosts) for (const e of ob.lab.commandLog(h.name)) expect(JSON.stringify(e)).not.toContain(ob.password);
});

test("hostile triggers are recorded on the host and read back exactly: each runs one backup, the next up is quiet", async () => {
  const triggers = [`'; rm -rf / #`, "$(id) `id` ${HOME}", 'a\nb "quoted" \\ back\\slash', "%s %d \\n", "日本語 ünïcödé 🚀"];
  let expected = (await sets()).length;
  for (const trigger of triggers) {
    const s = now.withEnv({ OB_BACKUP_MODE: "incremental", OB_BACKUP_TRIGGER: trigger });
    expect(outcome(await s.engine("up"))).toEqual({ code: 0, tail: "" });
    expected++;
    expect(await sets()).toHaveLength(expected);
    const quiet = await s.engine("up");
    expect(quiet.summary).toMatchObject({ same: 2 });
    const refresh = await s.engine("refresh");
    expect(refresh.out).not.toMatch(/drift/);
  }
  const record = path.join(ob.lab.host("host1").hostDir, "home", ".dbcluster", "ob-backup-now", "now.json");
  expect(JSON.parse(fs.readFileSync(record, "utf8")).trigger).toBe(triggers[triggers.length - 1]);
  // Restore the trigger the next test destroys with.
  expect(outcome(await now.withEnv({ OB_BACKUP_MODE: "incremental", OB_BACKUP_TRIGGER: "after-upgrade" }).engine("up"))).toEqual({ code: 0, tail: "" });
});

test("destroy forgets the backup and keeps its data", async () => {
  const record = path.join(ob.lab.host("host1").hostDir, "home", ".dbcluster", "ob-backup-now", "now.json");
  const rec = JSON.parse(fs.readFileSync(record, "utf8"));
  expect(rec).toEqual({ setId: expect.any(Number), mode: "incremental", trigger: "after-upgrade", tenants: [] });
  const before = await sets();
  expect(outcome(await now.withEnv({ OB_BACKUP_MODE: "incremental", OB_BACKUP_TRIGGER: "after-upgrade" }).engine("destroy"))).toEqual({ code: 0, tail: "" });
  expect(fs.existsSync(record)).toBe(false);
  expect(await sets()).toEqual(before);
});
