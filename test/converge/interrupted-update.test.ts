/**
 * Updates of a running cluster interrupted by lab faults, each at one step only it reaches (a
 * tool on one host, the Nth run of disql on the MP's host, or the disql run carrying one
 * statement on the BS-mode leader's host, a lab fault keyed on it): the failed up names the resource; a
 * refresh right after it works (the state a failed step leaves must still load the provider); the
 * next up finishes what was started from what was really applied before; a third up is quiet.
 * Last, an up where a create and an update both fail, then refresh and destroy of everything.
 *
 * One cluster, changed step by step (the steps build on each other, so they run in order): MP and
 * SP1, RAFT_3 = two RAFT replicas and one shadow (seed 7.5; three nodes, as DM counts them), BG_1,
 * three fault domains.
 */
import type { Lab } from "../helpers/lab";
import { MEMBER_READS } from "../examples/helpers";
import { catalog, commandMark, commandsSince, expectFinishedThenQuiet, failurePending as failurePendingOn, instancesUnder, processes, topologyLab, upFailingAt, type Stack, type Run, type Topology } from "../topology/helpers";

jest.setTimeout(600_000);

let lab: Lab;
let stack: Stack;
topologyLab((l, s) => ((lab = l), (stack = s)));

const inst = instancesUnder("resume");
const MP = inst("MP", "MP", "host1", 5239, 6003, { mpPort: 9000 });
const SP1 = inst("SP1", "SP", "host2", 5236, 6000);
const BPS = [inst("BP31", "BP", "host1", 5250, 6010), inst("BP32", "BP", "host2", 5251, 6011), inst("BP34", "BP", "host4", 5253, 6013)];
const BP35 = inst("BP35", "BP", "host1", 5254, 6014);
const BP36 = inst("BP36", "BP", "host3", 5255, 6015);
const SP2 = inst("SP2", "SP", "host4", 5240, 6004);
const hostOf = (name: string) => [MP, SP1, ...BPS, BP35, BP36, SP2].find((i) => i.name === name)!.host;

const base: Topology = {
  instances: [MP, SP1, ...BPS],
  rafts: [{ name: "RAFT_3", role: "BP", members: BPS.map((i) => i.name), shadows: ["BP34"] }, { name: "RAFT_SP1", role: "SP", members: ["SP1"] }],
  bpGroups: [{ name: "BG_1", rafts: ["RAFT_3"] }],
  faultDomains: [{ name: "FDOM_1", instances: ["MP", "BP31"] }, { name: "FDOM_2", instances: ["BP32"] }, { name: "FDOM_3", instances: ["BP34"] }],
};
/** The topology as it stands after the last step. */
let t = base;

const raft3 = (x: Topology) => x.rafts.find((r) => r.name === "RAFT_3")!;
const withRaft3 = (x: Topology, change: Partial<Topology["rafts"][number]>): Topology => ({ ...x, rafts: x.rafts.map((r) => (r.name === "RAFT_3" ? { ...r, ...change } : r)) });

/** What the user reads for failed resources: `<resource>: <message>`. */
const errors = (r: Run) => r.events.filter((e) => e.diag?.severity === "error").map((e) => `${String(e.diag.urn ?? "").split("::").pop()}: ${String(e.diag.message)}`);
const why = (r: Run) => `exit ${r.code}\n${errors(r).join("\n").slice(0, 4000)}\n${r.out.split("\n").filter((l) => /failed|error/i.test(l)).slice(-20).join("\n").slice(-4000)}`;
const ok = (r: Run) => expect({ code: r.code, why: r.code === 0 ? "" : why(r) }).toEqual({ code: 0, why: "" });

const failurePending = (host: string, tool: string) => failurePendingOn(lab, host, tool);

/** The up fails, on `resource` only among `among`, with a message matching `step`. */
function expectFailed(r: Run, failed: string[], step: RegExp): void {
  expect(r.code).not.toBe(0);
  const names = errors(r).map((e) => e.split(":")[0]).filter((n) => n.startsWith("topo-")).sort();
  expect({ names: [...new Set(names)], why: "" }).toEqual({ names: failed.map((n) => `topo-${n}`).sort(), why: "" });
  expect(errors(r).join("\n")).toMatch(step);
}

/** A refresh right after a failed up reads every resource, the half-applied ones too. */
async function expectRefreshWorks(x: Topology): Promise<void> {
  const r = await stack.engine("refresh", x);
  ok(r);
  expect(errors(r)).toEqual([]);
}

