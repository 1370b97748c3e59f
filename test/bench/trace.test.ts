/**
 * The bench's critical-path bound rests on the provider's trace: seed 7.1 deployed through the
 * engine with DBCLUSTER_TRACE set must account for every command the hosts ran, put each step in
 * a provider call of a resource the state file knows, and give a bound no longer than the wall.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { breakdown, criticalPath, stepDurations } from "../../bench/critical-path";
import { commandSpans, stateNodes } from "../../bench/evidence";
import { readTrace, type TraceOp, type TraceStep } from "../../provider/core/trace";
import { labOf, outcome, REPO, stackOn, type Lab } from "../examples/helpers";

let lab: Lab;

beforeAll(async () => {
  lab = await labOf(4);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

test("a traced deploy accounts for every host command and bounds the wall time from below", async () => {
  const traceFile = path.join(lab.dir, "trace.jsonl");
  const stack = stackOn(lab, path.join(REPO, "examples", "dpc-single"), "state", { DBCLUSTER_TRACE: traceFile });
  const started = Date.now();
  const r = await stack.engine("up");
  const ended = Date.now();
  expect(outcome(r)).toEqual({ code: 0, tail: "" });

  const events = readTrace(traceFile);
  const ops = events.filter((e): e is TraceOp => e.ev === "op");
  const steps = events.filter((e): e is TraceStep => e.ev === "step");
  const nodes = stateNodes(stack.stateFile());
  const ids = new Set(nodes.filter((n) => n.id !== undefined && !n.urn.includes("::pulumi:providers:")).map((n) => n.id));

  // One create per custom resource of the state, each under the id the state keeps.
  expect(ops.map((o) => o.op)).toEqual(ops.map(() => "create"));
  expect(ops.filter((o) => !ids.has(o.id)).map((o) => o.id)).toEqual([]);
  expect(new Set(ops.map((o) => o.id))).toEqual(ids);
  expect(ids.size).toBeGreaterThanOrEqual(10);
  // Every step belongs to a provider call and lies within it.
  const opOf = new Map(ops.map((o) => [o.run, o]));
  for (const s of steps) {
    const o = opOf.get(s.run);
    expect(o && s.start >= o.start && s.end <= o.end).toBe(true);
  }

  // Every command a host ran during the up is inside a traced step on that host.
  const commands = commandSpans(lab.lab, started, ended);
  expect(commands.length).toBeGreaterThan(20);
  const untraced = commands.filter((c) => !steps.some((s) => s.endpoint === c.endpoint && c.start >= s.start - 5 && c.end <= s.end + 5));
  expect(untraced.map((c) => c.command.slice(0, 120))).toEqual([]);
  // ... and every step found its command in the host's log.
  expect(stepDurations(steps, commands).unmatched).toBe(0);

  const bound = criticalPath(events, commands, nodes);
  expect(bound.boundMs).toBeGreaterThan(0);
  expect(bound.boundMs).toBeLessThanOrEqual(ended - started);
  // The MP comes first on any chain: everything else registers in it.
  expect(bound.chain[0].id).toBe("dm:Instance:MP");

  const b = breakdown(events, commands, started, ended);
  expect(b.toolsMs + b.sshMs + b.providerMs + b.engineMs).toBe(ended - started);
  expect(Math.min(b.toolsMs, b.sshMs, b.providerMs, b.engineMs)).toBeGreaterThanOrEqual(0);
});

test("without DBCLUSTER_TRACE nothing is written", async () => {
  const stack = stackOn(lab, path.join(REPO, "examples", "dpc-single"), "state");
  const before = fs.readdirSync(lab.dir).filter((f) => f.endsWith(".jsonl"));
  const r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(fs.readdirSync(lab.dir).filter((f) => f.endsWith(".jsonl"))).toEqual(before);
});
