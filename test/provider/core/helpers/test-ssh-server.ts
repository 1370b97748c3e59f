import { spawn } from "node:child_process";
import * as net from "node:net";
import { timingSafeEqual } from "node:crypto";
import { AddressInfo } from "node:net";
import { Server, utils } from "ssh2";

/**
 * A real SSH server inside the test process (ssh2's Server) that runs every exec request with
 * `bash -c`, records what it received and counts connections and concurrent sessions, so tests
 * can prove what went over the wire. With `allowForwarding` it is also a jump host.
 */

export interface TestServerOptions {
  /** OpenSSH private key text of the host key; a fresh ed25519 key by default. */
  readonly hostPrivateKey?: string;
  /** Refuse sessions beyond this many at once on one connection (like OpenSSH's MaxSessions). */
  readonly maxSessions?: number;
  readonly allowForwarding?: boolean;
  /** More accepted client public keys (OpenSSH text). */
  readonly authorizedKeys?: readonly string[];
  /** Accept this password besides the client key. */
  readonly password?: string;
  /** Answer every exec with this exit status at once, in the same write as the channel
   *  confirmation (as a fast command behind a buffering relay does), without running it. */
  readonly instantExit?: number;
  /** Never answer session requests, like a host that died without closing its connections. */
  readonly hangSessions?: boolean;
  /** Bind to this port (to restart a server on the same endpoint). */
  readonly port?: number;
}

export interface TestServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Client private key that the server accepts. */
  readonly privateKey: string;
  /** OpenSSH public text of the host key. */
  readonly hostKey: string;
  readonly hostPrivateKey: string;
  /** Exact command lines of exec requests, in arrival order. */
  readonly execs: string[];
  /** Bytes received on stdin per exec (same order). */
  readonly stdins: Buffer[];
  /** Authenticated connections accepted so far. */
  connections: number;
  /** Authentication requests of any method: zero proves no credential was offered. */
  authAttempts: number;
  /** Direct-tcpip (jump) channels opened. */
  forwards: number;
  /** Most sessions open at once on one connection. */
  maxConcurrentSessions: number;
  /** Sessions refused because of maxSessions. */
  refusedSessions: number;
  close(): Promise<void>;
}

/** ssh2 1.17 drops leading zero bytes of ed25519 public keys, so ~1 pair in 256 is malformed
 *  (mscdex/ssh2#1513): draw again until both halves parse. */
export function newHostKey(): { private: string; public: string } {
  for (;;) {
    const k = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(k.public) instanceof Error) && !(utils.parseKey(k.private) instanceof Error)) {
      return { private: k.private, public: k.public };
    }
  }
}

const clientKeys = newHostKey();
const clientPub = utils.parseKey(clientKeys.public);

