/**
 * An `up` of seed 7.2 (examples/dpc-bp-raft) interrupted at distinct steps by lab faults: the
 * failed up names the host and the step and says what to do; the resource is recorded as
 * "initialization failed"; the next up (fault cleared) finishes the cluster; a third up changes
 * nothing. Each injection point is one only a single step can reach (by host and tool), and the
 * test checks that the fault was consumed and that the error names that step.
 */
import { Cluster, stepsByOp, type EngineRun } from "./cluster";
import { EXAMPLE, expectQuietUp, expectSeed72, transcript } from "./bp-raft";

jest.setTimeout(300_000);

let c: Cluster;
beforeEach(async () => {
  c = await Cluster.start(EXAMPLE);
});
afterEach(async () => {
  await c?.stop();
});

/** The failed up's one error: resource, host, step, and the advice to run up again. */
function expectFailedAt(r: EngineRun, resource: string, host: string, step: RegExp): string {
  expect({ code: r.code === 0 ? 0 : "non-zero" }).toEqual({ code: "non-zero" });
  const err = r.errors.find((e) => e.includes(`dpc-bp-raft-${resource}:`));
  if (!err) throw new Error(`no error for ${resource}:\n${transcript(r)}`);
  expect(err).toContain(c.address(host));
  expect(err).toMatch(step);
  expect(err).toMatch(/next: .*run `pulumi up` again/);
  return err;
}

/** Runs the finishing up and checks that the interrupted resource was updated, not created again. */
async function finish(interrupted: string[]): Promise<EngineRun> {
  const r = await c.up();
  if (r.code !== 0) throw new Error(`the finishing up failed:\n${transcript(r)}`);
  const ops = stepsByOp(r);
  for (const name of interrupted) expect(ops.update ?? []).toContain(`dpc-bp-raft-${name}`);
  expect(ops.delete ?? []).toEqual([]);
  expect(ops.replace ?? []).toEqual([]);
  return r;
}

test("dminit failing on one host: that Instance is recorded half-built, the next up initialises it and builds the rest", async () => {
  await c.lab.fault("host4", "fail", "dminit", 1);
  const failed = await c.up();
  expect(c.failurePending("host4", "dminit")).toBe(false);
  // host4 holds BP12 and BP23; whichever dminit ran first failed.
  const which = failed.errors.some((e) => e.includes("dpc-bp-raft-BP12")) ? "BP12" : "BP23";
  expectFailedAt(failed, which, "host4", /dminit failed .*INSTANCE_NAME=BP(12|23)/);
  // Nothing that needs the failed instance ran.
  expect(stepsByOp(failed).create ?? []).not.toContain(`dpc-bp-raft-${which === "BP12" ? "RAFT_1" : "RAFT_2"}`);
  expect(stepsByOp(failed).create ?? []).not.toContain("dpc-bp-raft-BG_1");

  await finish([which]);
  await expectSeed72(c);
  await expectQuietUp(c);
});

test("disql failing at the MP's registration: the MP group is half-built (started, unregistered), the next up registers it", async () => {
  // The MP group's first disql on host2 is its catalog read (the MP is not up yet, so it fails
  // anyway); the second is the registration.
  await c.lab.fault("host2", "fail", "disql", 2);
  const failed = await c.up();
  expect(c.failurePending("host2", "disql")).toBe(false);
  expectFailedAt(failed, "MP_RAFT", "host2", /sql failed .*SP_CREATE_DPC_INSTANCE\(NULL, 'MP', 'MP'/);
  expect(stepsByOp(failed).create?.filter((n) => /RAFT|BG_|FDOM/.test(n)) ?? []).toEqual([]);
  expect(await c.running()).toEqual(["MP"]);

  await finish(["MP_RAFT"]);
  await expectSeed72(c);
  await expectQuietUp(c);
});

test("dmrman failing at the offline backup that seeds RAFT_2: the next up seeds the group again and elects a leader", async () => {
  // BP21 (host2) is the only instance that dmrman runs for on host2: RAFT_2's seeding backup.
  await c.lab.fault("host2", "fail", "dmrman", 1);
  const failed = await c.up();
  expect(c.failurePending("host2", "dmrman")).toBe(false);
  expectFailedAt(failed, "RAFT_2", "host2", /dmrman failed .*offline full backup of BP21/);

  await finish(["RAFT_2"]);
  await expectSeed72(c);
  await expectQuietUp(c);
});

test("dmrman failing at a replica's restore (BP13 of RAFT_1): the next up finishes the seeding", async () => {
  // host1 holds SP1 and BP13: dmrman runs there only to restore BP13.
  await c.lab.fault("host1", "fail", "dmrman", 1);
  const failed = await c.up();
  expect(c.failurePending("host1", "dmrman")).toBe(false);
  expectFailedAt(failed, "RAFT_1", "host1", /dmrman failed .*restore BP13/);

  await finish(["RAFT_1"]);
  await expectSeed72(c);
  await expectQuietUp(c);
});

test("dmserver failing at a member's MOUNT start (BP13 of RAFT_1): the next up starts it and the group is whole", async () => {
  // On host1, RAFT_1 starts BP13 before anything starts SP1 (SP groups come after BP groups).
  await c.lab.fault("host1", "fail", "dmserver", 1);
  const failed = await c.up();
  expect(c.failurePending("host1", "dmserver")).toBe(false);
  expectFailedAt(failed, "RAFT_1", "host1", /start failed .*MOUNT \(BP13\)/);
  expect(await c.running()).not.toContain("BP13");

  await finish(["RAFT_1"]);
  await expectSeed72(c);
  await expectQuietUp(c);
});

test("a host going down in the middle of RAFT_1's seeding: the up fails naming it; once it is back, the next up finishes", async () => {
  let downed: Promise<unknown> | undefined;
  const failed = await c.up({
    // Right after BP11's backup, before its copy reaches BP12 on host4.
    onLine: (l) => {
      if (!downed && /RAFT_1 create .*dmrman offline full backup of BP11 .*\.\.\. ok/.test(l)) downed = c.lab.fault("host4", "down");
    },
  });
  expect(downed).toBeDefined();
  await downed;
  expect(failed.code).not.toBe(0);
  // RAFT_1 failed on host4, and says what to do: a step's "next:" advice, or the connection's.
  const err = failed.errors.find((e) => e.startsWith("dpc-bp-raft-RAFT_1:"));
  if (!err) throw new Error(`no error for RAFT_1:\n${transcript(failed)}`);
  expect(err).toContain(c.address("host4"));
  expect(err).toMatch(/next: .*run `pulumi up` again|check that the host is up/);

  await c.lab.fault("host4", "up");
  const interrupted = ["RAFT_1", ...(failed.errors.some((e) => e.includes("dpc-bp-raft-RAFT_2")) ? ["RAFT_2"] : [])];
  await finish(interrupted);
  await expectSeed72(c);
  await expectQuietUp(c);
});
