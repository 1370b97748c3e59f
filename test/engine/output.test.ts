/**
 * What a person sees during `up`, through the local engine in text mode as on the real CLI: per
 * resource one line per phase (the provider logs through the engine's Log service at info level),
 * the plan and each step only at debug level (`--verbose`; `pulumi up --debug`), and the drift a
 * refresh finds. Seed 7.1 (examples/dpc-single) on four lab hosts.
 */
import * as path from "node:path";
import { runEngineCli, type EngineCliRun } from "../helpers/engine-cli";
import { labOf, REPO, stackOn, type Lab, type Stack } from "../examples/helpers";

let lab: Lab;
let stack: Stack;

beforeAll(async () => {
  lab = await labOf(4);
  stack = stackOn(lab, path.join(REPO, "examples", "dpc-single"));
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

/** The engine's CLI in text mode, as a person runs it (no --json). */
function text(cmd: string, ...flags: string[]): Promise<EngineCliRun> {
  const stackName = `test-${path.basename(lab.dir)}`.replace(/[^A-Za-z0-9_.-]/g, "-");
  return runEngineCli([cmd, "--cwd", stack.program, "--stack", stackName, "--backend", stack.backend, ...flags], stack.env);
}

const lines = (r: EngineCliRun) => r.stdout.split("\n");
/** `[dbcluster] dm:RaftGroup/RAFT_1 create 3fa2c1 phase 2/4 back up BP1: 1 host` */
const PHASE = /^\[dbcluster\] (dm:\w+\/\S+ \w+ [0-9a-f]{6}) (?:round (\d+) )?phase (\d+)\/(\d+) (.+): (\d+) hosts?$/;
const STEP = / \.\.\. (ok|FAILED)\b.*\d+ms$/;

test("up shows one line per phase and resource, numbered, and no step or plan line", async () => {
  const r = await text("up");
  expect({ code: r.code, tail: r.code === 0 ? "" : (r.stdout + r.stderr).slice(-4000) }).toEqual({ code: 0, tail: "" });

  const phases = lines(r).map((l) => PHASE.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  // Every DM resource that worked says so: 4 Instances and 4 RaftGroups, a BpGroup, a FaultDomain.
  const runs = new Map<string, { round: number; index: number; count: number }[]>();
  for (const m of phases) {
    const key = `${m[1]} round ${m[2] ?? 1}`;
    runs.set(key, [...(runs.get(key) ?? []), { round: Number(m[2] ?? 1), index: Number(m[3]), count: Number(m[4]) }]);
  }
  const resources = new Set([...runs.keys()].map((k) => k.split(" ")[0]));
  expect([...resources].sort()).toEqual([
    "dm:BpGroup/BG_1", "dm:FaultDomain/FDOM_1",
    "dm:Instance/BP1", "dm:Instance/BP2", "dm:Instance/MP", "dm:Instance/SP1",
    "dm:RaftGroup/MP_RAFT", "dm:RaftGroup/RAFT_1", "dm:RaftGroup/RAFT_2", "dm:RaftGroup/RAFT_SP1",
  ]);
  // Within a run's round the phases are counted 1..n, each once, in order.
  for (const [key, seen] of runs) {
    const n = seen[0].count;
    expect({ key, order: seen.map((s) => `${s.index}/${s.count}`) }).toEqual({ key, order: Array.from({ length: n }, (_, i) => `${i + 1}/${n}`) });
  }
  expect(lines(r)).toEqual(expect.arrayContaining([expect.stringMatching(/ dm:RaftGroup\/RAFT_1 create [0-9a-f]{6} phase 1\/2 register RAFT_1: 1 host$/)]));

  // The step-by-step lines are debug-level: not shown by default.
  expect(lines(r).filter((l) => STEP.test(l) || / plan: /.test(l) || /^debug: /.test(l))).toEqual([]);
  expect(r.stdout).toMatch(/^Resources: 12 created$/m);
});

test("refresh shows a hand change as drift; up --verbose shows the steps that repair it", async () => {
  await lab.fault("host3", "kill", "BP1");
  const refreshed = await text("refresh");
  expect(refreshed.code).toBe(0);
  expect(lines(refreshed).filter((l) => / drift: /.test(l))).toEqual([
    expect.stringMatching(/^\[dbcluster\] dm:RaftGroup\/RAFT_1 refresh [0-9a-f]{6} drift: the next up would run: ⏎ phase 1\/1: start RAFT_1/),
  ]);

  const r = await text("up", "--verbose");
  expect(r.code).toBe(0);
  const host3 = lab.host("host3").address.replace(/\./g, "\\.");
  const ours = lines(r).filter((l) => l.includes("[dbcluster] dm:RaftGroup/RAFT_1 update"));
  // The phase line at info level (no prefix), the plan and the step at debug level.
  expect(ours).toEqual(expect.arrayContaining([
    expect.stringMatching(/^\[dbcluster\] dm:RaftGroup\/RAFT_1 update [0-9a-f]{6} phase 1\/1 start RAFT_1: 1 host$/),
    expect.stringMatching(/^debug: \[dbcluster\] dm:RaftGroup\/RAFT_1 update [0-9a-f]{6} plan: phase 1\/1: start RAFT_1/),
    expect.stringMatching(new RegExp(`^debug: \\[dbcluster\\] dm:RaftGroup/RAFT_1 update [0-9a-f]{6} ${host3} start dmserver .*\\(BP1\\) \\$ .*dmserver.* \\.\\.\\. ok \\d+ms$`)),
  ]));
  expect(ours.some((l) => / in sync after \d+ steps? in [\d.]+m?s$/.test(l))).toBe(true);
  expect(r.stdout).toMatch(/^Resources: 1 updated, 11 unchanged$/m);
});

test("a failed step is an error that names host, kind and exit status and ends with what to do next", async () => {
  await lab.fault("host3", "kill", "BP1");
  expect((await text("refresh")).code).toBe(0);
  await lab.fault("host3", "fail", "dmserver", 1);
  const r = await text("up");
  expect(r.code).toBe(1);
  const error = r.stdout.slice(r.stdout.indexOf("error: ")).split(/\n(?=Outputs:|Resources: )/)[0];
  expect(error).toMatch(new RegExp(`^error: urn:pulumi:\\S+::dpc-single-RAFT_1: ${lab.host("host3").address.replace(/\./g, "\\.")}: start failed \\(exit \\d+: `));
  expect(error.trimEnd().split("\n").pop()).toMatch(/^\s*next: \S.+/);

  // The failure took nothing down with it: the next up starts BP1.
  const again = await text("up");
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/ dm:RaftGroup\/RAFT_1 update [0-9a-f]{6} phase 1\/1 start RAFT_1: 1 host$/m);
});
