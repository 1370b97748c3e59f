import * as fs from "node:fs";
import { connectionKey, parseConnection } from "../../../provider/core/connection";
import { runPlan } from "../../../provider/core/executor";
import { HostKeyMismatchError, SshConnectError } from "../../../provider/core/errors";
import { readRemoteFiles, writeFileOperation } from "../../../provider/core/files";
import { RunLog } from "../../../provider/core/log";
import { sh } from "../../../provider/core/quote/sh";
import { MAX_COMMAND_BYTES, SshPool, SshTarget } from "../../../provider/core/ssh";
import { Lab, LabHost, LogEntry, startLab } from "../../helpers/lab";
import { hostileStrings } from "../../fixtures/hostile-strings";

jest.setTimeout(180_000);

/** The core against the lab's virtual hosts, on both SSH servers the lab offers. */

const commandsOf = (log: LogEntry[]) => log.flatMap((e) => ("command" in e ? [e.command] : []));
const connectsOf = (log: LogEntry[]) => log.filter((e) => "event" in e && e.event === "connect").length;

function targetOf(h: LabHost, pin = true): SshTarget {
  return {
    conn: {
      host: h.address,
      port: h.port,
      user: h.user,
      privateKey: fs.readFileSync(h.privateKeyPath, "utf8"),
      ...(pin ? { hostKey: h.hostKey } : {}),
    },
  };
}

async function waitForLog(lab: Lab, host: string, check: (log: LogEntry[]) => boolean): Promise<LogEntry[]> {
  for (let i = 0; i < 200; i++) {
    const log = lab.commandLog(host);
    if (check(log)) return log;
    await new Promise((r) => setTimeout(r, 50));
  }
  return lab.commandLog(host);
}

const servers: ("embedded" | "openssh")[] = ["embedded"];
if (fs.existsSync("/usr/sbin/sshd")) servers.push("openssh");

