import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionKey, parseConnection } from "../../../provider/core/connection";
import { RemoteCommandError } from "../../../provider/core/errors";
import { runPlan } from "../../../provider/core/executor";
import { RunLog } from "../../../provider/core/log";
import { Operation, Plan } from "../../../provider/core/operation";
import { sh } from "../../../provider/core/quote/sh";
import { registerSecret } from "../../../provider/core/redact";
import { SshPool, SshTarget } from "../../../provider/core/ssh";
import { TestServer, connOf, startTestServer } from "./helpers/test-ssh-server";

jest.setTimeout(60_000);

/** Two "hosts" (two servers) appending to one journal file, so the global order is observable. */
describe("runPlan over real SSH", () => {
  let a: TestServer;
  let b: TestServer;
  let pool: SshPool;
  let dir: string;
  let journal: string;
  let targets: Map<string, SshTarget>;
  let keyA: string;
  let keyB: string;
  let lines: string[];
  let log: RunLog;

  beforeEach(async () => {
    a = await startTestServer();
    b = await startTestServer();
    pool = new SshPool({ idleMs: 500 });
    dir = mkdtempSync(join(tmpdir(), "executor-"));
    journal = join(dir, "journal");
    keyA = connectionKey(parseConnection(connOf(a)));
    keyB = connectionKey(parseConnection(connOf(b)));
    targets = new Map([
      [keyA, { conn: connOf(a) }],
      [keyB, { conn: connOf(b) }],
    ]);
    lines = [];
    log = new RunLog("test:Plan/p1 up 000001", (l) => lines.push(l));
  });
  afterEach(async () => {
    await pool.closeAll();
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const step = (host: "a" | "b", label: string, extra: Partial<Operation> = {}): Operation => ({
    host: `host-${host}`,
    connKey: host === "a" ? keyA : keyB,
    kind: "mark",
    describe: label,
    command: sh`sleep 0.05; echo ${label} >> ${journal}`,
    reason: "test",
    timeoutMs: 10_000,
    ...extra,
  });

  it("logs a running step's @@progress lines as they arrive (info, naming the step), before it ends; other output is not logged", async () => {
    const flag = join(dir, "go");
    const levels: string[] = [];
    const progressLog = new RunLog("test:Plan/p1 up 000001", (l, level) => { lines.push(l); levels.push(level); });
    // The step goes on only once the test has seen its first progress line: proof it was logged while the step ran.
    const command = sh`printf '@@progress first sight\nplain output\n'; while [ ! -e ${flag} ]; do sleep 0.05; done; printf '@@progress sec'; sleep 0.1; printf 'ond\n'`;
    const running = runPlan([{ title: "wait", operations: [step("a", "wait for it", { kind: "wait", command, progress: true })] }], { targets, pool, log: progressLog });
    for (let i = 0; !lines.some((l) => l.includes("first sight")); i++) {
      if (i > 400) throw new Error("no progress line while the step runs");
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(lines.some((l) => / \.\.\. ok /.test(l))).toBe(false);
    writeFileSync(flag, "");
    await running;
    const shown = lines.map((l, i) => [l.replace(/running [\d.]+m?s/, "running T"), levels[i]]);
    expect(shown).toEqual([
      ["[dbcluster] test:Plan/p1 up 000001 host-a wait wait for it ... running T: first sight", "info"],
      ["[dbcluster] test:Plan/p1 up 000001 host-a wait wait for it ... running T: second", "info"],
      [expect.stringMatching(/^\[dbcluster\] test:Plan\/p1 up 000001 host-a wait wait for it \.\.\. ok \d+ms$/), "debug"],
    ]);
  });

  it("runs phases in order, hosts in parallel, steps of a host in order, one connection per host", async () => {
    const plan: Plan = [
      { title: "one", operations: [step("a", "a1"), step("b", "b1"), step("a", "a2"), step("b", "b2")] },
      { title: "two", operations: [step("b", "b3"), step("a", "a3")] },
    ];
    const report = await runPlan(plan, { targets, pool, log });
    const seen = readFileSync(journal, "utf8").trim().split("\n");
    expect([...seen].sort()).toEqual(["a1", "a2", "a3", "b1", "b2", "b3"]);
    expect(seen.indexOf("a1")).toBeLessThan(seen.indexOf("a2"));
    expect(seen.indexOf("b1")).toBeLessThan(seen.indexOf("b2"));
    for (const first of ["a1", "a2", "b1", "b2"]) {
      expect(seen.indexOf(first)).toBeLessThan(Math.min(seen.indexOf("a3"), seen.indexOf("b3")));
    }
    expect(a.connections).toBe(1);
    expect(b.connections).toBe(1);
    expect(report.steps).toHaveLength(6);
    expect(report.hostKeys[keyA]).toBe(a.hostKey);
    expect(report.hostKeys[keyB]).toBe(b.hostKey);
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l).toMatch(/^\[dbcluster\] test:Plan\/p1 up 000001 host-[ab] mark [ab]\d \.\.\. ok \d+ms$/);
  });

  it("stops at the first failure and explains it, secrets redacted", async () => {
    registerSecret("executor-secret-77");
    const failing = step("a", "boom", {
      kind: "dminit",
      describe: "init /data/DM1",
      command: sh`echo starting; echo 'password executor-secret-77 rejected' >&2; exit 3`,
      hint: "remove the half-written directory and retry",
    });
    const plan: Plan = [
      { title: "one", operations: [step("b", "b1"), failing, step("a", "never-a")] },
      { title: "two", operations: [step("b", "never-b")] },
    ];
    const err = await runPlan(plan, { targets, pool, log }).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err.host).toBe("host-a");
    expect(err.kind).toBe("dminit");
    expect(err.code).toBe(3);
    expect(err.message).toContain("host-a: dminit failed (exit 3: command-specific failure)");
    expect(err.message).toContain("| password [secret] rejected");
    expect(err.message).toContain("next: remove the half-written directory and retry");
    expect(err.message).not.toContain("executor-secret-77");
    const done = readFileSync(journal, "utf8").trim().split("\n");
    expect(done).toEqual(["b1"]);
    expect(a.execs.some((c) => c.includes("never-a"))).toBe(false);
    expect(b.execs.some((c) => c.includes("never-b"))).toBe(false);
    expect(lines.find((l) => l.includes("dminit"))).toMatch(/FAILED \(exit 3\) \d+ms$/);
  });

  it("accepts listed exit codes, fails on timeouts, and passes stdin without logging it", async () => {
    const plan: Plan = [
      {
        title: "x",
        operations: [
          step("a", "grep-miss", { command: sh`grep -q nothing ${journal} 2>/dev/null`, expectExit: [0, 1, 2] }),
          step("a", "secret-in", { command: sh`cat > ${join(dir, "conn.sql")}`, stdin: "CONN SYSDBA/\"Stdin-only-1\"\n" }),
          step("a", "slow", { command: "sleep 20", timeoutMs: 300 }),
        ],
      },
    ];
    const err = await runPlan(plan, { targets, pool, log }).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err.timedOut).toBe(true);
    expect(err.message).toMatch(/timed out/);
    expect(readFileSync(join(dir, "conn.sql"), "utf8")).toBe("CONN SYSDBA/\"Stdin-only-1\"\n");
    expect(a.execs.join("\n")).not.toContain("Stdin-only-1");
    expect(lines.join("\n")).not.toContain("Stdin-only-1");
    expect(lines[2]).toMatch(/slow \.\.\. FAILED \(timed out\)/);
  });

  it("works on one host at a time with a concurrency of 1", async () => {
    const plan: Plan = [{ title: "one", operations: [step("a", "a1"), step("b", "b1"), step("a", "a2"), step("b", "b2")] }];
    await runPlan(plan, { targets, pool, log, concurrency: 1 });
    expect(readFileSync(journal, "utf8").trim().split("\n")).toEqual(["a1", "a2", "b1", "b2"]);
  });

  it("refuses a plan step whose connection it was not given", async () => {
    const plan: Plan = [{ title: "x", operations: [{ ...step("a", "x"), connKey: "nobody@nowhere:22" }] }];
    await expect(runPlan(plan, { targets, pool, log })).rejects.toThrow(/nobody@nowhere:22/);
  });
});
