/**
 * examples/ob-backup-now on a lab OceanBase 4.2.1 cluster (two user tenants) whose archiving an
 * ob-backup-4x stack turned on: the prechecks per tenant, compaction of every tenant first,
 * one backup per tenant, the set reported, delete keeping the data.
 */
import { outcome, type Stack } from "../examples/helpers";
import { startBackupNowLab, type ObLab } from "./helpers";

jest.setTimeout(600_000);

let ob: ObLab;
let now: Stack;
const sets = () => ob.rows("host2", "SELECT tenant_id, backup_type, status FROM oceanbase.CDB_OB_BACKUP_SET_FILES ORDER BY tenant_id, backup_set_id");

beforeAll(async () => {
  ({ ob, now } = await startBackupNowLab({ version: "4.2.1", tenants: ["t1", "t2"], policyExample: "ob-backup-4x" }));
});
afterAll(async () => {
  await ob?.stop();
});

test("4.x: OCP's prechecks per tenant, then a full of every tenant after compacting each", async () => {
  const inc = await now.withEnv({ OB_BACKUP_MODE: "incremental" }).engine("up");
  expect(inc.out).toContain("Pre check: full data backup needed before incremental data backup.");
  const full = await now.engine("up");
  expect(full.out).toContain("Pre check: Cluster compaction needed before full data backup");
  expect(await sets()).toEqual([]);
  const up = await now.withEnv({ OB_COMPACT: "true" }).engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(up.out).toMatch(/ALTER SYSTEM MAJOR FREEZE TENANT = t1; ALTER SYSTEM MAJOR FREEZE TENANT = t2; wait for IDLE; ALTER SYSTEM BACKUP TENANT = t1; ALTER SYSTEM BACKUP TENANT = t2/);
  expect(await ob.rows("host2", "SELECT tenant_id, status FROM oceanbase.CDB_OB_MAJOR_COMPACTION WHERE tenant_id IN (1002, 1004) ORDER BY tenant_id")).toEqual([["1002", "IDLE"], ["1004", "IDLE"]]);
  expect(await sets()).toEqual([["1002", "FULL", "SUCCESS"], ["1004", "FULL", "SUCCESS"]]);
  expect((await now.outputs()).backupSet).toMatchObject({ mode: "full", status: "SUCCESS" });
  expect(outcome(await now.withEnv({ OB_COMPACT: "true" }).engine("destroy"))).toEqual({ code: 0, tail: "" });
  expect(await sets()).toEqual([["1002", "FULL", "SUCCESS"], ["1004", "FULL", "SUCCESS"]]);
});
