import { withMemberReads } from "../../../../provider/dm/catalog";
import { parseIni } from "../../../../provider/dm/ini";
import { PlanError, flatten, isCopyOperation, type Plan } from "../../../../provider/dm/ops";
import { planRaftGroup as planRaftGroupWith, planRaftGroupDelete, type RaftGroupPlanOptions } from "../../../../provider/dm/plan/raft-group";
import { planInstance } from "../../../../provider/dm/plan/instance";
import type { DpcClusterArgs, RaftGroupSpec } from "../../../../provider/dm/schema";
import { seed72, seedBp11Dmarch } from "../fixtures/seed";
import { Sim } from "../helpers/sim";
import { buildCluster, raftActual, steps } from "./world";

/** Every plan of these tests is of run "r1": its backup sets are named ..._r1. */
const planRaftGroup = (spec: RaftGroupSpec, actual: Parameters<typeof planRaftGroupWith>[1], opts: Partial<RaftGroupPlanOptions> = {}) =>
  planRaftGroupWith(spec, actual, { runId: "r1", ...opts });
const lines = (plan: Plan) => flatten(plan).map((o) => `${o.kind} ${o.describe.replace(/ \$ .*$/, "")}`);
const raft = (s: ReturnType<typeof steps>, name: string) => s.find((x) => x.kind === "RaftGroup" && x.spec.name === name)!.spec as RaftGroupSpec;
const fileOf = (sim: Sim, name: string, file: string) => {
  const i = sim.instances.get(name)!;
  return sim.files.get(`${i.connKey}|${i.dbDir}/${file}`)!;
};

