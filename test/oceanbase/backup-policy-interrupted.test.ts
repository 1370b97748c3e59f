/**
 * examples/ob-backup-policy through the engine when things go wrong: bad input refused by check
 * before anything runs; an up interrupted by a failing obclient (lab fault) names host and step,
 * and the next up finishes it.
 */
import * as path from "node:path";
import { REPO, outcome, stackOn, type Stack } from "../examples/helpers";
import { startObLab, type ObLab } from "./helpers";

jest.setTimeout(300_000);

const EXAMPLE = path.join(REPO, "examples", "ob-backup-policy");
let ob: ObLab;
let stack: Stack;
const param = async (name: string) => (await ob.rows("host2", `SHOW PARAMETERS LIKE '${name}'`))[0][6];

beforeAll(async () => {
  ob = await startObLab({ version: "3.2.4", hosts: 4 });
  stack = stackOn(ob.lab, EXAMPLE);
});
afterAll(async () => {
  await ob?.stop();
});

test("a relative storage path with ? is refused by check, naming field, value and rule; nothing ran", async () => {
  const up = await stack.withEnv({ OB_BACKUP_DIR: "backup?x" }).engine("up");
  expect(up.code).not.toBe(0);
  expect(up.out).toContain('storage.file.path: must be an absolute path (got \\"backup?x\\")');
  expect(up.out).toContain("storage.file.path: cannot contain ?");
  for (const h of ob.lab.hosts) expect(ob.lab.commandLog(h.name).filter((e: any) => "command" in e || e.event === "forward")).toEqual([]);
});

test("a storage directory the cluster host cannot write: the storage test fails naming host and reason; nothing is saved", async () => {
  const up = await stack.withEnv({ OB_BACKUP_DIR: "/proc/ob-backup" }).engine("up");
  expect(up.code).not.toBe(0);
  expect(up.out).toMatch(new RegExp(`${ob.lab.host("host1").address.replace(/\./g, "\\.")} storage-test write a test marker into /proc/ob-backup .*FAILED`));
  expect(up.out).toMatch(/check that \/proc\/ob-backup is mounted and writable on /);
  expect(await param("backup_dest")).toBe("");
});

test("the shared directory unmounted from one OBServer's host (lab fault): the storage test fails on that host, saying why; nothing is saved", async () => {
  const shared = `${ob.cluster.sharedDir}/backup`;
  await ob.lab.fault("host2", "unmount-shared");
  // The fault as a DBA would see it: host2 still has the path, but what it writes there nobody else sees.
  expect((await ob.lab.exec("host2", `mkdir -p ${shared} && echo local > ${shared}/only-on-host2`)).code).toBe(0);
  expect((await ob.lab.exec("host1", `test -e ${shared}/only-on-host2`)).code).not.toBe(0);
  const up = await stack.engine("up");
  await ob.lab.fault("host2", "mount-shared");
  expect(up.code).not.toBe(0);
  const [a1, a2] = ["host1", "host2"].map((h) => ob.lab.host(h).address);
  expect(up.out).toMatch(new RegExp(`${a1.replace(/\./g, "\\.")} storage-test write a test marker into ${shared} \\.\\.\\. ok`));
  expect(up.out).toMatch(new RegExp(`${a2.replace(/\./g, "\\.")} storage-test read the test marker from ${shared} \\.\\.\\. FAILED`));
  expect(up.out).toContain(`${shared} on this host is not the directory ${a1} wrote to (its marker is missing): not mounted here?`);
  expect(up.out).toContain(`the marker written on ${a1} is not in ${shared} on ${a2}: mount the same shared directory (NFS) at that path on every OBServer and the job host`);
  expect(await param("backup_dest")).toBe("");
});

test("a host whose SSH server forbids port forwarding: the read fails saying so", async () => {
  await ob.lab.fault("host1", "noforward");
  const up = await stack.engine("up");
  await ob.lab.fault("host1", "forward");
  expect(up.code).not.toBe(0);
  expect(up.out).toMatch(/cannot forward to [\d.]+:2881: .*does the SSH server allow TCP forwarding/);
  expect(ob.lab.commandLog("host1").filter((e: any) => e.event === "forward" && e.refused)).toHaveLength(1);
});

test("obclient failing at the SQL step: the up fails naming host and step; the next up finishes; a third is quiet", async () => {
  await ob.lab.fault("host1", "fail", "obclient", 1);
  const failed = await stack.engine("up");
  expect(failed.code).not.toBe(0);
  expect(failed.out).toMatch(new RegExp(`${ob.lab.host("host1").address.replace(/\./g, "\\.")} sql ALTER SYSTEM SET backup_dest .* FAILED`));
  expect(failed.out).toMatch(/ERROR 2002 \(HY000\): Can't connect to server/);
  expect(await param("backup_dest")).toBe("");
  const again = await stack.engine("up");
  expect(outcome(again)).toEqual({ code: 0, tail: "" });
  expect(again.summary).toMatchObject({ update: 1 });
  expect(await param("backup_dest")).toBe(`file://${ob.cluster.sharedDir}/backup`);
  const quiet = await stack.engine("up");
  expect(quiet.summary).toMatchObject({ same: 2 });
});
