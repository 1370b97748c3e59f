import { Operation, Phase, compactPlan, groupByHost, planSize, renderPlan } from "../../../provider/core/operation";
import { registerSecret } from "../../../provider/core/redact";

function op(host: string, kind: string, describe: string, extra: Partial<Operation> = {}): Operation {
  return { host, connKey: `root@${host}:22`, kind, describe, command: `true # ${describe}`, reason: "differs", timeoutMs: 1000, ...extra };
}

describe("groupByHost", () => {
  it("keeps per-host order and hosts in order of first appearance", () => {
    const phase: Phase = {
      title: "t",
      operations: [op("h2", "a", "1"), op("h1", "a", "2"), op("h2", "b", "3"), op("h1", "b", "4"), op("h3", "c", "5")],
    };
    const groups = groupByHost(phase);
    expect(groups.map((g) => g.host)).toEqual(["h2", "h1", "h3"]);
    expect(groups.map((g) => g.operations.map((o) => o.describe))).toEqual([["1", "3"], ["2", "4"], ["5"]]);
  });

  it("separates two connections that share a display name", () => {
    const phase: Phase = { title: "t", operations: [op("h", "a", "1"), op("h", "a", "2", { connKey: "dmdba@h:22" })] };
    expect(groupByHost(phase)).toHaveLength(2);
  });

  it("loses and duplicates nothing (random phases)", () => {
    for (let n = 0; n < 200; n++) {
      const ops = Array.from({ length: n % 17 }, (_, i) => op(`h${(i * 7 + n) % 5}`, "k", `${i}`));
      const groups = groupByHost({ title: "t", operations: ops });
      const flat = groups.flatMap((g) => g.operations);
      expect(flat.length).toBe(ops.length);
      expect(new Set(flat)).toEqual(new Set(ops));
      for (const g of groups) {
        const idx = g.operations.map((o) => ops.indexOf(o));
        expect(idx).toEqual([...idx].sort((a, b) => a - b));
      }
    }
  });
});

describe("renderPlan", () => {
  it("prints phases in order with each step's host, kind, description and reason", () => {
    const plan = [
      { title: "prepare directories", operations: [op("host1", "mkdir", "/data/dm1"), op("host2", "mkdir", "/data/dm2")] },
      { title: "nothing", operations: [] },
      { title: "start", operations: [op("host1", "start", "dmserver DM1", { reason: "process not running" })] },
    ];
    expect(renderPlan(plan)).toEqual([
      "phase 1/2: prepare directories (2 hosts in parallel)",
      "  host1 mkdir /data/dm1  # differs",
      "  host2 mkdir /data/dm2  # differs",
      "phase 2/2: start (1 host in parallel)",
      "  host1 start dmserver DM1  # process not running",
    ]);
    expect(planSize(plan)).toBe(3);
    expect(compactPlan(plan)).toHaveLength(2);
  });

  it("prints nothing for an empty plan and never shows stdin or registered secrets", () => {
    expect(renderPlan([{ title: "x", operations: [] }])).toEqual([]);
    registerSecret("S3cr3t-plan-pw");
    const lines = renderPlan([
      { title: "sql", operations: [op("h", "sql", "set password S3cr3t-plan-pw", { stdin: "CONN SYSDBA/\"stdin-only-pw\"" })] },
    ]);
    expect(lines.join("\n")).not.toContain("S3cr3t-plan-pw");
    expect(lines.join("\n")).not.toContain("stdin-only-pw");
  });
});