describe.each(servers)("core over lab hosts (%s sshd)", (sshd) => {
  let lab: Lab;
  let pool: SshPool;
  beforeAll(async () => {
    lab = await startLab({ hosts: 3, sshd });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  beforeEach(() => {
    pool = new SshPool({ idleMs: 500 });
  });
  afterEach(async () => {
    await pool.closeAll();
  });

  it("round-trips every hostile string through printf over SSH, on one connection", async () => {
    const h = lab.host("host1");
    const before = connectsOf(lab.commandLog("host1"));
    // Values too long for a command line travel on stdin; they are covered by the refusal test.
    const fitting = hostileStrings.filter((s) => Buffer.byteLength(sh`printf %s ${s}`) <= MAX_COMMAND_BYTES);
    expect(fitting.length).toBeGreaterThanOrEqual(hostileStrings.length - 1);
    const results = await Promise.all(fitting.map((s) => pool.exec(targetOf(h), sh`printf %s ${s}`)));
    results.forEach((r, i) => {
      // stderr is not compared: the OpenSSH lab host's login environment may print its own noise.
      expect({ i, code: r.code, signal: r.signal, timedOut: r.timedOut }).toEqual({ i, code: 0, signal: null, timedOut: false });
      expect(Buffer.from(r.stdout).equals(Buffer.from(fitting[i]))).toBe(true);
    });
    await pool.closeAll();
    const log = await waitForLog(lab, "host1", (l) => connectsOf(l) > before);
    expect(connectsOf(log) - before).toBe(1);
    // The command line the host ran is exactly the one we built.
    expect(commandsOf(log)).toEqual(expect.arrayContaining([sh`printf %s ${"$(id)"}`, sh`printf %s ${"it's"}`]));
  });

  it("carries a value too long for a command line on stdin, byte for byte", async () => {
    const long = hostileStrings.reduce((a, b) => (b.length > a.length ? b : a)) + "'\n$(x)";
    const r = await pool.exec(targetOf(lab.host("host1")), "cat", { stdin: long });
    expect(r.stdout).toBe(long);
  });

  it("keeps secrets sent on stdin out of the host's command log", async () => {
    const h = lab.host("host2");
    const secret = `Lab-Secret-${Date.now()}'"$`;
    const file = `${h.dataRoot}/core-secret.ini`;
    const op = writeFileOperation({ host: "host2", connKey: "k", path: file, content: `PWD=${secret}\n`, mode: 0o600, reason: "test" });
    const r = await pool.exec(targetOf(h), op.command, { stdin: op.stdin });
    expect(r.code).toBe(0);
    const read = await readRemoteFiles(targetOf(h), [file], pool);
    expect(read.get(file)).toBe(`PWD=${secret}\n`);
    const log = await waitForLog(lab, "host2", (l) => commandsOf(l).length >= 2);
    expect(JSON.stringify(log)).not.toContain("Lab-Secret-");
  });

  it("runs a plan across hosts with one connection per host and records the host keys", async () => {
    const hosts = ["host1", "host2", "host3"].map((n) => lab.host(n));
    const before = Object.fromEntries(hosts.map((h) => [h.name, connectsOf(lab.commandLog(h.name))]));
    const targets = new Map<string, SshTarget>();
    const keyOf = (h: LabHost) => connectionKey(parseConnection(targetOf(h, false).conn));
    for (const h of hosts) targets.set(keyOf(h), targetOf(h, false));
    const plan = [
      {
        title: "prepare",
        operations: hosts.flatMap((h) => [
          { host: h.name, connKey: keyOf(h), kind: "mkdir", describe: `${h.dataRoot}/core-plan`, command: sh`mkdir -p ${h.dataRoot + "/core-plan"}`, reason: "missing", timeoutMs: 30_000 },
          { host: h.name, connKey: keyOf(h), kind: "env", describe: "whoami", command: sh`printf %s "$LAB_HOST" > ${h.dataRoot + "/core-plan/name"}`, reason: "test", timeoutMs: 30_000 },
        ]),
      },
    ];
    const lines: string[] = [];
    const report = await runPlan(plan, { targets, pool, log: new RunLog("core-lab", (l) => lines.push(l)) });
    for (const h of hosts) {
      expect(fs.readFileSync(`${h.dataRoot}/core-plan/name`, "utf8")).toBe(h.name);
      // Trust on first use recorded exactly the key lab.json publishes.
      expect(report.hostKeys[keyOf(h)]).toBe(h.hostKey.trim().split(/\s+/).slice(0, 2).join(" "));
    }
    expect(lines).toHaveLength(6);
    await pool.closeAll();
    for (const h of hosts) {
      const log = await waitForLog(lab, h.name, (l) => connectsOf(l) > before[h.name]);
      expect(connectsOf(log) - before[h.name]).toBe(1);
    }
  });

  it("reports a host that goes down mid-command, refuses while down, and reconnects when it is back", async () => {
    const h = lab.host("host3");
    const target = { conn: { ...targetOf(h).conn, dialErrorLimit: 2, perDialTimeout: 2 } };
    expect((await pool.exec(target, "echo before")).stdout).toBe("before\n");
    const started = `${h.dataRoot}/mid-command-started`;
    const running = pool.exec(target, sh`touch ${started}; sleep 30`, { timeoutMs: 60_000 });
    // Down only once the command runs (the hosts share this machine's filesystem).
    for (const end = Date.now() + 20_000; !fs.existsSync(started); ) {
      if (Date.now() > end) throw new Error("the command did not start within 20 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    await lab.fault("host3", "down");
    const lost = await running;
    expect(lost.code).toBeNull();
    expect(lost.timedOut).toBe(false);
    const err = await pool.exec(target, "echo while-down").catch((e) => e);
    expect(err).toBeInstanceOf(SshConnectError);
    expect(err.attempts).toBe(2);
    await lab.fault("host3", "up");
    expect((await pool.exec(target, "echo after")).stdout).toBe("after\n");
    expect(pool.stats.connectionsOpened).toBe(2);
  });

  it("refuses a host whose key is not the one recorded", async () => {
    const h1 = lab.host("host1");
    const h2 = lab.host("host2");
    const err = await pool.exec({ ...targetOf(h1, false), knownHostKey: h2.hostKey }, "echo never").catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(commandsOf(lab.commandLog("host1"))).not.toContain("echo never");
  });
});
