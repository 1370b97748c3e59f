import * as net from "node:net";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SshPool } from "../../../provider/core/ssh";
import { HostKeyMismatchError, SshConnectError } from "../../../provider/core/errors";
import { fingerprint, parseHostKey } from "../../../provider/core/hostkey";
import { TestServer, connOf, newHostKey, startTestServer } from "./helpers/test-ssh-server";

jest.setTimeout(60_000);

describe("SshPool over a real SSH server", () => {
  let server: TestServer;
  let pool: SshPool;
  beforeEach(async () => {
    server = await startTestServer({ maxSessions: 10, allowForwarding: true });
    pool = new SshPool({ idleMs: 500, retryDelayMs: 50 });
  });
  afterEach(async () => {
    await pool.closeAll();
    await server.close();
  });

  it("runs many commands over one connection and returns output, status and the host key", async () => {
    const target = { conn: connOf(server) };
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await pool.exec(target, `echo out${i}; echo err${i} >&2; exit ${i % 4}`));
    expect(results.map((r) => r.stdout)).toEqual(results.map((_, i) => `out${i}\n`));
    expect(results.map((r) => r.stderr)).toEqual(results.map((_, i) => `err${i}\n`));
    expect(results.map((r) => r.code)).toEqual(results.map((_, i) => i % 4));
    expect(results[0].hostKey).toBe(server.hostKey);
    expect(server.connections).toBe(1);
    expect(pool.stats.connectionsOpened).toBe(1);
    expect(pool.stats.commandsRun).toBe(20);
  });

  it("shares one connection between concurrent callers and caps channels at the limit", async () => {
    const target = { conn: connOf(server) };
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => pool.exec(target, `sleep 0.2; echo ${i}`)),
    );
    expect(results.map((r) => r.stdout.trim())).toEqual(results.map((_, i) => String(i)));
    expect(server.connections).toBe(1);
    expect(server.refusedSessions).toBe(0);
    expect(server.maxConcurrentSessions).toBeLessThanOrEqual(10);
    expect(server.maxConcurrentSessions).toBeGreaterThan(1);
    expect(pool.stats.channelWaits).toBeGreaterThan(0);
  });

  it("honours a smaller per-connection cap", async () => {
    const small = new SshPool({ maxChannelsPerConnection: 2 });
    try {
      await Promise.all(Array.from({ length: 8 }, () => small.exec({ conn: connOf(server) }, "sleep 0.1")));
      expect(server.maxConcurrentSessions).toBe(2);
    } finally {
      await small.closeAll();
    }
  });

  it("adapts to a server that allows fewer sessions than the cap", async () => {
    const strict = await startTestServer({ maxSessions: 3 });
    try {
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.exec({ conn: connOf(strict) }, `sleep 0.1; echo ${i}`)));
      expect(rs.map((r) => r.stdout.trim())).toEqual(rs.map((_, i) => String(i)));
      expect(strict.refusedSessions).toBeGreaterThan(0);
      expect(pool.stats.channelRetries).toBeGreaterThan(0);
      expect(strict.maxConcurrentSessions).toBe(3);
    } finally {
      await pool.closeAll();
      await strict.close();
    }
  });

  it("keeps an exit status that arrives together with the channel confirmation", async () => {
    const fast = await startTestServer({ instantExit: 7 });
    try {
      const rs = await Promise.all(Array.from({ length: 20 }, () => pool.exec({ conn: connOf(fast) }, "anything")));
      expect(rs.map((r) => r.code)).toEqual(rs.map(() => 7));
    } finally {
      await pool.closeAll();
      await fast.close();
    }
  });

  it("gives up on a connection that no longer answers, redials once, then reports it", async () => {
    const stuck = await startTestServer({ hangSessions: true });
    try {
      const err = await pool.exec({ conn: connOf(stuck, { perDialTimeout: 0.5 }) }, "true").catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/cannot open a channel: no answer to a channel request within 500ms/);
      // Where and what next, as a failed dial says (a host going down mid-step reads like this).
      expect(err.message).toMatch(/next: check that the host is up and its sshd accepts sessions .*run `pulumi up` again/);
      expect(stuck.connections).toBe(2);
    } finally {
      await pool.closeAll();
      await stuck.close();
    }
  });

  it("refuses a command line too long for SSH servers before sending it, naming the endpoint and the size; one just under the limit runs", async () => {
    // Over ssh2's 35000-byte packet limit the server drops the connection: refused here, loudly, instead.
    const command = `printf %s '${"x".repeat(40_000)}'`;
    const err = await pool.exec({ conn: connOf(server) }, command).catch((e) => e);
    expect(err.message).toMatch(new RegExp(`^[\\w.-]+@127\\.0\\.0\\.1:${server.port}: command line of ${Buffer.byteLength(command)} bytes exceeds 32000 .* stdin`));
    expect(server.execs).toEqual([]);
    expect(server.connections).toBe(0);
    const fits = `printf %s '${"y".repeat(31_900)}' | wc -c`;
    const r = await pool.exec({ conn: connOf(server) }, fits);
    expect(server.execs).toEqual([fits]);
    expect(r.code).toBe(0);
  });

  it("sends stdin as the command's input and never on the command line", async () => {
    const secret = "Sup3r'Secret\"$(pw)`x`";
    const r = await pool.exec({ conn: connOf(server) }, "read -r line; printf %s \"$line\" | sha256sum", {
      stdin: secret + "\n",
    });
    const expected = require("node:crypto").createHash("sha256").update(secret).digest("hex");
    expect(r.stdout.split(" ")[0]).toBe(expected);
    expect(server.execs.join("\n")).not.toContain("Sup3r");
    expect(server.stdins[0].toString()).toBe(secret + "\n");
  });

  it("gives commands without stdin an immediate end of input", async () => {
    const r = await pool.exec({ conn: connOf(server) }, "cat; echo done", { timeoutMs: 10_000 });
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toBe("done\n");
  });

  it("exports env in front of the command, quoted", async () => {
    const r = await pool.exec({ conn: connOf(server) }, 'printf %s "$A|$B"', { env: { A: "x y", B: "$(id)" } });
    expect(r.stdout).toBe("x y|$(id)");
    expect(() => pool.exec({ conn: connOf(server) }, "true", { env: { "A;rm": "x" } })).rejects.toThrow(/variable name/);
  });

  it("times a command out, kills it, and keeps the connection usable", async () => {
    const target = { conn: connOf(server) };
    const r = await pool.exec(target, "echo started; sleep 30; echo never", { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(r.stdout).toBe("started\n");
    const again = await pool.exec(target, "echo alive");
    expect(again.stdout).toBe("alive\n");
    expect(server.connections).toBe(1);
  });

  it("reports a signal death", async () => {
    const r = await pool.exec({ conn: connOf(server) }, "kill -TERM $$");
    expect(r.code).toBeNull();
    expect(r.signal).toBe("TERM");
  });

  it("closes idle connections and opens a new one afterwards", async () => {
    const target = { conn: connOf(server) };
    await pool.exec(target, "true");
    expect(pool.size).toBe(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect(pool.size).toBe(0);
    await pool.exec(target, "true");
    expect(server.connections).toBe(2);
  });

  describe("host keys", () => {
    it("accepts a pinned key that matches (with a comment) and refuses one that does not, before authenticating", async () => {
      const ok = await pool.exec({ conn: connOf(server, { hostKey: server.hostKey + " root@lab" }) }, "echo ok");
      expect(ok.stdout).toBe("ok\n");
      await pool.closeAll();
      const before = server.authAttempts;
      const wrong = newHostKey().public;
      const err = await pool.exec({ conn: connOf(server, { hostKey: wrong }) }, "echo never").catch((e) => e);
      expect(err).toBeInstanceOf(HostKeyMismatchError);
      expect(err.message).toContain(`127.0.0.1:${server.port}`);
      expect(err.message).toContain(fingerprint(parseHostKey(wrong)));
      expect(err.message).toContain(fingerprint(parseHostKey(server.hostKey)));
      expect(err.message).toContain(`set hostKey to the new key text: "${server.hostKey}"`);
      expect(server.authAttempts).toBe(before);
      expect(server.execs).toEqual(["echo ok"]);
      expect(pool.stats.dialAttempts).toBe(2); // a mismatch is not retried
    });

    it("refuses a pinned mismatch on an already pooled connection too", async () => {
      await pool.exec({ conn: connOf(server) }, "true");
      const err = await pool.exec({ conn: connOf(server, { hostKey: newHostKey().public }) }, "echo never").catch((e) => e);
      expect(err).toBeInstanceOf(HostKeyMismatchError);
      expect(server.execs).toEqual(["true"]);
    });

    it("trusts on first use, then refuses a changed key with instructions", async () => {
      const first = await pool.exec({ conn: connOf(server) }, "true");
      const recorded = first.hostKey;
      await pool.closeAll();
      const port = server.port;
      await server.close();
      // The same endpoint comes back with another key: a reinstall, or an impostor.
      server = await startTestServer({ port });
      const before = server.authAttempts;
      const err = await pool.exec({ conn: connOf(server), knownHostKey: recorded }, "echo never").catch((e) => e);
      expect(err).toBeInstanceOf(HostKeyMismatchError);
      expect(err.source).toBe("recorded");
      expect(err.message).toMatch(/changed since it was first recorded/);
      expect(err.message).toContain(`"${server.hostKey}"`);
      expect(server.authAttempts).toBe(before);
      expect(server.execs).toEqual([]);
      // Accepting it is setting hostKey: the pinned key wins over the recorded one.
      const ok = await pool.exec({ conn: connOf(server, { hostKey: server.hostKey }), knownHostKey: recorded }, "echo ok");
      expect(ok.stdout).toBe("ok\n");
    });
  });

  describe("dialing", () => {
    it("retries until the host answers", async () => {
      const port = server.port;
      await server.close();
      const later = new Promise<TestServer>((resolve) => setTimeout(() => resolve(startTestServer({ port })), 400));
      const r = await pool.exec({ conn: connOf(server, { dialErrorLimit: 40 }) }, "echo up");
      server = await later;
      expect(r.stdout).toBe("up\n");
      expect(pool.stats.dialFailures).toBeGreaterThan(0);
    });

    it("gives up after dialErrorLimit attempts with the endpoint in the message", async () => {
      const port = server.port;
      await server.close();
      const err = await pool.exec({ conn: connOf(server, { dialErrorLimit: 3 }) }, "true").catch((e) => e);
      server = await startTestServer({ port });
      expect(err).toBeInstanceOf(SshConnectError);
      expect(err.attempts).toBe(3);
      expect(err.message).toContain(`tester@127.0.0.1:${port}`);
      expect(err.message).toMatch(/ECONNREFUSED/);
    });

    it("times out a dial to a host that accepts TCP but never speaks SSH", async () => {
      const silent = net.createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        const err = await pool
          .exec({ conn: { host: "127.0.0.1", port, user: "x", password: "y", dialErrorLimit: 2, perDialTimeout: 0.3 } }, "true")
          .catch((e) => e);
        expect(err).toBeInstanceOf(SshConnectError);
        expect(err.attempts).toBe(2);
        expect(err.message).toMatch(/handshake/);
      } finally {
        silent.close();
      }
    });

    it("does not retry a refused login and says what to check, without the password", async () => {
      const err = await pool
        .exec({ conn: { host: server.host, port: server.port, user: "tester", password: "wrong-pw-123" } }, "true")
        .catch((e) => e);
      expect(err).toBeInstanceOf(SshConnectError);
      expect(err.permanent).toBe(true);
      expect(err.attempts).toBe(1);
      expect(err.message).toMatch(/credentials/);
      expect(err.message).not.toContain("wrong-pw-123");
    });

    it("logs in with an encrypted key and its passphrase, and refuses a wrong passphrase at once", async () => {
      const dir = mkdtempSync(join(tmpdir(), "sshkey-"));
      try {
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "key pass'phrase", "-f", join(dir, "k")]);
        const keyServer = await startTestServer({ authorizedKeys: [readFileSync(join(dir, "k.pub"), "utf8")] });
        try {
          const base = { host: keyServer.host, port: keyServer.port, user: "tester", privateKey: readFileSync(join(dir, "k"), "utf8") };
          const r = await pool.exec({ conn: { ...base, privateKeyPassword: "key pass'phrase" } }, "echo key");
          expect(r.stdout).toBe("key\n");
          await pool.closeAll();
          const err = await pool.exec({ conn: { ...base, privateKeyPassword: "wrong" } }, "true").catch((e) => e);
          expect(err).toBeInstanceOf(SshConnectError);
          expect(err.permanent).toBe(true);
          expect(err.attempts).toBe(1);
        } finally {
          await keyServer.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("logs in through an SSH agent socket", async () => {
      const dir = mkdtempSync(join(tmpdir(), "sshagent-"));
      const sock = join(dir, "agent.sock");
      const agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
      try {
        for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
        writeFileSync(join(dir, "id"), server.privateKey, { mode: 0o600 });
        execFileSync("ssh-add", [join(dir, "id")], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "ignore" });
        const r = await pool.exec({ conn: { host: server.host, port: server.port, user: "tester", agentSocketPath: sock } }, "echo agent");
        expect(r.stdout).toBe("agent\n");
      } finally {
        agent.kill();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("logs in with a password", async () => {
      const pwServer = await startTestServer({ password: "pa ss'word" });
      try {
        const r = await pool.exec({ conn: { host: pwServer.host, port: pwServer.port, user: "tester", password: "pa ss'word" } }, "echo in");
        expect(r.stdout).toBe("in\n");
      } finally {
        await pool.closeAll();
        await pwServer.close();
      }
    });
  });

  describe("jump host", () => {
    it("reaches a target through the proxy, verifying both keys, with one connection each", async () => {
      const target = await startTestServer({});
      try {
        const conn = { ...connOf(target, { hostKey: target.hostKey }), proxy: connOf(server, { hostKey: server.hostKey }) };
        const rs = await Promise.all(Array.from({ length: 5 }, (_, i) => pool.exec({ conn }, `echo via${i}`)));
        expect(rs.map((r) => r.stdout)).toEqual(rs.map((_, i) => `via${i}\n`));
        expect(rs[0].hostKey).toBe(target.hostKey);
        expect(rs[0].proxyHostKey).toBe(server.hostKey);
        expect(server.forwards).toBe(1);
        expect(server.execs).toEqual([]);
        expect(target.execs).toHaveLength(5);
        expect(target.connections).toBe(1);
        expect(pool.stats.connectionsOpened).toBe(2);
      } finally {
        await pool.closeAll();
        await target.close();
      }
    });

    it("refuses a jump host whose key does not match", async () => {
      const target = await startTestServer({});
      try {
        const conn = { ...connOf(target), proxy: connOf(server, { hostKey: newHostKey().public }) };
        const err = await pool.exec({ conn }, "true").catch((e) => e);
        expect(err).toBeInstanceOf(HostKeyMismatchError);
        expect(err.endpoint).toBe(`tester@127.0.0.1:${server.port}`);
        expect(server.forwards).toBe(0);
      } finally {
        await target.close();
      }
    });
  });
});
