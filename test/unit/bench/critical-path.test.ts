/** The bench's critical-path bound and wall-time breakdown, on hand-made traces. */
import { breakdown, criticalPath, stepDurations, unionMs, type CommandSpan, type StateNode } from "../../../bench/critical-path";
import type { TraceEvent, TraceStep } from "../../../provider/core/trace";

const step = (run: string, phase: number, endpoint: string, command: string, start: number, end: number): TraceStep => ({
  ev: "step",
  run,
  phase,
  title: `phase ${phase}`,
  endpoint,
  kind: "sh",
  command,
  start,
  end,
});
const op = (run: string, id: string, start: number, end: number): TraceEvent => ({ ev: "op", run, id, op: "create", start, end, ok: true });
const cmd = (endpoint: string, command: string, start: number, end: number): CommandSpan => ({ endpoint, command, start, end });

describe("stepDurations", () => {
  it("takes the host's measured run of the step's command, not the traced span", () => {
    const s = [step("r", 1, "h1:22", "dminit x", 100, 200)];
    expect(stepDurations(s, [cmd("h1:22", "dminit x", 120, 170)])).toEqual({ ms: [50], unmatched: 0 });
  });

  it("matches a wrapped command line, and ignores commands of other hosts or outside the span", () => {
    const s = [step("r", 1, "h1:22", "dminit x", 100, 200)];
    const commands = [cmd("h2:22", "dminit x", 110, 190), cmd("h1:22", "dminit x", 300, 310), cmd("h1:22", "exec bash -c 'dminit x'", 130, 160)];
    expect(stepDurations(s, commands)).toEqual({ ms: [30], unmatched: 0 });
  });

  it("falls back to the traced span and counts the step as unmatched", () => {
    expect(stepDurations([step("r", 1, "h1:22", "a", 0, 40)], [])).toEqual({ ms: [40], unmatched: 1 });
  });
});

describe("criticalPath", () => {
  // A ← B ← C and A ← D: the chain is the heavier of A+B+C and A+D.
  const state: StateNode[] = [
    { urn: "urn:a", id: "A", dependencies: [] },
    { urn: "urn:b", id: "B", dependencies: ["urn:a"] },
    { urn: "urn:c", id: "C", dependencies: ["urn:b"] },
    { urn: "urn:d", id: "D", dependencies: ["urn:a"] },
    { urn: "urn:component", dependencies: [] },
  ];

  it("adds phases in order, takes the slowest host of a phase and sums one host's steps", () => {
    const events: TraceEvent[] = [
      op("a", "A", 0, 1000),
      // phase 1: h1 runs 10 + 20 in order, h2 runs 25 in parallel → 30; phase 2: 5
      step("a", 1, "h1:22", "x", 0, 10), step("a", 1, "h1:22", "y", 10, 30), step("a", 1, "h2:22", "z", 0, 25),
      step("a", 2, "h1:22", "w", 40, 45),
      op("b", "B", 0, 1000), step("b", 1, "h1:22", "b", 100, 200),
      op("c", "C", 0, 1000), step("c", 1, "h2:22", "c", 300, 350),
      op("d", "D", 0, 1000), step("d", 1, "h3:22", "d", 100, 250),
    ];
    const b = criticalPath(events, [], state);
    // A = 30 + 5 = 35; A+B+C = 35 + 100 + 50 = 185; A+D = 35 + 150 = 185 → tie keeps the first found
    expect(b.boundMs).toBe(185);
    expect(b.chain.map((l) => l.id)[0]).toBe("A");
    expect(b.steps).toBe(7);
  });

  it("counts every call a resource made (an interrupted create and the up that finished it)", () => {
    const events: TraceEvent[] = [op("a1", "A", 0, 10), step("a1", 1, "h1:22", "x", 0, 10), op("a2", "A", 20, 40), step("a2", 1, "h1:22", "y", 20, 40)];
    expect(criticalPath(events, [], state).boundMs).toBe(30);
  });

  it("refuses a dependency cycle instead of looping", () => {
    const cyclic: StateNode[] = [{ urn: "x", id: "X", dependencies: ["y"] }, { urn: "y", id: "Y", dependencies: ["x"] }];
    expect(() => criticalPath([], [], cyclic)).toThrow(/cycle/);
  });
});

describe("breakdown", () => {
  it("splits the wall time into tools, SSH, provider and engine, summing to the wall", () => {
    const events: TraceEvent[] = [op("a", "A", 100, 900), step("a", 1, "h1:22", "x", 200, 500), step("a", 2, "h2:22", "y", 600, 700)];
    const commands = [cmd("h1:22", "x", 250, 450), cmd("h2:22", "y", 620, 680)];
    const b = breakdown(events, commands, 0, 1000);
    expect(b).toEqual({ wallMs: 1000, toolsMs: 260, sshMs: 140, providerMs: 400, engineMs: 200 });
  });

  it("unions overlapping spans and clips them to the window", () => {
    expect(unionMs([[0, 10], [5, 20], [30, 40], [-5, 1]], 0, 35)).toBe(25);
  });
});