/** The next up finishes (updating `updated`, nothing replaced or deleted unless said), then a quiet one. */
async function finish(x: Topology, updated: string[], deleted: string[] = []): Promise<Run> {
  const r = await stack.engine("up", x);
  ok(r);
  expect(stack.steps(r, "update")).toEqual(updated.map((n) => `topo-${n}`).sort());
  await expectFinishedThenQuiet(stack, r, x, deleted);
  t = x;
  return r;
}

/** RAFT_3 as V$GLOBAL_RAFT_INFO lists it (running members only). */
async function group(): Promise<{ members: string[]; shadows: string[]; leader: string[] }> {
  const rows = (await catalog(lab)).raftInfo.filter((x) => x[0] === "RAFT_3");
  return { members: rows.map((x) => x[1]).sort(), shadows: rows.filter((x) => x[3] === "1").map((x) => x[1]).sort(), leader: rows.filter((x) => x[2] === "LEADER").map((x) => x[1]) };
}

test("0. the cluster: RAFT_3 with two RAFT replicas and one shadow", async () => {
  const r = await stack.engine("up", base);
  ok(r);
  await finish(base, []);
  const g = await group();
  expect(g.members).toEqual(["BP31", "BP32", "BP34"]);
  expect(g.shadows).toEqual(["BP34"]);
  expect(g.leader).toHaveLength(1);
});

/** The RAFT member converted to a shadow: never the leader. */
let victim = "";

test("1. RAFT ↔ shadow swap interrupted at the new shadow's restore: the next up rebuilds it as a shadow", async () => {
  const { leader } = await group();
  victim = ["BP32", "BP31"].find((n) => n !== leader[0])!;
  const next = withRaft3(t, { shadows: [victim] });
  await lab.fault(hostOf(victim), "fail", "dmrman", 1);
  const failed = await stack.engine("up", next);
  expect(failurePending(hostOf(victim), "dmrman")).toBe(false);
  expectFailed(failed, ["RAFT_3"], new RegExp(`dmrman failed .*${victim}`));
  await expectRefreshWorks(next);

  await finish(next, ["RAFT_3"]);
  const g = await group();
  expect(g.members).toEqual(["BP31", "BP32", "BP34"]);
  expect(g.shadows).toEqual([victim]);
  expect(g.leader).toEqual(leader);
});

