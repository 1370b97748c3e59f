/**
 * A pooled connection whose idle timer has fired is closing: a command that comes before the
 * close completes must dial afresh, not fail with "Not connected". Seen on the lab when one
 * RAFT group's step reached a host a few seconds after the last command there (idle 3 s).
 */
import * as net from "node:net";
import { SshPool } from "../../../provider/core/ssh";
import { TestServer, connOf, startTestServer } from "./helpers/test-ssh-server";

jest.setTimeout(60_000);

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP relay that passes data at once but hands the server's end of the stream to the client
 *  late, so that a closing connection stays "closing" long enough to be met. */
async function slowCloseRelay(server: TestServer, lateMs: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  // allowHalfOpen: else Node answers the client's FIN at once and the close is not late at all.
  const relay = net.createServer({ allowHalfOpen: true }, (c) => {
    const u = net.connect({ port: server.port, host: server.host, allowHalfOpen: true });
    for (const s of [c, u]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    }
    c.pipe(u);
    u.pipe(c, { end: false });
    u.on("end", () => setTimeout(() => c.end(), lateMs));
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  return {
    port: (relay.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        relay.close(() => resolve());
      }),
  };
}

test("a command arriving while an idle connection is closing runs on a new connection", async () => {
  const server = await startTestServer({ maxSessions: 10 });
  const relay = await slowCloseRelay(server, 1500);
  const pool = new SshPool({ idleMs: 100 });
  try {
    const target = { conn: { ...connOf(server), port: relay.port } };
    expect((await pool.exec(target, "echo one")).stdout).toBe("one\n");
    // The idle timer has ended the connection; its close is still on its way back.
    await delay(400);
    const second = await pool.exec(target, "echo two");
    expect({ code: second.code, stdout: second.stdout }).toEqual({ code: 0, stdout: "two\n" });
    expect(pool.stats.connectionsOpened).toBe(2);
  } finally {
    await pool.closeAll();
    await relay.close();
    await server.close();
  }
});