function publicOf(privateText: string): string {
  const k = utils.parseKey(privateText);
  if (k instanceof Error) throw k;
  return `${k.type} ${k.getPublicSSH().toString("base64")}`;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const hostPrivateKey = opts.hostPrivateKey ?? newHostKey().private;
  const sockets = new Set<net.Socket>();
  const children = new Set<ReturnType<typeof spawn>>();
  const state: TestServer = {
    host: "127.0.0.1",
    port: 0,
    user: "tester",
    privateKey: clientKeys.private,
    hostKey: publicOf(hostPrivateKey),
    hostPrivateKey,
    execs: [],
    stdins: [],
    connections: 0,
    authAttempts: 0,
    forwards: 0,
    maxConcurrentSessions: 0,
    refusedSessions: 0,
    close: async () => undefined,
  };
  if (clientPub instanceof Error) throw clientPub;
  const accepted = [clientPub, ...(opts.authorizedKeys ?? []).map((t) => {
    const k = utils.parseKey(t);
    if (k instanceof Error) throw k;
    return k;
  })];

  const server = new Server({ hostKeys: [hostPrivateKey] }, (client) => {
    let sessions = 0;
    client.on("authentication", (ctx) => {
      state.authAttempts++;
      if (ctx.username !== state.user) return ctx.reject();
      if (ctx.method === "password" && opts.password !== undefined && ctx.password === opts.password) return ctx.accept();
      if (ctx.method === "publickey") {
        const key = accepted.find((k) => {
          const data = k.getPublicSSH();
          return ctx.key.algo === k.type && ctx.key.data.length === data.length && timingSafeEqual(ctx.key.data, data);
        });
        if (!key) return ctx.reject();
        if (ctx.signature && ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject();
        return ctx.accept();
      }
      ctx.reject(opts.password !== undefined ? ["publickey", "password"] : ["publickey"]);
    });
    client.on("ready", () => {
      state.connections++;
      client.on("tcpip", (accept, reject, info) => {
        if (!opts.allowForwarding) return reject();
        state.forwards++;
        const upstream = net.connect(info.destPort, info.destIP);
        upstream.on("connect", () => {
          const ch = accept();
          ch.pipe(upstream).pipe(ch);
          ch.on("close", () => upstream.destroy());
          upstream.on("close", () => ch.close());
        });
        upstream.on("error", () => reject());
      });
      client.on("session", (accept, reject) => {
        if (opts.hangSessions) return;
        if (opts.maxSessions !== undefined && sessions >= opts.maxSessions) {
          state.refusedSessions++;
          return reject();
        }
        sessions++;
        state.maxConcurrentSessions = Math.max(state.maxConcurrentSessions, sessions);
        const session = accept();
        let done = false;
        const end = () => {
          if (!done) {
            done = true;
            sessions--;
          }
        };
        session.on("close", end);
        session.on("exec", (acceptExec, _rejectExec, info) => {
          const ch = acceptExec();
          const index = state.execs.push(info.command) - 1;
          if (opts.instantExit !== undefined) {
            ch.exit(opts.instantExit);
            ch.end();
            end();
            return;
          }
          const chunks: Buffer[] = [];
          state.stdins[index] = Buffer.alloc(0);
          const child = spawn("bash", ["-c", info.command], { stdio: ["pipe", "pipe", "pipe"], detached: true });
          children.add(child);
          ch.on("data", (d: Buffer) => {
            chunks.push(d);
            child.stdin.write(d);
          });
          ch.on("end", () => {
            state.stdins[index] = Buffer.concat(chunks);
            child.stdin.end();
          });
          child.stdin.on("error", () => undefined);
          child.stdout.pipe(ch, { end: false });
          child.stderr.pipe(ch.stderr, { end: false });
          session.on("signal", (acceptSignal, _r, sig) => {
            acceptSignal?.();
            try {
              process.kill(-child.pid!, `SIG${sig.name}` as NodeJS.Signals);
            } catch {
              /* already gone */
            }
          });
          // A closed channel kills its command, as sshd does when the session ends.
          ch.on("close", () => {
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              /* already gone */
            }
          });
          child.on("close", (code, signal) => {
            children.delete(child);
            state.stdins[index] = Buffer.concat(chunks);
            try {
              if (code !== null) ch.exit(code);
              else ch.exit(String(signal).replace(/^SIG/, ""), false, "");
              ch.end();
            } catch {
              /* client went away */
            }
            end();
          });
        });
      });
    });
    client.on("error", () => undefined);
  });
  // ssh2's Server wraps a net.Server; the raw sockets are needed to drop clients at once.
  (server as unknown as { _srv: net.Server })._srv.on("connection", (sock: net.Socket) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  (state as { port: number }).port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const c of children) {
        try {
          process.kill(-c.pid!, "SIGKILL");
        } catch {
          /* gone */
        }
      }
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** Connection args for the pool. */
export function connOf(s: TestServer, extra: Record<string, unknown> = {}) {
  return { host: s.host, port: s.port, user: s.user, privateKey: s.privateKey, dialErrorLimit: 2, perDialTimeout: 5, ...extra };
}