test("2. member addition interrupted at a newcomer's restore, then at SP_ADD_RAFT_LEARNER, then at SP_ALTER_RAFT_NODE: the fourth up adds both", async () => {
  const next: Topology = { ...withRaft3(t, { members: [...raft3(t).members, "BP35", "BP36"] }), instances: [...t.instances, BP35, BP36] };
  const { leader } = await group();
  const leaderHost = () => hostOf(leader[0]);
  // host1 runs dmrman only for BP35 (the leader's backup is online, over SQL).
  await lab.fault("host1", "fail", "dmrman", 1);
  const failed = await stack.engine("up", next);
  expect(failurePending("host1", "dmrman")).toBe(false);
  expectFailed(failed, ["RAFT_3"], /dmrman failed .*BP35/);
  await expectRefreshWorks(next);

  // On the BS-mode leader's host, a lab fault keyed on the statement: its online backup ran first.
  const second = await upFailingAt(stack, next, leaderHost(), "SP_ADD_RAFT_LEARNER");
  expect(second.pending).toBe(false);
  expect(second.run.out).toMatch(/RAFT_3 .*BACKUP DATABASE FULL BACKUPSET .* \.\.\. ok/);
  expectFailed(second.run, ["RAFT_3"], /SP_ADD_RAFT_LEARNER\('BP3[56]'/);
  await expectRefreshWorks(next);

  // And SP_ALTER_RAFT_NODE, after the wait for the learners.
  const third = await upFailingAt(stack, next, leaderHost(), "SP_ALTER_RAFT_NODE");
  expect(third.pending).toBe(false);
  expect(third.run.out).toMatch(/RAFT_3 .*wait until BP3[56], BP3[56] follow the leader.* \.\.\. ok/);
  expectFailed(third.run, ["RAFT_3"], /SP_ALTER_RAFT_NODE\('BP31\/BP32\/BP34\/BP35\/BP36'\)/);
  await expectRefreshWorks(next);

  await finish(next, ["RAFT_3"]);
  expect((await group()).leader).toEqual(leader);
  const g = await group();
  expect(g.members).toEqual(["BP31", "BP32", "BP34", "BP35", "BP36"]);
  expect(g.shadows).toEqual([victim]);
});

test("2b. a refresh reads RAFT_3's members with one command per host: BP35's disql failing on host1 is told apart, BP31 beside it still read", async () => {
  const mark = commandMark(lab);
  // Keyed on BP35's login line: only its own disql run fails, inside host1's one command.
  await lab.fault("host1", "fail", "disql", 1, "--when", `@${lab.host("host1").address}:${BP35.portNum}`);
  const r = await stack.engine("refresh", t);
  ok(r);
  expect(failurePending("host1", "disql")).toBe(false);
  const reads = commandsSince(lab, mark).filter((c) => MEMBER_READS.test(c.command));
  // [host, disql runs in its one command]: host1 runs BP31 and BP35, the other hosts one member each
  expect(reads.map((c) => [c.host, c.command.split(" -S -L /nolog ").length - 1]).sort()).toEqual([["host1", 2], ["host2", 1], ["host3", 1], ["host4", 1]]);
  const said = r.events.map((e) => String(e.log?.message ?? "")).filter((m) => /V\$RLOG_RAFT_INFO/.test(m));
  expect(said.filter((m) => /BP35@\S+: reading V\$RLOG_RAFT_INFO failed \(exit \d+\)/.test(m))).toHaveLength(1);
  expect(said.filter((m) => !/BP35@/.test(m))).toEqual([]);
});

test("3. member removal interrupted after the members stopped, before they were unregistered: the next up unregisters them", async () => {
  const next: Topology = { ...withRaft3(t, { members: raft3(t).members.filter((n) => n !== "BP35" && n !== "BP36") }), instances: t.instances.filter((i) => i !== BP35 && i !== BP36) };
  // Keyed on the statement, not on a count of disql runs on the MP's host (the reads of the members
  // on that host, kept and removed, come first and their number is the read path's business).
  await lab.fault("host1", "fail", "disql", 1, "--when", "SP_DROP_DPC_INSTANCE");
  const failed = await stack.engine("up", next);
  expect(failurePending("host1", "disql")).toBe(false);
  expectFailed(failed, ["RAFT_3"], /sql failed .*SP_DROP_DPC_INSTANCE\('BP35'\)/);
  const running = await processes(lab);
  expect([running.BP35, running.BP36]).toEqual([undefined, undefined]);
  await expectRefreshWorks(next);

  await finish(next, ["RAFT_3"], ["BP35", "BP36"]);
  const g = await group();
  expect(g.members).toEqual(["BP31", "BP32", "BP34"]);
  const c = await catalog(lab);
  expect([c.instances.BP35, c.instances.BP36]).toEqual([undefined, undefined]);
});

test("4. fault-domain move interrupted between the two domains: the next up finishes it", async () => {
  const next: Topology = { ...t, faultDomains: [{ name: "FDOM_1", instances: ["BP31"] }, { name: "FDOM_2", instances: ["BP32", "MP"] }, { name: "FDOM_3", instances: ["BP34"] }] };
  // On the MP's host: FDOM_1 reads, moves MP out, reads again; FDOM_2 reads, then moves MP in.
  await lab.fault("host1", "fail", "disql", 1, 4);
  const failed = await stack.engine("up", next);
  expect(failurePending("host1", "disql")).toBe(false);
  expectFailed(failed, ["FDOM_2"], /sql failed .*SP_FAULT_DOMAIN_MV_INST\('FDOM_2', 'MP'\)/);
  await expectRefreshWorks(next);

  await finish(next, ["FDOM_2"]);
  expect((await catalog(lab)).instances.MP[3]).toBe(String(2 * 65536));
});

test("5. a create and an update both fail mid-way; refresh, then destroy, remove everything", async () => {
  const next: Topology = {
    ...withRaft3(t, { shadows: ["BP34"] }),
    instances: [...t.instances, SP2],
    rafts: [...withRaft3(t, { shadows: ["BP34"] }).rafts, { name: "RAFT_SP2", role: "SP", members: ["SP2"] }],
  };
  await lab.fault(hostOf("SP2"), "fail", "dminit", 1);
  await lab.fault(hostOf(victim), "fail", "dmrman", 1);
  const failed = await stack.engine("up", next);
  expectFailed(failed, ["RAFT_3", "SP2"], /dminit failed .*INSTANCE_NAME=SP2/);
  await expectRefreshWorks(next);

  const destroyed = await stack.engine("destroy", next);
  ok(destroyed);
  expect(errors(destroyed)).toEqual([]);
  expect(await processes(lab)).toEqual({});
});