describe("multi-replica seeding (seed 7.2.6–7.2.8)", () => {
  test("RAFT_1 is registered, seeded from BP11's offline backup and started with MOUNT, in the seed's order", () => {
    const { plans, steps: all } = buildCluster(seed72);
    const i = all.findIndex((s) => s.kind === "RaftGroup" && s.spec.name === "RAFT_1");
    const got = lines(plans[i]).map((l) => l.replace(/ \(.*\)$/, "").replace(/\/dpc_data_mac\//g, ""));
    expect(got).toEqual([
      "sql disql MP: SP_CREATE_DPC_RAFT('BP', 'RAFT_1'); SP_CREATE_DPC_INSTANCE('RAFT_1', 'BP11', 'BP', 6002, 5238, '223.254.30.136', '223.254.30.136', 'STANDBY', 0, 'BP instance'); SP_CREATE_DPC_INSTANCE('RAFT_1', 'BP12', 'BP', 6003, 5239, '223.254.30.136', '223.254.30.136', 'STANDBY', 0, 'BP instance'); SP_CREATE_DPC_INSTANCE('RAFT_1', 'BP13', 'BP', 6004, 5240, '223.254.30.136', '223.254.30.136', 'STANDBY', 0, 'BP instance');",
      "set-ini set ARCH_INI = 1 in bp11/DAMENG/dm.ini",
      "mkdir mkdir -p bp11/DAMENG/arch",
      "write-file write bp11/DAMENG/dmarch.ini",
      "start dmserver bp11/DAMENG/dm.ini dpc_mode=BP",
      "stop exit (SIGTERM) BP11",
      "dmrman dmrman offline full backup of BP11 to bp11/BACKUP_RAFT_1_SEED_r1",
      "dmrman dmrman restore BP12 from bp11/BACKUP_RAFT_1_SEED_r1",
      "dmrman dmrman recover BP12 UPDATE DB_MAGIC",
      "dmrman dmrman restore BP13 from bp11/BACKUP_RAFT_1_SEED_r1",
      "dmrman dmrman recover BP13 UPDATE DB_MAGIC",
      "remove remove backup set bp11/BACKUP_RAFT_1_SEED_r1",
      "set-ini set ALTER_MODE_STATUS = 0 in bp11/DAMENG/dm.ini",
      "write-file write bp11/DAMENG/dmarch.ini",
      "set-ini set ARCH_INI = 1, ALTER_MODE_STATUS = 0 in bp12/DAMENG/dm.ini",
      "mkdir mkdir -p bp12/DAMENG/arch",
      "write-file write bp12/DAMENG/dmarch.ini",
      "set-ini set ARCH_INI = 1, ALTER_MODE_STATUS = 0 in bp13/DAMENG/dm.ini",
      "mkdir mkdir -p bp13/DAMENG/arch",
      "write-file write bp13/DAMENG/dmarch.ini",
      "start dmserver bp11/DAMENG/dm.ini dpc_mode=BS MOUNT",
      "start dmserver bp12/DAMENG/dm.ini dpc_mode=BS MOUNT",
      "start dmserver bp13/DAMENG/dm.ini dpc_mode=BS MOUNT",
      "wait-leader wait until one of BP11, BP12, BP13 is PRIMARY and OPEN in the MP catalog",
    ]);
  });

  test("each member's dmarch.ini is the seed's: self id, distinct vote interval, one RAFT archive per peer, LOCAL archive", () => {
    const { sim } = buildCluster(seed72);
    expect(parseIni(fileOf(sim, "BP11", "dmarch.ini"))).toEqual(parseIni(seedBp11Dmarch));
    const votes = ["BP11", "BP12", "BP13"].map((n) => parseIni(fileOf(sim, n, "dmarch.ini")).global.RAFT_VOTE_INTERVAL);
    expect(votes).toEqual(["1500", "2000", "2500"]);
    const bp13 = parseIni(fileOf(sim, "BP13", "dmarch.ini"));
    expect(bp13.sections.ARCHIVE_RAFT1).toEqual({ ARCH_TYPE: "RAFT", ARCH_DEST: "BP11", ARCH_DEST_ID: "1" });
    expect(bp13.sections.ARCHIVE_RAFT2).toEqual({ ARCH_TYPE: "RAFT", ARCH_DEST: "BP12", ARCH_DEST_ID: "2" });
    expect(parseIni(fileOf(sim, "BP12", "dm.ini")).global).toMatchObject({ ARCH_INI: "1", ALTER_MODE_STATUS: "0" });
  });

  test("each group is seeded from its own backup, never another group's", () => {
    const { sim } = buildCluster(seed72);
    expect(["BP11", "BP12", "BP13"].map((n) => sim.instances.get(n)!.dataFrom)).toEqual(["BP11", "BP11", "BP11"]);
    expect(["BP21", "BP22", "BP23"].map((n) => sim.instances.get(n)!.dataFrom)).toEqual(["BP21", "BP21", "BP21"]);
  });

  test("members on different hosts get the backup set copied to them before the restore", () => {
    const spread: DpcClusterArgs = {
      ...seed72,
      instances: seed72.instances.map((i, n) => ({ ...i, connection: { host: `127.0.10.${(n % 3) + 1}`, port: 2222, user: "dm" } })),
    };
    const { sim, plans } = buildCluster(spread);
    const copies = plans.flatMap((p) => flatten(p)).filter(isCopyOperation);
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) expect(c.copyFrom.connKey).not.toBe(c.connKey);
    expect(sim.running.size).toBe(spread.instances.length);
  });

  test("a shadow replica is restored TO SHADOW (seed 7.5)", () => {
    // 2 RAFT replicas + 1 shadow: three nodes, as DM counts them
    const withShadow: DpcClusterArgs = { ...seed72, rafts: seed72.rafts.map((r) => (r.name === "RAFT_1" ? { ...r, shadows: ["BP13"] } : r)) };
    const { plans } = buildCluster(withShadow);
    const all = plans.flatMap((p) => lines(p));
    expect(all.filter((l) => l.includes("TO SHADOW"))).toEqual([expect.stringContaining("restore BP13 TO SHADOW")]);
  });
});

describe("membership changes of a running group", () => {
  const five: DpcClusterArgs = {
    ...seed72,
    instances: [
      ...seed72.instances,
      { ...seed72.instances[4], name: "BP14", path: "/dpc_data_mac/bp14", portNum: 5250, apPortNum: 6050 },
      { ...seed72.instances[4], name: "BP15", path: "/dpc_data_mac/bp15", portNum: 5251, apPortNum: 6051, connection: { host: "127.0.10.9", port: 2222, user: "dm" } },
    ],
    rafts: seed72.rafts.map((r) => (r.name === "RAFT_1" ? { ...r, members: [...r.members, "BP14", "BP15"] } : r)),
  };

  test("adding two replicas follows the manual's procedure (8.2.2.1.1): one online backup, learners added and the configuration changed on the leader; afterwards the plan is empty", () => {
    const { sim } = buildCluster(seed72);
    const next = steps(five);
    for (const s of next.filter((x) => x.kind === "Instance")) sim.apply(planInstance(s.spec as never, sim.hostState(s.spec as never), { creating: !sim.instances.has((s.spec as { name: string }).name) }));
    const spec = raft(next, "RAFT_1");
    const plan = planRaftGroup(spec, raftActual(sim, spec));
    const got = lines(plan);
    const add = "sql disql BP11: SP_ADD_RAFT_LEARNER('BP14', '223.254.30.136', 6050, 4); SP_ADD_RAFT_LEARNER('BP15', '223.254.30.136', 6051, 5);";
    expect(got.filter((l) => l.startsWith("sql"))).toEqual([
      // both registered before either starts (each one's dmarch.ini names the other)
      expect.stringMatching(/SP_CREATE_DPC_INSTANCE\('RAFT_1', 'BP14', 'BP', 6050, 5250.*SP_CREATE_DPC_INSTANCE\('RAFT_1', 'BP15', 'BP', 6051, 5251/),
      expect.stringMatching(/^sql disql BP11: SP_SET_PARA_VALUE\(0, 'BAK_USE_AP', 2\); BACKUP DATABASE FULL BACKUPSET '.*BACKUP_RAFT_1_JOIN_r1';$/),
      add,
      "sql disql BP11: SP_ALTER_RAFT_NODE('BP11/BP12/BP13/BP14/BP15');",
    ]);
    // DM's set is <path>_<LEADER>; it is copied to BP15's host and restored with its BAK_MAGIC, FOR STANDBY
    expect(got.some((l) => l.startsWith("copy-dir") && l.includes("BACKUP_RAFT_1_JOIN_r1_BP11") && l.includes("BP15"))).toBe(true);
    expect(got.filter((l) => /^dmrman dmrman restore BP1[45] from \S+BACKUP_RAFT_1_JOIN_r1_BP11 \(online set/.test(l))).toHaveLength(2);
    const restore = flatten(plan).find((o) => o.describe.startsWith("dmrman restore BP14"))!;
    for (const stmt of [/CTLSTMT=SHOW BACKUPSET /, /CTLSTMT=RESTORE DATABASE .* USE BAK_MAGIC .*\$magic/, /CTLSTMT=RECOVER DATABASE .* FOR STANDBY FROM BACKUPSET .* USE BAK_MAGIC .*\$magic.* UNTIL END_LSN/]) expect(restore.command).toMatch(stmt);
    // the learners start in BS mode (any member may lead when the next replica is added)
    expect(got.filter((l) => /^start dmserver \S+bp1[45]\/DAMENG\/dm\.ini dpc_mode=BS MOUNT/.test(l))).toHaveLength(2);
    // the configuration changes only after both learners follow the leader
    const wait = got.findIndex((l) => l.startsWith("wait-following") && l.includes("BP14, BP15"));
    expect(wait).toBeGreaterThan(got.indexOf(add));
    expect(wait).toBeLessThan(got.findIndex((l) => l.includes("SP_ALTER_RAFT_NODE")));
    // the learners' files as the manual writes them: the other learner as LEARNER, XMAL and ARCH_DEST addresses
    const file = flatten(plan).find((o) => o.kind === "write-file" && o.describe.includes("bp14/DAMENG/dmarch.ini"))!;
    const learnerIni = parseIni(file.stdin ?? "");
    expect(learnerIni.global).toMatchObject({ RAFT_LEARNER: "1", RAFT_SELF_ID: "4", XMAL_IP: "223.254.30.136", XMAL_PORT: "6050" });
    expect(Object.values(learnerIni.sections).map((x) => `${x.ARCH_TYPE} ${x.ARCH_DEST ?? ""} ${x.ARCH_DEST_PORT ?? ""}`)).toEqual([
      "RAFT BP11 6002", "RAFT BP12 6003", "RAFT BP13 6004", "LEARNER BP15 6051", expect.stringMatching(/^LOCAL /),
    ]);
    sim.apply(plan);
    expect(parseIni(fileOf(sim, "BP14", "dmarch.ini")).global.RAFT_LEARNER).toBeUndefined();
    expect(Object.keys(parseIni(fileOf(sim, "BP11", "dmarch.ini")).sections)).toHaveLength(5);
    expect(lines(planRaftGroup(spec, raftActual(sim, spec)))).toEqual([]);
    expect(sim.instances.get("BP15")!.dataFrom).toBe("BP11");
  });

  test("with a shadow: SP_ALTER_RAFT_NODE names it too; DM leaves its dmarch.ini alone, so the plan writes it and restarts it (DM8 §5.20)", () => {
    const withShadow = (t: DpcClusterArgs): DpcClusterArgs => ({ ...t, rafts: t.rafts.map((r) => (r.name === "RAFT_1" ? { ...r, shadows: ["BP13"] } : r)) });
    const { sim } = buildCluster(withShadow(seed72));
    const next = steps(withShadow(five));
    for (const s of next.filter((x) => x.kind === "Instance")) sim.apply(planInstance(s.spec as never, sim.hostState(s.spec as never), { creating: !sim.instances.has((s.spec as { name: string }).name) }));
    const spec = raft(next, "RAFT_1");
    const plan = planRaftGroup(spec, raftActual(sim, spec));
    const got = lines(plan);
    expect(got.filter((l) => l.includes("SP_ALTER_RAFT_NODE"))).toEqual(["sql disql BP11: SP_ALTER_RAFT_NODE('BP11/BP12/BP13/BP14/BP15');"]);
    const bp13 = got.filter((l) => /BP13|bp13/.test(l) && !l.includes("SP_ALTER_RAFT_NODE"));
    expect(bp13).toEqual([
      expect.stringMatching(/^write-file write .*bp13\/DAMENG\/dmarch\.ini/),
      expect.stringMatching(/^stop exit \(SIGTERM\) BP13/),
      expect.stringMatching(/^start dmserver .*bp13\/DAMENG\/dm\.ini dpc_mode=BS MOUNT \(BP13\)/),
    ]);
    // a RAFT member's file is written for its next start, it is not restarted
    expect(got.filter((l) => /^(stop|start).*BP12/.test(l))).toEqual([]);
    sim.apply(plan);
    expect(Object.keys(parseIni(fileOf(sim, "BP13", "dmarch.ini")).sections)).toHaveLength(5);
    expect(lines(planRaftGroup(spec, raftActual(sim, spec)))).toEqual([]);
  });

  test("a join cut short before SP_ALTER_RAFT_NODE: the next plan adds the learners again and changes the configuration, restores nothing", () => {
    const { sim } = buildCluster(seed72);
    const next = steps(five);
    for (const s of next.filter((x) => x.kind === "Instance")) sim.apply(planInstance(s.spec as never, sim.hostState(s.spec as never), { creating: !sim.instances.has((s.spec as { name: string }).name) }));
    const spec = raft(next, "RAFT_1");
    const plan = planRaftGroup(spec, raftActual(sim, spec));
    sim.apply(plan.slice(0, plan.findIndex((p) => p.title.startsWith("vote in"))));
    const again = lines(planRaftGroup(spec, raftActual(sim, spec)));
    expect(again.filter((l) => /restore|BACKUP|dminit/.test(l))).toEqual([]);
    expect(again.filter((l) => l.startsWith("sql"))).toEqual([
      "sql disql BP11: SP_ADD_RAFT_LEARNER('BP14', '223.254.30.136', 6050, 4); SP_ADD_RAFT_LEARNER('BP15', '223.254.30.136', 6051, 5);",
      "sql disql BP11: SP_ALTER_RAFT_NODE('BP11/BP12/BP13/BP14/BP15');",
    ]);
    sim.apply(planRaftGroup(spec, raftActual(sim, spec)));
    expect(parseIni(fileOf(sim, "BP15", "dmarch.ini")).global.RAFT_LEARNER).toBeUndefined();
    expect(lines(planRaftGroup(spec, raftActual(sim, spec)))).toEqual([]);
  });

  /** RAFT_1 growing to five, its join cut after SP_ALTER_RAFT_NODE, before the newcomers' dmarch.ini were finished. */
  function joinCutAfterVote() {
    const { sim } = buildCluster(seed72);
    const next = steps(five);
    for (const s of next.filter((x) => x.kind === "Instance")) sim.apply(planInstance(s.spec as never, sim.hostState(s.spec as never), { creating: !sim.instances.has((s.spec as { name: string }).name) }));
    const spec = raft(next, "RAFT_1");
    const plan = planRaftGroup(spec, raftActual(sim, spec));
    sim.apply(plan.slice(0, plan.findIndex((p) => p.title.startsWith("finish"))));
    const actual = raftActual(sim, spec);
    return { spec, actual, raftId: actual.catalog!.rafts.find((r) => r.name === "RAFT_1")!.id };
  }

  test("a join cut short after SP_ALTER_RAFT_NODE (the database shows them voting): the next plan only finishes the newcomers' dmarch.ini, adds nothing again", () => {
    const { spec, actual, raftId } = joinCutAfterVote();
    // V$GLOBAL_RAFT_INFO after the vote: all five are nodes of the configuration, none a learner
    const info = (learners: string[]) =>
      spec.members.map((m) => ({ name: m.name, raftId, shadow: false, learner: learners.includes(m.name), stat: m.name === "BP11" ? "LEADER" : "FOLLOWER" }));
    const again = lines(planRaftGroup(spec, { ...actual, catalog: { ...actual.catalog!, raftInfo: info([]) } }));
    // the finish of BP14 and BP15, then the old members' files (the cut plan's last phase)
    expect(again).toEqual(["bp14", "bp15", "bp11", "bp12", "bp13"].map((d) => expect.stringMatching(new RegExp(`^write-file write \\S+${d}/DAMENG/dmarch\\.ini `))));
    const finish = flatten(planRaftGroup(spec, { ...actual, catalog: { ...actual.catalog!, raftInfo: info([]) } })).slice(0, 2);
    expect(finish.map((o) => o.reason)).toEqual(["a full member now (no RAFT_LEARNER)", "a full member now (no RAFT_LEARNER)"]);
    // one in MOUNT (not following: never added) is no voter, whatever IS_LEARNER says
    const mounted = { ...actual.catalog!, raftInfo: info([]), instances: actual.catalog!.instances.map((i) => (i.name === "BP15" ? { ...i, sysStatus: 3 } : i)) };
    expect(lines(planRaftGroup(spec, { ...actual, catalog: mounted })).filter((l) => l.startsWith("sql"))[0]).toBe("sql disql BP11: SP_ADD_RAFT_LEARNER('BP15', '223.254.30.136', 6051, 5);");
    // a member the database still shows as a learner is added again and voted in
    const stillLearner = lines(planRaftGroup(spec, { ...actual, catalog: { ...actual.catalog!, raftInfo: info(["BP15"]) } }));
    expect(stillLearner.filter((l) => l.startsWith("sql"))).toEqual([
      "sql disql BP11: SP_ADD_RAFT_LEARNER('BP15', '223.254.30.136', 6051, 5);",
      "sql disql BP11: SP_ALTER_RAFT_NODE('BP11/BP12/BP13/BP14/BP15');",
    ]);
  });

  test("a join cut short after SP_ALTER_RAFT_NODE with a newcomer down: it is started, then added only if the leader's V$GLOBAL_RAFT_INFO does not show it voting", () => {
    const { spec, actual, raftId } = joinCutAfterVote();
    // BP15 went down: V$GLOBAL_RAFT_INFO lists the four that run, none a learner
    const raftInfo = spec.members.filter((m) => m.name !== "BP15").map((m) => ({ name: m.name, raftId, shadow: false, learner: false, stat: m.name === "BP11" ? "LEADER" : "FOLLOWER" }));
    const down = { ...actual, catalog: { ...actual.catalog!, raftInfo }, members: { ...actual.members, BP15: { ...actual.members.BP15, pids: [] } } };
    const ops = flatten(planRaftGroup(spec, down));
    expect(ops.filter((o) => o.kind === "start").map((o) => o.describe)).toEqual([expect.stringMatching(/MOUNT \(BP15\)/)]);
    const adds = ops.filter((o) => o.describe.includes("SP_ADD_RAFT_LEARNER"));
    expect(adds.map((o) => o.describe.split(" $ ")[0])).toEqual(["disql BP11: wait up to 30s for V$GLOBAL_RAFT_INFO to show BP15 voting, else SP_ADD_RAFT_LEARNER('BP15', '223.254.30.136', 6051, 5);"]);
    // the view is asked first (BP15 on RAFT_1's leader); DM's guessed code only as a fallback
    expect(adds[0].stdin).toContain(`SELECT IS_LEARNER, SYS_STATUS FROM V$GLOBAL_RAFT_INFO WHERE INSTANCE_NAME = 'BP15' AND RAFT_ID = ${raftId};`);
    expect(adds[0].stdin!.indexOf("V$GLOBAL_RAFT_INFO")).toBeLessThan(adds[0].stdin!.indexOf("SP_ADD_RAFT_LEARNER"));
    expect(adds[0].command).toMatch(/"\$st" = "FALSE\|OPEN"[\s\S]*\[-8441\]/);
    // BP14 runs and votes: only its file is finished
    expect(ops.filter((o) => o.kind === "write-file" && /bp14\/DAMENG\/dmarch\.ini/.test(o.describe)).map((o) => o.reason)).toEqual(["a full member now (no RAFT_LEARNER)"]);
  });

  test("removing replicas: leave the group on the leader, stop, unregister, rewrite peers' dmarch.ini", () => {
    const { sim } = buildCluster(seed72);
    const big = steps(five);
    for (const s of big.filter((x) => x.kind === "Instance")) sim.apply(planInstance(s.spec as never, sim.hostState(s.spec as never), { creating: !sim.instances.has((s.spec as { name: string }).name) }));
    const bigSpec = raft(big, "RAFT_1");
    sim.apply(planRaftGroup(bigSpec, raftActual(sim, bigSpec)));
    const small = raft(steps(seed72), "RAFT_1");
    const plan = planRaftGroup(small, raftActual(sim, small, bigSpec.members), { olds: bigSpec });
    const got = lines(plan);
    // each leaver marked before the configuration changes
    expect(got.slice(0, 2).map((l) => /^write-file .*(bp1[45])\/DAMENG\/dbcluster-left/.exec(l)?.[1])).toEqual(["bp14", "bp15"]);
    expect(got[2]).toBe("sql disql BP11: SP_ALTER_RAFT_NODE('BP11/BP12/BP13');"); // on the leader (8.2.2.1.2)
    expect(got.slice(3, 5).map((l) => l.split(" (")[0])).toEqual(["stop exit", "stop exit"]);
    expect(got[5]).toBe("sql disql MP: SP_DROP_DPC_INSTANCE('BP14'); SP_DROP_DPC_INSTANCE('BP15');");
    expect(got.slice(6).every((l) => l.startsWith("write-file") && l.includes("dmarch.ini"))).toBe(true);
    sim.apply(plan);
    expect(Object.keys(parseIni(fileOf(sim, "BP12", "dmarch.ini")).sections)).toEqual(["ARCHIVE_RAFT1", "ARCHIVE_RAFT2", "ARCHIVE_LOCAL1"]);
    expect(lines(planRaftGroup(small, raftActual(sim, small)))).toEqual([]);
    // declared again with their directories as they are: refused before any step
    expect(() => planRaftGroup(bigSpec, raftActual(sim, bigSpec), { olds: small })).toThrow(
      /BP14 left the configuration of RAFT_1 in a removal cut short .*: remove it from the inputs .*, or move its directory .* aside to add it as a new replica; BP15 left/,
    );
  });

  test("replicas added and removed in one update are refused before any step, naming both sets (SP_ALTER_RAFT_NODE would name newcomers not yet following)", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const olds = raft(all, "RAFT_1");
    const next = steps(five);
    for (const s of next.filter((x) => x.kind === "Instance")) sim.apply(planInstance(s.spec as never, sim.hostState(s.spec as never), { creating: !sim.instances.has((s.spec as { name: string }).name) }));
    // BP13 out, BP14 and BP15 in: four desired, of which two are not yet members
    const swap = { ...raft(next, "RAFT_1"), members: raft(next, "RAFT_1").members.filter((m) => m.name !== "BP13") };
    expect(() => planRaftGroup(swap, raftActual(sim, swap, olds.members), { olds })).toThrow(
      /BP13 to be removed while BP14, BP15 are to be added: one change at a time: remove first \(or add first\), `pulumi up`, then the other; nothing was changed/,
    );
  });

  test("the leader cannot be removed; a member registered elsewhere is refused", () => {
    const { sim } = buildCluster(seed72);
    const spec = raft(steps(seed72), "RAFT_1");
    const withoutLeader = { ...spec, members: spec.members.filter((m) => m.name !== "BP11") };
    expect(() => planRaftGroup({ ...withoutLeader, members: withoutLeader.members.slice(0, 1) }, raftActual(sim, spec), { olds: spec })).toThrow(/leader/);
    const r2 = raft(steps(seed72), "RAFT_2");
    const stolen = { ...r2, members: [spec.members[1]] };
    expect(() => planRaftGroup(stolen, raftActual(sim, stolen))).toThrow(PlanError);
  });
});

describe("RAFT ↔ shadow replica conversion (seed 7.5.2)", () => {
  // RAFT_1 of seed 7.2 with one shadow: 2 RAFT replicas + 1 shadow (3 nodes). BP13 has its own
  // page size, so that a re-made database visibly takes the Instance's parameters.
  const withShadow = (shadows: string[]): DpcClusterArgs => ({
    ...seed72,
    instances: seed72.instances.map((i) => (i.name === "BP13" ? { ...i, pageSize: 16 } : i)),
    rafts: seed72.rafts.map((r) => (r.name === "RAFT_1" ? { ...r, shadows } : r)),
  });
  const setUp = () => {
    const { sim, steps: all } = buildCluster(withShadow(["BP13"]));
    return { sim, olds: raft(all, "RAFT_1") };
  };
  const swapped = raft(steps(withShadow(["BP12"])), "RAFT_1");
  /** What each member's own V$RLOG_RAFT_INFO says: `shadow` is the one shadow replica. */
  const saying = (a: ReturnType<typeof raftActual>, shadow: string) => ({
    ...a,
    catalog: withMemberReads(a.catalog!, Object.fromEntries(["BP11", "BP12", "BP13"].map((n) => [n, { shadow: n === shadow, global: null }]))),
  });

  test("a swap: the shadow becomes a RAFT replica first, then the RAFT member a shadow; each exits alone, is re-made with the same parameters, restored from the leader's online backup; no membership change", () => {
    const { sim, olds } = setUp();
    const plan = planRaftGroup(swapped, saying(raftActual(sim, swapped), "BP13"), { olds });
    const got = lines(plan).map((l) => l.replace(/\/dpc_data_mac\//g, ""));
    const forMember = (name: string, dir: string, shadow: boolean) => [
      `stop exit (SIGTERM) ${name}`,
      expect.stringMatching(new RegExp(`^reinit move ${dir}/DAMENG to ${dir}/DAMENG\\.replaced-<UTC time>, then dminit SYSTEM_PATH=${dir} DB_NAME=DAMENG INSTANCE_NAME=${name} .*PAGE_SIZE=${name === "BP13" ? 16 : 8} .*dm\\.ini and mp\\.ini kept`)),
      `mkdir mkdir -p ${dir}/DAMENG/arch (${name})`,
      expect.stringMatching(new RegExp(`^write-file write ${dir}/DAMENG/dmarch.ini`)),
      `sql disql BP11: SP_SET_PARA_VALUE(0, 'BAK_USE_AP', 2); BACKUP DATABASE FULL${shadow ? " SHADOW" : ""} BACKUPSET 'bp11/BACKUP_RAFT_1_CONVERT_${name}_r1';`,
      `dmrman dmrman restore ${name} from bp11/BACKUP_RAFT_1_CONVERT_${name}_r1_BP11 (online set: SHOW BACKUPSET, RESTORE ... USE BAK_MAGIC, RECOVER ... FOR STANDBY ... UNTIL END_LSN)`,
      `dmrman dmrman recover ${name} UPDATE DB_MAGIC`,
      `remove remove backup set bp11/BACKUP_RAFT_1_CONVERT_${name}_r1_BP11 (BP11)`,
      `start dmserver ${dir}/DAMENG/dm.ini dpc_mode=BS MOUNT (${name})`,
      `wait-following wait until ${name} follow the leader in the MP catalog`,
    ];
    expect(got).toEqual([...forMember("BP13", "bp13", false), ...forMember("BP12", "bp12", true)]);
    expect(got.filter((l) => /SP_ALTER_RAFT_NODE/.test(l))).toEqual([]);
    // the password reaches dminit on stdin only
    const reinit = flatten(plan).find((o) => o.kind === "reinit")!;
    expect(reinit.command).not.toContain(swapped.sysdbaPassword);
    expect(reinit.stdin).toContain(swapped.sysdbaPassword);
    expect(reinit.command).toMatch(/mv .*bp13\/DAMENG.*"\$old"/);
    expect(reinit.command).not.toMatch(/rm -rf '/); // only dminit's own temporary CONTROL directory is removed
  });

  test("what the members are comes from each member's own V$RLOG_RAFT_INFO.RAFT_SHADOW; a member not read falls back on the previous inputs", () => {
    const { sim, olds } = setUp();
    const actual = raftActual(sim, swapped);
    const rows = ["BP11", "BP12", "BP13"].map((n) => ({ name: n, raftId: 1, shadow: null, learner: false, stat: n === "BP11" ? "LEADER" : "FOLLOWER" }));
    const read = (shadowOf: string, unread: string[] = []) =>
      withMemberReads({ ...actual.catalog!, raftInfo: rows }, Object.fromEntries(["BP11", "BP12", "BP13"].map((n) => [n, { shadow: unread.includes(n) ? null : n === shadowOf, global: null }])));
    expect(lines(planRaftGroup(swapped, { ...actual, catalog: read("BP12") }))).toEqual([]);
    // without olds, what the members say alone decides what to convert
    expect(lines(planRaftGroup(swapped, { ...actual, catalog: read("BP13") })).filter((l) => l.startsWith("reinit"))).toHaveLength(2);
    // members whose own view was not read: the previous inputs alone may be stale, so nothing is converted
    expect(() => planRaftGroup(swapped, { ...actual, catalog: read("BP12", ["BP12", "BP13"]) }, { olds })).toThrow(
      /BP12, BP13: their own V\$RLOG_RAFT_INFO.RAFT_SHADOW was not read, .* check that each runs and answers SQL .* nothing was changed/,
    );
  });

  test("the online backup sets BAK_USE_AP back to the leader's value in memory after BACKUP, and sets nothing when it already is 2", () => {
    const { sim, olds } = setUp();
    const withBak = (bak: number) => {
      const a = raftActual(sim, swapped);
      const said = Object.fromEntries(["BP11", "BP12", "BP13"].map((n) => [n, { shadow: n === "BP13", global: null, bakUseAp: bak }]));
      return lines(planRaftGroup(swapped, { ...a, catalog: withMemberReads(a.catalog!, said) }, { olds })).filter((l) => l.includes("BACKUP DATABASE"));
    };
    expect(withBak(1)[0]).toBe("sql disql BP11: SP_SET_PARA_VALUE(0, 'BAK_USE_AP', 2); BACKUP DATABASE FULL BACKUPSET '/dpc_data_mac/bp11/BACKUP_RAFT_1_CONVERT_BP13_r1'; SP_SET_PARA_VALUE(0, 'BAK_USE_AP', 1);");
    expect(withBak(2)[0]).toBe("sql disql BP11: BACKUP DATABASE FULL BACKUPSET '/dpc_data_mac/bp11/BACKUP_RAFT_1_CONVERT_BP13_r1';");
  });

  test("the members' own answers count when the cluster-wide view was not read (V$GLOBAL_RAFT_INFO on the MP has only the MP's rows)", () => {
    const { sim, olds } = setUp();
    const actual = raftActual(sim, swapped);
    const mpRows = ["MP1", "MP2", "MP3"].map((n) => ({ name: n, raftId: 0, shadow: null, learner: false, stat: n === "MP1" ? "LEADER" : "FOLLOWER" }));
    // BP12 already is the shadow (converted by hand); the previous inputs still say BP13
    const said = Object.fromEntries(["BP11", "BP12", "BP13"].map((n) => [n, { shadow: n === "BP12", global: null }]));
    const catalog = withMemberReads({ ...actual.catalog!, raftInfo: mpRows }, said);
    expect(lines(planRaftGroup(swapped, { ...actual, catalog }, { olds }))).toEqual([]);
    // removing BP12 online is refused on its own word, though the previous inputs call it a RAFT replica
    const withoutBp12 = { ...olds, members: olds.members.filter((m) => m.name !== "BP12") };
    expect(() => planRaftGroup(withoutBp12, { ...raftActual(sim, withoutBp12, olds.members), catalog }, { olds })).toThrow(/BP12: DM removes no shadow replica online/);
  });

  test("refused before anything stops: converting the leader; removing a shadow online", () => {
    const { sim, olds } = setUp();
    const leaderToShadow = raft(steps(withShadow(["BP11"])), "RAFT_1");
    expect(() => planRaftGroup(leaderToShadow, raftActual(sim, leaderToShadow), { olds })).toThrow(/BP11 is the group's leader .* switch the leadership over/);
    const withoutShadow = { ...olds, members: olds.members.filter((m) => m.name !== "BP13") };
    expect(() => planRaftGroup(withoutShadow, raftActual(sim, withoutShadow, olds.members), { olds })).toThrow(/BP13: DM removes no shadow replica online .* make it a RAFT replica first/);
    // the database's view decides, not only the previous inputs (which here call BP13 a RAFT replica)
    const actual = raftActual(sim, withoutShadow, olds.members);
    const raftInfo = ["BP11", "BP12", "BP13"].map((n) => ({ name: n, raftId: 1, shadow: n === "BP13", learner: false, stat: n === "BP11" ? "LEADER" : "FOLLOWER" }));
    const stale = { ...olds, members: olds.members.map((m) => ({ ...m, shadow: false })) };
    expect(() => planRaftGroup(withoutShadow, { ...actual, catalog: { ...actual.catalog!, raftInfo } }, { olds: stale })).toThrow(/BP13: DM removes no shadow replica online/);
  });
});

describe("reading failures and deletes", () => {
  test("an unreadable catalog: SP/BP groups refuse, the MP group only starts its MPs", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const mp = raft(all, "MP_RAFT");
    const bp = raft(all, "RAFT_1");
    for (const n of [...sim.running]) sim.running.delete(n);
    expect(() => planRaftGroup(bp, raftActual(sim, bp))).toThrow(/catalog/);
    expect(lines(planRaftGroup(mp, raftActual(sim, mp)))).toEqual([expect.stringMatching(/^start dmserver .*mp\/DAMENG\/dm.ini dpc_mode=MP \(MP\)$/)]);
  });

  test("no leader recorded never leads to a restore: a configured group whose dmarch.ini differs is repaired, started, waited for", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const bp = raft(all, "RAFT_1");
    for (const n of ["BP11", "BP12", "BP13"]) sim.running.delete(n);
    const read = sim.readCatalog();
    const raftId = read.rafts.find((r) => r.name === "RAFT_1")!.id;
    const noLeader = { ...read, instances: read.instances.map((i) => (i.raftId === raftId ? { ...i, sysMode: i.sysMode, sysStatus: 6 } : i)) };
    const changed = { ...bp, archive: { ...bp.archive, voteIntervalStep: 400 } };
    const got = lines(planRaftGroup(changed, { ...raftActual(sim, changed), catalog: noLeader }));
    expect(got.filter((l) => /dmrman|copy-dir|remove/.test(l))).toEqual([]);
    // BP12 and BP13 change (1500 + 400 per id step); BP11's interval stays 1500
    expect(got.filter((l) => l.startsWith("write-file")).map((l) => /bp1\d/.exec(l)?.[0])).toEqual(["bp12", "bp13"]);
    expect(got.slice(2)).toEqual([...["BP11", "BP12", "BP13"].map((n) => expect.stringMatching(new RegExp(`MOUNT \\(${n}\\)$`))), expect.stringMatching(/^wait-leader wait until one of BP11, BP12, BP13/)]);
  });

  test("a seed restores only over members that never ran: two members that ran are refused", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const bp = raft(all, "RAFT_2");
    const actual = raftActual(sim, bp);
    const members = Object.fromEntries(Object.entries(actual.members).map(([n, h]) => [n, { ...h, dmarchIni: null, pids: [], ranBefore: n !== "BP23" }]));
    const read = sim.readCatalog();
    const catalog = { ...read, instances: read.instances.filter((i) => !/^BP2/.test(i.name)), rafts: read.rafts.filter((r) => r.name !== "RAFT_2") };
    expect(() => planRaftGroup(bp, { catalog, members })).toThrow(/BP21 .*, BP22 .* have each been started before .* the hosts cannot tell whose data to keep/);
    // one member that ran seeds the group, wherever it is listed
    const one = Object.fromEntries(Object.entries(members).map(([n, h]) => [n, { ...h, ranBefore: n === "BP22" }]));
    expect(lines(planRaftGroup(bp, { catalog, members: one })).filter((l) => l.includes("offline full backup"))).toEqual([expect.stringMatching(/backup of BP22 /)]);
  });

  test("a registration change (SP_MODIFY_DPC_INSTANCE needs a full restart) is refused in an elected group, not taken as done", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const bp = raft(all, "RAFT_1");
    const moved = { ...bp, members: bp.members.map((m) => (m.name === "BP12" ? { ...m, ipExternal: "10.9.9.8" } : m)) };
    expect(() => planRaftGroup(moved, raftActual(sim, moved))).toThrow(/BP12's registration in the MP differs from the inputs \(IP_EXTERNAL 223\.254\.30\.136 → 10\.9\.9\.8\).*SP_MODIFY_DPC_INSTANCE\('BP12', '', '10\.9\.9\.8', '', ''\);.*nothing was changed/);
  });

  test("stopped members of an elected group restart with MOUNT", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const bp = raft(all, "RAFT_1");
    sim.running.delete("BP12");
    expect(lines(planRaftGroup(bp, raftActual(sim, bp)))).toEqual([expect.stringMatching(/dpc_mode=BS MOUNT \(BP12\)$/)]);
  });

  test("a member's ARCH_INI / ALTER_MODE_STATUS changed by hand are set back, elected or not; then nothing to do", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const bp = raft(all, "RAFT_1");
    const key = (n: string) => `${sim.instances.get(n)!.connKey}|${sim.instances.get(n)!.dbDir}/dm.ini`;
    const edit = (n: string, from: RegExp, to: string) => sim.files.set(key(n), sim.files.get(key(n))!.replace(from, to));
    edit("BP13", /^(\s*ARCH_INI\s*=\s*)1/m, "$10");
    expect(lines(planRaftGroup(bp, raftActual(sim, bp)))).toEqual([expect.stringMatching(/^set-ini set ARCH_INI = 1 in \S+bp13\/DAMENG\/dm\.ini \(BP13, dm\.ini\)$/)]);
    // No leader recorded (the whole group down): the keys are set back before the MOUNT starts.
    for (const n of ["BP11", "BP12", "BP13"]) sim.running.delete(n);
    edit("BP12", /^(\s*ALTER_MODE_STATUS\s*=\s*)0/m, "$11");
    const read = sim.readCatalog();
    const raftId = read.rafts.find((r) => r.name === "RAFT_1")!.id;
    const catalog = { ...read, instances: read.instances.map((i) => (i.raftId === raftId ? { ...i, sysMode: "STANDBY" } : i)) };
    const plan = planRaftGroup(bp, { ...raftActual(sim, bp), catalog });
    expect(lines(plan).slice(0, 2)).toEqual([
      expect.stringMatching(/^set-ini set ALTER_MODE_STATUS = 0 in \S+bp12\/DAMENG\/dm\.ini/),
      expect.stringMatching(/^set-ini set ARCH_INI = 1 in \S+bp13\/DAMENG\/dm\.ini/),
    ]);
    expect(lines(plan).slice(2)).toEqual([...["BP11", "BP12", "BP13"].map((n) => expect.stringMatching(new RegExp(`MOUNT \\(${n}\\)$`))), expect.stringMatching(/^wait-leader/)]);
    sim.apply(plan);
    expect(lines(planRaftGroup(bp, raftActual(sim, bp)))).toEqual([]);
  });

  test("a BP group's delete: exit all on one member, the others waited for, then members and group unregistered", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const bp = raft(all, "RAFT_1");
    const ops = lines(planRaftGroupDelete(bp, raftActual(sim, bp)));
    expect(ops[0]).toMatch(/^stop exit all \(SIGUSR1\) BP11/);
    expect(ops.filter((l) => l.startsWith("sql"))).toEqual([expect.stringMatching(/SP_DROP_DPC_INSTANCE\('BP11'\); SP_DROP_DPC_INSTANCE\('BP12'\); SP_DROP_DPC_INSTANCE\('BP13'\); SP_DROP_DPC_BP_RAFT\('RAFT_1'\);$/)]);
  });

  test("a group a user tablespace is stored on (DPC_TABLESPACE) is not deleted: refused before anything stops, saying what to do", () => {
    const { sim, steps: all } = buildCluster(seed72);
    const bp = raft(all, "RAFT_1");
    const actual = raftActual(sim, bp);
    const raftId = actual.catalog!.rafts.find((r) => r.name === "RAFT_1")!.id;
    const holding = { ...actual, catalog: { ...actual.catalog!, tablespaces: [{ id: 1, raftId, name: "TS_1" }] } };
    expect(() => planRaftGroupDelete(bp, holding)).toThrow(/RAFT_1 holds user tablespace TS_1 \(DPC_TABLESPACE\).*ALTER TABLESPACE \.\.\. MOVE TO.*nothing was stopped or unregistered/);
    // a tablespace on another group is no reason
    const elsewhere = { ...actual, catalog: { ...actual.catalog!, tablespaces: [{ id: 1, raftId: raftId + 1, name: "TS_2" }] } };
    expect(lines(planRaftGroupDelete(bp, elsewhere))[0]).toMatch(/^stop exit all/);
  });
});
