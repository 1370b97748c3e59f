/** The DR planner and the state parser, as pure functions. */
import { readStateCommand } from "../../../provider/opengauss/commands";
import { credentialsRecord } from "../../../provider/opengauss/credentials";
import { planDr, planDrDelete, startProblems, type DrActual } from "../../../provider/opengauss/plan";
import type { DrSpec } from "../../../provider/opengauss/schema";
import { parseCmQuery, parseQueryDict, parseSide, type SideState } from "../../../provider/opengauss/state";
import { validateDr } from "../../../provider/opengauss/validate";

const node = (host: string) => ({ connection: { host, user: "omm", privateKey: "KEY" }, ip: host, dataIp: host });
const inputs = {
  clusters: [
    { name: "dc1", port: 26000, nodes: [node("10.0.0.1"), node("10.0.0.2")] },
    { name: "dc2", port: 26000, nodes: [node("10.0.1.1"), node("10.0.1.2")] },
  ],
  primary: "dc1",
  type: "stream",
  drUser: "ddr",
  drPassword: "Secret_2024",
};
const spec = (over: Record<string, unknown> = {}): DrSpec => {
  const v = validateDr({ ...inputs, ...over });
  if (!v.ok) throw new Error(JSON.stringify(v.failures));
  return v.spec;
};

function side(over: Partial<SideState> = {}, hosts: string[] = ["10.0.0.1", "10.0.0.2"], roles = ["Primary", "Standby"]): SideState {
  return {
    reachable: true,
    user: "omm",
    envLoaded: true,
    drState: "normal",
    failoverProgress: "",
    switchoverProgress: "",
    cmAvailable: true,
    clusterState: "Normal",
    dns: hosts.map((h, i) => ({ host: h, ip: h, port: 26000, instanceId: 6001 + i, dataPath: "/dn", role: roles[i], state: "Normal" })),
    version: "6.0.0",
    stepFiles: [],
    upgrading: false,
    gucs: {},
    initialUser: "omm",
    drUserExists: true,
    locks: [],
    ...over,
  };
}
const both = (a: Partial<SideState>, b: Partial<SideState>, rolesB = ["Primary", "Standby"]): DrActual => ({
  sides: { dc1: side(a), dc2: side(b, ["10.0.1.1", "10.0.1.2"], rolesB) },
});

test("check: every problem at once, secrets masked, no silent default for type", () => {
  const v = validateDr({ ...inputs, type: undefined, primary: "dc3", drPassword: "zq zq", clusters: [{ ...inputs.clusters[0], nodes: [{ ...node("10.0.0.1"), connection: { host: "10.0.0.1" } }] }, inputs.clusters[0]] });
  expect(v.ok).toBe(false);
  const text = !v.ok ? v.failures.map((f) => `${f.property}: ${f.reason}`).join("\n") : "";
  expect(text).toMatch(/^type: stream or dorado \(required: gs_ddr would silently default to dorado\)/m);
  expect(text).toMatch(/^drPassword: .*\(got "\[secret\]"\)$/m);
  expect(text).toMatch(/^primary: must name one of the clusters \(dc1, dc1\)/m);
  expect(text).toMatch(/^clusters\[1\]\.name: the two clusters need different names/m);
  expect(text).toMatch(/^clusters\[0\]\.nodes\[0\]\.connection\.user: gs_ddr refuses to run as root/m);
  expect(text).not.toContain("zq zq");
});

test("check: dorado needs exactly one way to handle the array; stream takes none; failover names the standby", () => {
  const f = (o: Record<string, unknown>) => {
    const v = validateDr({ ...inputs, ...o });
    return v.ok ? [] : v.failures.map((x) => x.property);
  };
  expect(f({ type: "dorado" })).toEqual(["storageReplication"]);
  expect(f({ type: "dorado", storageReplicationConfirmed: true })).toEqual([]);
  expect(f({ type: "dorado", storageReplicationConfirmed: true, storageReplication: { connection: { host: "a", user: "omm" }, command: ["x"] } })).toEqual(["storageReplication"]);
  expect(f({ storageReplicationConfirmed: true })).toEqual(["storageReplication"]);
  expect(f({ failover: { confirm: "dc1" } })).toEqual(["failover.confirm"]);
  for (const c of "| ;&$<>`'\"{}()[]~*?!-\n\t") expect(f({ drPassword: `Abcdefg1${c}` })).toEqual(["drPassword"]);
});

