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
  beforeAll(async () => {
    if (!fs.existsSync(SSH_JS)) throw new Error(`${SSH_JS} is missing: build first (npm run build)`);
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it("exits on its own after its last command, the connection still pooled", async () => {
    const script = `
      const { exec, sshStats, defaultPool } = require(${JSON.stringify(SSH_JS)});
      const conn = JSON.parse(process.env.CONN);
      (async () => {
        for (let i = 0; i < 5; i++) await exec({ conn }, "echo " + i);
        process.stdout.write(JSON.stringify({ stats: sshStats(), open: defaultPool.size }));
      })();
    `;
    const child = spawn(process.execPath, ["-e", script], {
      // An idle time far beyond the test's timeout: only unref'd sockets and timers let it exit.
      env: { ...process.env, CONN: JSON.stringify(connOf(server)), DBCLUSTER_SSH_IDLE_MS: "600000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    // A pool that kept the loop alive would hang here until the test times out.
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(err).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.open).toBe(1);
    expect(report.stats.connectionsOpened).toBe(1);
    expect(report.stats.commandsRun).toBe(5);
  });
});
