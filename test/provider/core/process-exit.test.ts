import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { TestServer, connOf, startTestServer } from "./helpers/test-ssh-server";

jest.setTimeout(60_000);

const SSH_JS = path.resolve(__dirname, "..", "..", "..", "dist", "provider", "core", "ssh.js");

/**
 * The dynamic-provider plugin must be able to exit while pooled connections are idle: a child
 * process runs commands through the process-wide pool and returns without closing anything.
 */
describe("an idle pool does not keep the process alive", () => {
  let server: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    if (!fs.existsSync(SSH_JS)) throw new Error(`${SSH_JS} is missing: build first (npm run build)`);
    server = await startTestServer({ allowForwarding: true });
    second = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
    await second.close();
  });

  it("exits on its own after its last command, the connection still pooled", async () => {
    const r = await runChild(`
      for (let i = 0; i < 5; i++) await exec({ conn }, "echo " + i);
      print({ stats: sshStats(), open: defaultPool.size });
    `);
    expect(r.report.open).toBe(1);
    expect(r.report.stats.connectionsOpened).toBe(1);
    expect(r.report.stats.commandsRun).toBe(5);
  });

  it("stays alive for what it awaits: closing, dial retries, dialing through an idle jump host", async () => {
    const r = await runChild(`
      const { SshPool } = require(${JSON.stringify(SSH_JS)});
      await exec({ conn }, "true");
      await defaultPool.closeAll();
      const retrying = new SshPool({ retryDelayMs: 300 });
      const refused = await retrying.exec({ conn: { ...conn, port: 1, dialErrorLimit: 3 } }, "true").catch((e) => e.name);
      const tunnelled = await exec({ conn: { ...target, proxy: conn } }, "echo via");
      print({ refused, via: tunnelled.stdout, stats: sshStats() });
    `);
    expect(r.report.refused).toBe("SshConnectError");
    expect(r.report.via).toBe("via\n");
  });

  async function runChild(body: string): Promise<{ report: any }> {
    const script = `
      const { exec, sshStats, defaultPool } = require(${JSON.stringify(SSH_JS)});
      const conn = JSON.parse(process.env.CONN);
      const target = JSON.parse(process.env.TARGET);
      const print = (x) => process.stdout.write(JSON.stringify(x));
      (async () => { ${body} })().catch((e) => { console.error(e); process.exit(3); });
    `;
    const child = spawn(process.execPath, ["-e", script], {
      // An idle time far beyond the test's timeout: only unref'd sockets and timers let it exit.
      env: {
        ...process.env,
        CONN: JSON.stringify(connOf(server)),
        TARGET: JSON.stringify(connOf(second)),
        DBCLUSTER_SSH_IDLE_MS: "600000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    // A pool that kept the loop alive would hang here until the test times out; one that let
    // go too early would exit without printing its report.
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).not.toBe("");
    return { report: JSON.parse(out) };
  }
});