test("start preconditions: all of them reported at once", () => {
  const problems = startProblems(spec(), {
    dc1: side({ clusterState: "Degraded", upgrading: true, user: "root" }),
    dc2: side({ version: "5.0.0", initialUser: "gauss", cmAvailable: false }, ["10.0.1.1", "10.0.1.2"], ["Primary", "Cascade Standby"]),
  });
  expect(problems.join("\n")).toMatch(/dc1 .*logged in as root/);
  expect(problems.join("\n")).toMatch(/dc1 .*cluster_state is Degraded/);
  expect(problems.join("\n")).toMatch(/dc1 .*an upgrade is in progress/);
  expect(problems.join("\n")).toMatch(/dc2 .*cm_ctl does not answer/);
  expect(problems.join("\n")).toMatch(/dc2 .*cascaded standby 10\.0\.1\.2/);
  expect(problems.join("\n")).toMatch(/different versions \(dc1: 6\.0\.0, dc2: 5\.0\.0\)/);
  expect(problems.join("\n")).toMatch(/different initial users \(omm, gauss\)/);
  expect(() => planDr(spec(), both({ clusterState: "Degraded" }, {}), { creating: true })).toThrow(/cannot build the DR pair:\n {2}- cluster dc1/);
});

test("a fresh pair: config on both sides, the DR user when absent, both starts in one phase; the plan says the standby is rebuilt", () => {
  const plan = planDr(spec(), both({ drUserExists: false }, {}), { creating: true });
  expect(plan.map((p) => p.title)).toEqual(["prepare the DR configuration", "gs_ddr start on both clusters at once (stream)", "record the DR credentials the pair was built with"]);
  expect(plan[2].operations.map((o) => o.stdin).join("")).not.toContain("Secret_2024");
  const create = plan[0].operations.find((o) => o.kind === "sql")!;
  expect(create.command).not.toContain("Secret_2024");
  expect(create.stdin).toBe(`CREATE USER "ddr" WITH REPLICATION PASSWORD 'Secret_2024';\n`);
  expect(plan[1].operations.map((o) => o.host)).toEqual(["10.0.0.1", "10.0.1.1"]);
  expect(plan[1].operations[0].reason).toMatch(/dc2's data will be fully rebuilt from dc1/);
});

test("paired and as declared: nothing; reversed: a switchover; a port or replica change while paired: refused with the reason", () => {
  const paired = both({ drState: "archive" }, { drState: "recovery" }, ["Main Standby", "Standby"]);
  expect(planDr(spec(), paired, { creating: false })).toEqual([]);
  const sw = planDr(spec({ primary: "dc2" }), paired, { creating: false });
  expect(sw.map((p) => p.operations.map((o) => `${o.host} ${o.describe}`))).toEqual([["10.0.0.1 switchover -m disaster_standby on dc1", "10.0.1.1 switchover -m primary on dc2"]]);
  expect(() => planDr(spec({ clusters: [{ ...inputs.clusters[0], port: 26100 }, inputs.clusters[1]] }), paired, { creating: false })).toThrow(/no DN port change while paired.*Dissolve the pair first/);
  // The pair was built with another password (the record on the hosts says so).
  const builtWith = credentialsRecord(spec({ drPassword: "Other_2024" }));
  const pairedOld = both({ drState: "archive", credentials: builtWith }, { drState: "recovery", credentials: builtWith }, ["Main Standby", "Standby"]);
  expect(() => planDr(spec(), pairedOld, { creating: false })).toThrow(/the DR user and password cannot change while paired/);
  expect(planDr(spec({ drPassword: "Other_2024" }), pairedOld, { creating: false })).toEqual([]);
  // allowRebuild: dissolve, then (next round, both plain) start with the new password set, then nothing.
  const rebuild = planDr(spec({ allowRebuild: true }), pairedOld, { creating: false });
  expect(rebuild.map((p) => p.title)).toEqual(["gs_ddr stop on dc1", "gs_ddr failover on dc2"]);
  const again = planDr(spec({ allowRebuild: true }), both({ credentials: builtWith }, { credentials: builtWith }), { creating: false });
  expect(again[0].operations.map((o) => o.describe)).toContain("set the DR user ddr's password on dc1");
  expect(again[0].operations.find((o) => o.kind === "sql")!.stdin).toBe(`ALTER USER "ddr" WITH REPLICATION PASSWORD 'Secret_2024';\n`);
  // A type change is read from ss_disaster_mode: refused, or dissolve and rebuild with allowRebuild.
  const streamPair = both({ drState: "archive", gucs: { ss_disaster_mode: ["stream"] } }, { drState: "recovery" }, ["Main Standby", "Standby"]);
  expect(() => planDr(spec({ type: "dorado", storageReplicationConfirmed: true }), streamPair, { creating: false })).toThrow(/og1|dc1 runs DR in stream mode, the program says dorado/);
  expect(planDr(spec({ type: "dorado", storageReplicationConfirmed: true, allowRebuild: true }), streamPair, { creating: false }).map((p) => p.title)).toEqual(["gs_ddr stop on dc1", "gs_ddr failover on dc2"]);
  const rebuilt = credentialsRecord(spec());
  expect(planDr(spec({ allowRebuild: true }), both({ drState: "archive", credentials: rebuilt }, { drState: "recovery", credentials: rebuilt }, ["Main Standby", "Standby"]), { creating: false })).toEqual([]);
});

test("a lost primary is a refusal that names failover; with failover confirmed the standby is promoted once", () => {
  const lost: DrActual = { sides: { dc1: { reachable: false, error: "connect ETIMEDOUT" }, dc2: side({ drState: "recovery" }, ["10.0.1.1", "10.0.1.2"], ["Main Standby", "Standby"]) } };
  expect(() => planDr(spec(), lost, { creating: false })).toThrow(/failover: \{ confirm: "dc2" \}/);
  const fo = planDr(spec({ failover: { confirm: "dc2" } }), lost, { creating: false });
  expect(fo.flatMap((p) => p.operations.map((o) => `${o.host} ${o.kind} ${o.describe}`))).toEqual(["10.0.1.1 gs_ddr failover on dc2's first standby node"]);
  const after: DrActual = { sides: { ...lost.sides, dc2: side({}, ["10.0.1.1", "10.0.1.2"]) } };
  expect(planDr(spec({ failover: { confirm: "dc2" } }), after, { creating: false })).toEqual([]);
  // Removing failover later would rebuild dc2 (which has served writes since) from dc1: refused without allowRebuild.
  expect(() => planDr(spec(), both({}, {}), { creating: false, olds: spec({ failover: { confirm: "dc2" } }) })).toThrow(/failed over to dc2.*allowRebuild/);
});

test("delete dissolves: stop on the primary, then failover on the standby", () => {
  const paired = both({ drState: "archive" }, { drState: "recovery" }, ["Main Standby", "Standby"]);
  expect(planDrDelete(spec(), paired).map((p) => p.operations.map((o) => o.command.replace(/^.* && /, "")))).toEqual([[`gs_ddr -t stop --json "$HOME"/'dbcluster-ddr.json' 2>&1`], ["gs_ddr -t failover 2>&1"]]);
  expect(planDrDelete(spec(), both({}, {}))).toEqual([]);
});

test("state parsing: the query dict, cm_ctl rows, and a hostile DR user name quoted in the read's SQL", () => {
  expect(parseQueryDict("banner\nSuccessfully executed dorado disaster recovery query, result:\n{'ddr_cluster_stat': 'recovery', 'ddr_failover_stat': '', 'ddr_switchover_stat': '30%'}\n")).toEqual({ ddr_cluster_stat: "recovery", ddr_failover_stat: "", ddr_switchover_stat: "30%" });
  expect(parseQueryDict("Successfully do stream disaster recovery [query].\nresult:\n")).toBeUndefined();
  const cm = parseCmQuery("[   Cluster State   ]\n\ncluster_state   : Normal\n\n[  Datanode State   ]\n\nnode ...\n----\n1  node1 10.0.0.10   26000 6001 /opt/dn P Main Standby Normal | 2  node2 10.0.0.11   26000 6002 /opt/dn S Standby Normal\n");
  expect(cm).toEqual({ clusterState: "Normal", dns: [expect.objectContaining({ host: "node1", role: "Main Standby", port: 26000 }), expect.objectContaining({ host: "node2", role: "Standby" })] });
  const cmd = readStateCommand(spec({ drUser: "x'; drop table t; --" }), spec().clusters[0]);
  expect(cmd).toContain(`rolname = '\\''x'\\'''\\''; drop table t; --'\\''`);
  const s = parseSide(`@@dbcluster-og@@user\nomm\n@@dbcluster-og@@rc 0\n@@dbcluster-og@@query\n{'ddr_cluster_stat': 'archive', 'ddr_failover_stat': '', 'ddr_switchover_stat': ''}\n@@dbcluster-og@@rc 0\n@@dbcluster-og@@steps\n.ddr_start_primary.step\n@@dbcluster-og@@rc 0\n@@dbcluster-og@@sql\ninitial_user=omm\ndr_user=0\nin_recovery=f\n@@dbcluster-og@@rc 0\n`);
  expect(s).toMatchObject({ user: "omm", drState: "archive", stepFiles: [".ddr_start_primary.step"], initialUser: "omm", drUserExists: false });
});

test("check refuses a DR user, password, port or replica change of an existing pair (nothing recorded), unless allowRebuild or after a failover", () => {
  const changed = { ...inputs, type: "dorado", storageReplicationConfirmed: true, drUser: "other", drPassword: "Changed_2024", clusters: [{ ...inputs.clusters[0], port: 26100 }, { ...inputs.clusters[1], nodes: [node("10.0.1.1")] }] };
  const v = validateDr(changed, inputs);
  expect(v.ok ? [] : v.failures.map((f) => f.property)).toEqual(["type", "drUser", "drPassword", "clusters[0].port", "clusters[1].nodes"]);
  expect(v.ok ? "" : v.failures.map((f) => f.reason).join("\n")).not.toContain("Changed_2024");
  expect(validateDr({ ...changed, allowRebuild: true }, inputs).ok).toBe(true);
  expect(validateDr(changed, { ...inputs, failover: { confirm: "dc2" } }).ok).toBe(true);
  expect(validateDr(changed).ok).toBe(true);
});

test("dorado: the plan says how the Ready to move on stops are answered", () => {
  const actual = both({}, {});
  const confirmed = planDr(spec({ type: "dorado", storageReplicationConfirmed: true }), actual, { creating: true });
  expect(confirmed.map((p) => p.title)).toEqual(["prepare the DR configuration", "gs_ddr start on both clusters at once (dorado)", "record the DR credentials the pair was built with"]);
  expect(confirmed[1].operations[0].reason).toMatch(/answered yes because storageReplicationConfirmed/);
  expect(confirmed[1].operations[0].stdin).toMatch(/^yes\n/);
  const cmd = planDr(spec({ type: "dorado", storageReplication: { connection: { host: "10.0.0.9", user: "omm" }, command: ["/opt/array/step", "--pair", "p1"] } as any }), actual, { creating: true });
  expect(cmd[1].operations.map((o) => `${o.host} ${o.command}`)).toEqual(["10.0.0.9 '/opt/array/step' '--pair' 'p1' 'start'"]);
  expect(cmd[2].operations[1].reason).toMatch(/after the storageReplication step exited 0/);
});

test("a lock left by a killed gs_ddr is removed first (when no gs_ddr runs); one held by a running gs_ddr is refused", () => {
  const stale = both({ drState: "archive", locks: ["ddr_lock_0a1b"], ddrRunning: false }, { drState: "recovery" }, ["Main Standby", "Standby"]);
  const plan = planDr(spec(), stale, { creating: false });
  expect(plan.map((p) => p.operations.map((o) => `${o.host} ${o.kind} ${o.command.replace(/^.* && /, "")}`))).toEqual([["10.0.0.1 rm rm -f -- 'ddr_lock_0a1b'"]]);
  expect(() => planDr(spec(), both({ locks: ["ddr_lock_0a1b"], ddrRunning: true }, {}), { creating: true })).toThrow(/gs_ddr is running on 10\.0\.0\.1 .*wait for it to finish/);
  expect(() => planDr(spec(), both({ locks: ["ddr_lock_x;rm -rf ~"], ddrRunning: false }, {}), { creating: true })).toThrow(/unexpected lock file names/);
  expect(planDrDelete(spec(), stale).map((p) => p.title)).toEqual(["remove stale gs_ddr locks", "gs_ddr stop on dc1", "gs_ddr failover on dc2"]);
});

test("allowRebuild with another type dissolves the pair as it runs: a dorado pair's failover gets the array step of the last program and its yes", () => {
  const array = { connection: { host: "10.0.0.9", user: "omm" }, command: ["/opt/array/step"] } as any;
  const doradoPair = both({ drState: "archive", gucs: { ss_disaster_mode: ["dorado"] } }, { drState: "recovery", gucs: { ss_disaster_mode: ["dorado"] } }, ["Main Standby", "Standby"]);
  const olds = spec({ type: "dorado", storageReplication: array });
  const plan = planDr(spec({ allowRebuild: true }), doradoPair, { creating: false, olds });
  expect(plan.map((p) => p.title)).toEqual(["gs_ddr stop on dc1", "storage array: failover", "gs_ddr failover on dc2"]);
  expect(plan[1].operations[0].command).toBe("'/opt/array/step' 'failover'");
  expect(plan[2].operations[0].stdin).toMatch(/^yes\n/);
  // Neither program says how the array is handled: refused before anything runs.
  expect(() => planDr(spec({ allowRebuild: true }), doradoPair, { creating: false, olds: spec() })).toThrow(/runs in dorado mode: dissolving it stops at the array's failover step/);
  // A stream pair rebuilt as dorado dissolves without any array step or prompt answer.
  const streamPair = both({ drState: "archive", gucs: { ss_disaster_mode: ["stream"] } }, { drState: "recovery" }, ["Main Standby", "Standby"]);
  const toDorado = planDr(spec({ type: "dorado", storageReplication: array, allowRebuild: true }), streamPair, { creating: false, olds: spec() });
  expect(toDorado.map((p) => p.title)).toEqual(["gs_ddr stop on dc1", "gs_ddr failover on dc2"]);
  expect(toDorado[1].operations[0].stdin).toBeUndefined();
  // A DN port the clusters do not have cannot be rebuilt into: refused, not dissolved.
  const paired = both({ drState: "archive" }, { drState: "recovery" }, ["Main Standby", "Standby"]);
  expect(() => planDr(spec({ allowRebuild: true, clusters: [{ ...inputs.clusters[0], port: 26100 }, inputs.clusters[1]] }), paired, { creating: false })).toThrow(/allowRebuild cannot rebuild the pair as declared: clusters\[dc1\]\.port: 26000 → 26100/);
});

test("check takes only what gs_ddr and the hosts take: its --json path characters, its IP pattern, 63-byte names, one SSH exec request", () => {
  const f = (o: Record<string, unknown>) => {
    const v = validateDr({ ...inputs, ...o });
    return v.ok ? [] : v.failures.map((x) => x.property);
  };
  expect(f({ configFile: "~/dr json" })).toEqual(["configFile"]);
  expect(f({ configFile: "/etc/x~y.json" })).toEqual(["configFile"]);
  expect(f({ configFile: "~/dr#1%,+@.json" })).toEqual([]);
  expect(f({ envFile: "~/env 'x' $(y).sh" })).toEqual([]);
  expect(f({ envFile: `~/${"x".repeat(256)}` })).toEqual(["envFile"]);
  const at = (ip: string) => ({ clusters: [{ ...inputs.clusters[0], nodes: [{ ...node("10.0.0.1"), ip }] }, inputs.clusters[1]] });
  expect(f(at("fd00::1"))).toEqual(["clusters[0].nodes[0].ip"]);
  expect(f(at("010.0.0.1"))).toEqual(["clusters[0].nodes[0].ip"]);
  expect(f(at("fd00:0:0:0:0:0:0:1"))).toEqual([]);
  expect(f({ drUser: "中".repeat(21) })).toEqual([]);
  expect(f({ drUser: "中".repeat(22) })).toEqual(["drUser"]);
  const storage = (command: string[]) => ({ type: "dorado", storageReplication: { connection: { host: "10.0.0.9", user: "omm" }, command } });
  expect(f(storage(["step", "x".repeat(29_000)]))).toEqual([]);
  expect(f(storage(["step", "'".repeat(8_000)]))).toEqual(["storageReplication.command"]);
});
