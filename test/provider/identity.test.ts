/**
 * Connections are shared only between callers of one identity (user, host, port, route,
 * credential, pinned key), and every caller's expectation is checked: a caller whose key the
 * host no longer accepts is refused even while another caller's connection to the same
 * user@host:port is open, and a coalesced read does not answer it on another caller's
 * connection. Over real SSH on a lab host whose authorized_keys holds only the first key.
 */
import * as fs from "node:fs";
import { utils } from "ssh2";
import { RunContext } from "../../provider/converge";
import { connectionKey, parseConnection } from "../../provider/core/connection";
import { SshConnectError } from "../../provider/core/errors";
import { RunLog } from "../../provider/core/log";
import { SshPool } from "../../provider/core/ssh";
import { readHost } from "../../provider/dm/handlers/read";
import { startLab, type Lab } from "../helpers/lab";

jest.setTimeout(120_000);

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ hosts: 1 });
});

afterAll(async () => {
  await lab?.stop();
});

function otherKey(): string {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair.private;
  }
}

const connWith = (privateKey: string) => {
  const h = lab.host("host1");
  return parseConnection({ host: h.address, port: h.port, user: h.user, privateKey, hostKey: h.hostKey, dialErrorLimit: 1 });
};

test("the pool: another credential for the same user@host:port dials its own connection and meets its own refusal", async () => {
  const pool = new SshPool({ idleMs: 5_000 });
  try {
    const good = connWith(fs.readFileSync(lab.host("host1").privateKeyPath, "utf8"));
    const revoked = connWith(otherKey());
    expect((await pool.exec({ conn: good }, "echo ok")).stdout).toBe("ok\n");
    const err = await pool.exec({ conn: revoked }, "echo should-not-run").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshConnectError);
    expect((err as Error).message).toMatch(/authentication/i);
    expect((err as Error).message).toContain(`${lab.host("host1").user}@${lab.host("host1").address}:${lab.host("host1").port}`);
    expect(pool.stats.commandsRun).toBe(1);
  } finally {
    await pool.closeAll();
  }
});

test("a coalesced read answers only callers of one identity: the revoked credential's read fails", async () => {
  const h = lab.host("host1");
  const good = connWith(fs.readFileSync(h.privateKeyPath, "utf8"));
  const revoked = connWith(otherKey());
  const ctxOf = (conn: typeof good) => new RunContext(new RunLog("id"), {}, new Map([[connectionKey(conn), conn]]), "refresh");
  const [a, b] = [ctxOf(good), ctxOf(revoked)];
  const where = (conn: typeof good, name: string) => ({ connection: conn, name, path: `${h.dataRoot}/id`, dbName: "DAMENG" });
  // Asked in the same tick: one batch if they were taken for the same connection.
  const [ra, rb] = await Promise.allSettled([readHost(a, where(good, "MP")), readHost(b, where(revoked, "SP1"))]);
  expect(ra.status).toBe("fulfilled");
  expect(rb.status).toBe("rejected");
  expect(String((rb as PromiseRejectedResult).reason)).toMatch(/authentication/i);
  await a.pool.closeAll();
});
