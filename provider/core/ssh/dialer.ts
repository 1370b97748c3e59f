import * as net from "node:net";
import { Client, ClientChannel, ConnectConfig } from "ssh2";
import type { Connection, ProxyConnection } from "../connection";
import { HostKeyMismatchError, SshConnectError } from "../errors";
import type { HostKey } from "../hostkey";
import { checkPresented, type Expectation } from "./host-check";
import type { PooledConnection } from "./pooled";
import type { PoolStats } from "./types";

/** The target or the jump host, after defaults. */
export type Endpoint = ProxyConnection | Connection;

export interface DialContext {
  readonly stats: PoolStats;
  /** First pause between attempts; grows linearly up to 2 s. */
  readonly retryDelayMs: number;
  /** Runs once the connection is up (the pool arms its close and idle handling). */
  readonly established: (pc: PooledConnection) => void;
}

/** A pause that keeps the process alive: someone is waiting for its outcome. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Failures a retry cannot cure: a refused host key, refused credentials, an unusable private key. */
function isPermanent(err: unknown): boolean {
  if (err instanceof HostKeyMismatchError) return true;
  const level = (err as { level?: string } | undefined)?.level;
  if (level === "client-authentication") return true;
  const msg = err instanceof Error ? err.message : "";
  return /privateKey|passphrase|Encrypted private key/i.test(msg);
}

/** Dials `pc` with retries (`dialErrorLimit`), checking the server's key before any credential is offered. */
export async function dial(pc: PooledConnection, expected: Expectation | undefined, ctx: DialContext): Promise<void> {
  const ep = pc.endpoint;
  const limit = ep.dialErrorLimit === -1 ? Infinity : Math.max(1, ep.dialErrorLimit);
  for (let attempt = 1; ; attempt++) {
    ctx.stats.dialAttempts++;
    try {
      await dialOnce(pc, expected);
      ctx.stats.connectionsOpened++;
      ctx.established(pc);
      return;
    } catch (err) {
      ctx.stats.dialFailures++;
      if (err instanceof HostKeyMismatchError) throw err;
      const permanent = isPermanent(err);
      if (permanent || attempt >= limit) throw new SshConnectError(pc.label, attempt, err, permanent);
      await delay(Math.min(ctx.retryDelayMs * attempt, 2000));
    }
  }
}

/** A TCP socket to the endpoint, or a direct-tcpip channel through the jump host. */
async function openSocket(pc: PooledConnection): Promise<net.Socket | ClientChannel> {
  const ep = pc.endpoint;
  const proxy = pc.proxy;
  if (!proxy) {
    const sock = net.connect({ host: ep.host, port: ep.port });
    pc.sock = sock;
    return sock;
  }
  if (proxy.closed || !proxy.client) throw new Error(`jump host ${proxy.label} is not connected`);
  const client = proxy.client;
  return new Promise((resolve, reject) =>
    client.forwardOut("127.0.0.1", 0, ep.host, ep.port, (err, stream) =>
      err ? reject(new Error(`jump host ${proxy.label} cannot reach ${ep.host}:${ep.port}: ${err.message}`)) : resolve(stream),
    ),
  );
}

function authConfig(ep: Endpoint, client: Client): Partial<ConnectConfig> {
  const cfg: Partial<ConnectConfig> = {};
  if (ep.privateKey) cfg.privateKey = ep.privateKey;
  if (ep.privateKeyPassword) cfg.passphrase = ep.privateKeyPassword;
  if (ep.password) {
    cfg.password = ep.password;
    cfg.tryKeyboard = true;
    const password = ep.password;
    client.on("keyboard-interactive", (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)));
  }
  const agent = ep.agentSocketPath ?? process.env.SSH_AUTH_SOCK;
  if (agent) cfg.agent = agent;
  return cfg;
}

async function dialOnce(pc: PooledConnection, expected: Expectation | undefined): Promise<void> {
  const ep = pc.endpoint;
  const sock = await openSocket(pc);
  const client = new Client();
  let mismatch: HostKeyMismatchError | undefined;
  let seen: HostKey | undefined;
  const cfg: ConnectConfig = {
    sock: sock as ConnectConfig["sock"],
    username: ep.user,
    readyTimeout: ep.perDialTimeout > 0 ? Math.round(ep.perDialTimeout * 1000) : 0,
    // Runs before authentication, so credentials are never offered to an impostor.
    hostVerifier: (blob: Buffer) => {
      const r = checkPresented(pc.label, expected, blob);
      seen = r.seen;
      mismatch = r.mismatch;
      return !mismatch;
    },
    ...authConfig(ep, client),
  };

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      client.removeAllListeners("ready");
      sock.destroy();
      reject(mismatch ?? err);
    };
    client.once("ready", () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    client.on("error", fail);
    client.on("close", () => fail(new Error("connection closed during the handshake")));
    try {
      client.connect(cfg);
    } catch (err) {
      fail(err);
    }
  });

  pc.client = client;
  pc.seenKey = seen;
  client.removeAllListeners("error");
  client.removeAllListeners("close");
  // After the handshake a connection error surfaces on the channels (they close without exit).
  client.on("error", () => undefined);
}
