/**
 * A refresh right after an up changes nothing: every resource reports, when its create returns,
 * only what it owns and what has settled, so the refresh reads the same outputs back (an
 * "updated" resource here is what a user reads as drift). On the three examples and the bench's
 * topologies (the bench program's seed 7.2, and a smaller cluster of the 64-instance layout).
 */
import * as path from "node:path";
import { clusterOf } from "../../bench/topologies";
import { dpcProgram, labOf, LAB_PASSWORD, outcome, REPO, stackOn, type EngineRun, type Lab, type Stack } from "../examples/helpers";

jest.setTimeout(600_000);

/** Resources a refresh reports as changed, with the output keys that changed. */
function changed(r: EngineRun): string[] {
  return r.events.filter((e) => e.step && e.step.op !== "same").map((e) => `${e.step.op} ${e.step.name}: ${(e.step.keys ?? []).join(", ")}`);
}

async function expectRefreshQuiet(stack: Stack, resources: number): Promise<void> {
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(up.summary).toMatchObject({ create: resources });
  const refresh = await stack.engine("refresh");
  expect(outcome(refresh)).toEqual({ code: 0, tail: "" });
  expect(changed(refresh)).toEqual([]);
  expect(refresh.summary?.same).toBeGreaterThanOrEqual(resources);
  // Free the ports for the next topology (the data directories stay; each uses its own).
  const destroyed = await stack.engine("destroy");
  expect(outcome(destroyed)).toEqual({ code: 0, tail: "" });
}

/** A 4-host lab for the tests of the enclosing describe block. */
function labForBlock(): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await labOf(4);
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });
  return () => lab!;
}

describe("the examples", () => {
  const lab = labForBlock();

  test.each([
    ["dpc-single", 12],
    ["dpc-bp-raft", 18],
    ["dpc-mp-raft", 14],
  ])("%s: up, then refresh reports every resource unchanged", async (example, resources) => {
    await expectRefreshQuiet(stackOn(lab(), path.join(REPO, "examples", example), example), resources);
  });
});

describe("the bench's topologies", () => {
  const lab = labForBlock();

  test("seed 7.2 as the bench program deploys it", async () => {
    await expectRefreshQuiet(stackOn(lab(), path.join(REPO, "bench", "program"), "bench72", { BENCH_TOPOLOGY: "7.2" }), 18);
  });

  test("the 64-instance layout at a smaller size: 4 BP RAFT groups of 3 in 2 BP groups, 2 SPs", async () => {
    // The bench's own layout function, on the lab's hosts by name (the program places them).
    const hosts = lab().hosts.map((h) => ({ ip: h.address, connection: h.name, dataRoot: "" }));
    const t = clusterOf(hosts, { bpRafts: 4, replicas: 3, sps: 2, bpGroups: 2 });
    const topology = {
      sysdbaPassword: LAB_PASSWORD,
      ...t,
      instances: t.instances.map(({ connection, path: p, ...i }) => ({ ...i, host: connection, dir: p.replace(/^\//, "") })),
    };
    // 15 instances, 7 RAFT groups (MP_RAFT too), 2 BP groups, 3 fault domains; the stack and the component.
    await expectRefreshQuiet(dpcProgram(lab(), topology, "small64"), 15 + 7 + 2 + 3 + 2);
  });
});
