import * as net from "node:net";
import { Duplex, Readable, Writable } from "node:stream";
import { Client, ClientChannel, ConnectConfig } from "ssh2";
import { Connection, ConnectionArgs, ProxyConnection, connectionKey, parseConnection } from "./connection";
import { HostKeyMismatchError, SshConnectError } from "./errors";
import { HostKey, formatHostKey, hostKeyFromBlob, parseHostKey, sameHostKey } from "./hostkey";
import { quote } from "./quote/sh";

/**
 * The SSH transport: one pooled connection per user@host:port(+jump host) for the whole process,
 * because the dynamic-provider plugin runs every resource of a run in one process and a DMDPC
 * cluster has many resources per host. Channels per connection are capped (OpenSSH's
 * MaxSessions defaults to 10) and queued beyond the cap.
 */

/** Where to run, and what the caller already knows about the host's identity. */
export interface SshTarget {
  readonly conn: ConnectionArgs | Connection;
  /** The key recorded on first use (resource state); a different key is refused. */
  readonly knownHostKey?: string;
  /** Same, for the jump host. */
  readonly knownProxyHostKey?: string;
}

export interface ExecOptions {
  /** Bytes for the command's standard input: the only way secrets travel. */
  readonly stdin?: string | Buffer;
  /** The command is signalled and its channel closed after this long. @default 600000 */
  readonly timeoutMs?: number;
  /** Non-secret variables, exported in front of the command (they are visible on the command line). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status, or null when the command was killed by a signal or the channel was lost. */
  readonly code: number | null;
  /** Signal name as RFC 4254 sends it (`TERM`, `KILL`), when the command died of one. */
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** OpenSSH text of the host key seen: record it to detect a later change. */
  readonly hostKey: string;
  readonly proxyHostKey?: string;
}

/** A command whose streams the caller drives (for piping large data between hosts). */
export interface RemoteProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the channel closes; stdout/stderr are empty strings here (the caller consumed them). */
  readonly done: Promise<ExecResult>;
  /** Signals the remote command and closes the channel (e.g. when the other end of a pipe failed). */
  kill(): void;
}

export interface PoolOptions {
  /** Concurrent channels per connection. @default 10 (OpenSSH MaxSessions) */
  readonly maxChannelsPerConnection?: number;
  /** An unused connection is closed after this long. @default 3000 */
  readonly idleMs?: number;
  /** First pause between dial attempts; grows linearly up to 2s. @default 250 */
  readonly retryDelayMs?: number;
}

export interface PoolStats {
  connectionsOpened: number;
  dialAttempts: number;
  dialFailures: number;
  commandsRun: number;
  /** Commands that had to wait for a free channel. */
  channelWaits: number;
  /** Most channels open at once on one connection. */
  maxConcurrentChannels: number;
  /** Channel opens the server refused and that were retried. */
  channelRetries: number;
}

const DEFAULT_TIMEOUT_MS = 600_000;
/**
 * RFC 4253 only obliges servers to accept 35000-byte packets (ssh2's server enforces exactly
 * that), and the exec request carries the whole command line: keep well below it.
 */
export const MAX_COMMAND_BYTES = 32_000;
const CHANNEL_OPEN_RETRIES = 8;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Endpoint = ProxyConnection | Connection;

class ChannelOpenTimeout extends Error {}

interface ExitStatus {
  code: number | null;
  signal: string | null;
}
const exitStatus = new WeakMap<ClientChannel, ExitStatus>();

class PooledConnection {
  client?: Client;
  sock?: net.Socket;
  seenKey?: HostKey;
  ready!: Promise<void>;
  proxy?: PooledConnection;
  closed = false;
  /** Channels open on this connection. */
  active = 0;
  /** Current cap; lowered when the server refuses a channel below our configured cap. */
  limit = 0;
  /** Channels open here or on connections tunnelled through here: the socket must stay ref'd. */
  busy = 0;
  /** Open connections tunnelled through this one: it must not be closed. */
  dependents = 0;
  readonly waiters: (() => void)[] = [];
  idleTimer?: NodeJS.Timeout;
  constructor(readonly key: string, readonly endpoint: Endpoint) {}
}

/** A pause that keeps the process alive: someone is waiting for its outcome. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isPermanent(err: unknown): boolean {
  if (err instanceof HostKeyMismatchError) return true;
  const level = (err as { level?: string } | undefined)?.level;
  if (level === "client-authentication") return true;
  const msg = err instanceof Error ? err.message : "";
  return /privateKey|passphrase|Encrypted private key/i.test(msg);
}

export class SshPool {
  readonly stats: PoolStats = {
    connectionsOpened: 0,
    dialAttempts: 0,
    dialFailures: 0,
    commandsRun: 0,
    channelWaits: 0,
    maxConcurrentChannels: 0,
    channelRetries: 0,
  };
  private readonly pool = new Map<string, PooledConnection>();
  private readonly maxChannels: number;
  private readonly idleMs: number;
  private readonly retryDelayMs: number;

  constructor(opts: PoolOptions = {}) {
    this.maxChannels = Math.max(1, opts.maxChannelsPerConnection ?? 10);
    this.idleMs = opts.idleMs ?? 3000;
    this.retryDelayMs = opts.retryDelayMs ?? 250;
  }

  /** Number of connections currently open (or being dialed). */
  get size(): number {
    return this.pool.size;
  }

  /** Runs `command` and collects its output. Never rejects for a non-zero exit: check `code`. */
  async exec(target: SshTarget, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    let stdout = "";
    let stderr = "";
    const proc = await this.spawn(target, command, opts);
    proc.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    if (opts.stdin !== undefined) proc.stdin.end(opts.stdin);
    else proc.stdin.end();
    const r = await proc.done;
    return { ...r, stdout, stderr };
  }

  /**
   * Starts `command` and hands its streams to the caller. The channel slot is held until the
   * channel closes. `opts.stdin` is ignored here: write to `stdin` and end it.
   */
  async spawn(target: SshTarget, command: string, opts: Omit<ExecOptions, "stdin"> = {}): Promise<RemoteProcess> {
    const conn = parseConnection(target.conn as ConnectionArgs);
    const full = withEnv(command, opts.env);
    if (Buffer.byteLength(full) > MAX_COMMAND_BYTES) {
      throw new Error(
        `${connectionKey(conn)}: command line of ${Buffer.byteLength(full)} bytes exceeds ${MAX_COMMAND_BYTES} ` +
          `(SSH servers may refuse longer exec requests); send large data or scripts on stdin (e.g. \`bash -s\`)`,
      );
    }
    let pc = await this.connect(conn, target);
    const started = Date.now();
    let channel: ClientChannel;
    try {
      channel = await this.openChannel(pc, full);
    } catch (err) {
      if (!(err instanceof ChannelOpenTimeout)) throw err;
      // The pooled connection is dead: drop it and try once on a fresh one.
      pc.client?.destroy();
      this.forget(pc);
      pc = await this.connect(conn, target);
      try {
        channel = await this.openChannel(pc, full);
      } catch (again) {
        if (again instanceof ChannelOpenTimeout) pc.client?.destroy();
        throw new Error(`${pc.key}: cannot open a channel: ${(again as Error).message}`);
      }
    }
    this.stats.commandsRun++;
    const hostKey = formatHostKey(pc.seenKey!);
    const proxyHostKey = pc.proxy?.seenKey ? formatHostKey(pc.proxy.seenKey) : undefined;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const kill = () => {
      // OpenSSH >= 7.9 delivers the signal; the close tears the channel down regardless.
      try {
        channel.signal("KILL");
      } catch {
        /* channel already gone */
      }
      // A paused reader (e.g. piped into a dead peer) would keep the channel from closing:
      // what is left of the output is discarded.
      channel.unpipe();
      channel.resume();
      channel.stderr.resume();
      channel.close();
    };
    const status = exitStatus.get(channel)!;
    const done = new Promise<ExecResult>((resolve) => {
      let timedOut = false;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              timedOut = true;
              kill();
            }, timeoutMs)
          : undefined;
      timer?.unref();
      // A remote process that exits without reading stdin makes our writes fail: that is not our error.
      channel.on("error", () => undefined);
      channel.on("close", () => {
        if (timer) clearTimeout(timer);
        this.release(pc);
        resolve({
          stdout: "",
          stderr: "",
          code: timedOut ? null : status.code,
          signal: timedOut ? null : status.signal,
          timedOut,
          durationMs: Date.now() - started,
          hostKey,
          proxyHostKey,
        });
      });
    });
    return { stdin: channel, stdout: channel, stderr: channel.stderr, done, kill };
  }

  /**
   * Opens an exec channel, holding a slot. A server may allow fewer sessions than our cap
   * (sshd's MaxSessions, or a session still being torn down): then the cap of this connection
   * is lowered to what the server accepted and the request waits for a slot and retries.
   */
  private async openChannel(pc: PooledConnection, command: string): Promise<ClientChannel> {
    for (let attempt = 1; ; attempt++) {
      await this.acquire(pc);
      try {
        return await new Promise<ClientChannel>((resolve, reject) => {
          if (!pc.client || pc.closed) return reject(new Error("connection closed"));
          let late = false;
          // A pooled connection to a host that went away silently never answers: give up on
          // it after the dial timeout so that the caller can dial afresh.
          const openTimeoutMs = pc.endpoint.perDialTimeout > 0 ? pc.endpoint.perDialTimeout * 1000 : 15_000;
          const timer = setTimeout(() => {
            late = true;
            reject(new ChannelOpenTimeout(`no answer to a channel request within ${openTimeoutMs}ms`));
          }, openTimeoutMs);
          timer.unref();
          pc.client.exec(command, (err, ch) => {
            clearTimeout(timer);
            if (late) {
              ch?.close();
              return;
            }
            if (err) return reject(err);
            // The exit status can arrive in the same packet batch as the open confirmation,
            // before any awaiting code runs: record it synchronously or it is lost.
            const status: ExitStatus = { code: null, signal: null };
            exitStatus.set(ch, status);
            ch.on("exit", (c: number | null, sig?: string) => {
              if (typeof c === "number") status.code = c;
              // RFC 4254 names signals without "SIG"; ssh2 adds it. Keep the RFC form.
              else status.signal = sig ? sig.replace(/^SIG/, "") : null;
            });
            resolve(ch);
          });
        });
      } catch (err) {
        if (err instanceof ChannelOpenTimeout) {
          this.release(pc);
          throw err;
        }
        const refused = /Channel open failure/i.test((err as Error).message);
        if (refused && pc.active > 1) pc.limit = Math.max(1, Math.min(pc.limit, pc.active - 1));
        this.release(pc);
        if (!refused || pc.closed || attempt >= CHANNEL_OPEN_RETRIES) {
          throw new Error(`${pc.key}: cannot open a channel: ${(err as Error).message}`);
        }
        this.stats.channelRetries++;
        await delay(25 * attempt);
      }
    }
  }

  /**
   * A `direct-tcpip` channel from the host to `toHost:toPort` (say, a database's SQL port seen
   * from that host), on the pooled connection: no second handshake, and nothing needs that port
   * open to this machine. The channel holds a slot until it closes.
   */
  async forward(target: SshTarget, toHost: string, toPort: number): Promise<{ stream: Duplex; hostKey: string }> {
    const conn = parseConnection(target.conn as ConnectionArgs);
    const pc = await this.connect(conn, target);
    await this.acquire(pc);
    try {
      const stream = await new Promise<ClientChannel>((resolve, reject) => {
        if (!pc.client || pc.closed) return reject(new Error("connection closed"));
        pc.client.forwardOut("127.0.0.1", 0, toHost, toPort, (err, ch) => (err ? reject(err) : resolve(ch)));
      });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.release(pc);
      };
      stream.once("close", release);
      return { stream, hostKey: formatHostKey(pc.seenKey!) };
    } catch (err) {
      this.release(pc);
      throw new Error(`${pc.key}: cannot forward to ${toHost}:${toPort}: ${(err as Error).message} (does the SSH server allow TCP forwarding, and does the host reach that port?)`);
    }
  }

  /** Closes every connection now. */
  async closeAll(): Promise<void> {
    const all = [...this.pool.values()];
    await Promise.all(all.map((pc) => this.close(pc)));
  }

  private close(pc: PooledConnection): Promise<void> {
    return new Promise((resolve) => {
      if (pc.closed || !pc.client) {
        this.forget(pc);
        return resolve();
      }
      pc.client.once("close", () => resolve());
      // An idle socket is unref'd; the caller awaits this close, so keep the process up for it.
      pc.sock?.ref();
      pc.client.end();
    });
  }

  // ---- connections -------------------------------------------------------------------

  private async connect(conn: Connection, target: SshTarget): Promise<PooledConnection> {
    let proxy: PooledConnection | undefined;
    if (conn.proxy) {
      proxy = await this.connectEndpoint(conn.proxy, connectionKey(conn.proxy), target.knownProxyHostKey);
    }
    const pc = await this.connectEndpoint(conn, connectionKey(conn), target.knownHostKey, proxy);
    return pc;
  }

  private async connectEndpoint(
    ep: Endpoint,
    key: string,
    knownHostKey: string | undefined,
    proxy?: PooledConnection,
  ): Promise<PooledConnection> {
    const expected = expectation(ep, knownHostKey);
    let pc = this.pool.get(key);
    if (!pc || pc.closed) {
      pc = new PooledConnection(key, ep);
      pc.limit = this.maxChannels;
      this.pool.set(key, pc);
      pc.proxy = proxy;
      const fresh = pc;
      pc.ready = this.dial(fresh, expected).catch((err) => {
        this.forget(fresh);
        throw err;
      });
    }
    await pc.ready;
    // A connection dialed for another caller was checked against that caller's expectation.
    if (expected && pc.seenKey && !sameHostKey(expected.key, pc.seenKey)) {
      throw new HostKeyMismatchError(key, expected.source, expected.key, pc.seenKey);
    }
    return pc;
  }

  private async dial(pc: PooledConnection, expected: Expectation | undefined): Promise<void> {
    // The jump host is idle (unref'd) until a tunnelled channel exists; the dial through it
    // is awaited, so it counts as use.
    if (pc.proxy) this.setBusy(pc.proxy, +1);
    try {
      await this.dialAttempts(pc, expected);
    } finally {
      if (pc.proxy) this.setBusy(pc.proxy, -1);
    }
  }

  private async dialAttempts(pc: PooledConnection, expected: Expectation | undefined): Promise<void> {
    const ep = pc.endpoint;
    const limit = ep.dialErrorLimit === -1 ? Infinity : Math.max(1, ep.dialErrorLimit);
    for (let attempt = 1; ; attempt++) {
      this.stats.dialAttempts++;
      try {
        await this.dialOnce(pc, expected);
        this.stats.connectionsOpened++;
        return;
      } catch (err) {
        this.stats.dialFailures++;
        const permanent = isPermanent(err);
        if (err instanceof HostKeyMismatchError) throw err;
        if (permanent || attempt >= limit) throw new SshConnectError(pc.key, attempt, err, permanent);
        await delay(Math.min(this.retryDelayMs * attempt, 2000));
      }
    }
  }

  private async openSocket(pc: PooledConnection): Promise<net.Socket | ClientChannel> {
    const ep = pc.endpoint;
    const proxy = pc.proxy;
    if (!proxy) {
      const sock = net.connect({ host: ep.host, port: ep.port });
      pc.sock = sock;
      return sock;
    }
    if (proxy.closed || !proxy.client) throw new Error(`jump host ${proxy.key} is not connected`);
    const client = proxy.client;
    return new Promise((resolve, reject) =>
      client.forwardOut("127.0.0.1", 0, ep.host, ep.port, (err, stream) =>
        err ? reject(new Error(`jump host ${proxy.key} cannot reach ${ep.host}:${ep.port}: ${err.message}`)) : resolve(stream),
      ),
    );
  }

  private async dialOnce(pc: PooledConnection, expected: Expectation | undefined): Promise<void> {
    const ep = pc.endpoint;
    const sock = await this.openSocket(pc);
    const client = new Client();
    let mismatch: HostKeyMismatchError | undefined;
    let seen: HostKey | undefined;
    const cfg: ConnectConfig = {
      sock: sock as ConnectConfig["sock"],
      username: ep.user,
      readyTimeout: ep.perDialTimeout > 0 ? Math.round(ep.perDialTimeout * 1000) : 0,
      // Runs before authentication, so credentials are never offered to an impostor.
      hostVerifier: (blob: Buffer) => {
        seen = hostKeyFromBlob(blob);
        if (expected && !sameHostKey(expected.key, seen)) {
          mismatch = new HostKeyMismatchError(pc.key, expected.source, expected.key, seen);
          return false;
        }
        return true;
      },
    };
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
    client.on("close", () => this.forget(pc));
    if (pc.proxy) pc.proxy.dependents++;
    this.scheduleIdle(pc);
  }

  /** Drops a connection from the pool (it closed, or its dial failed). */
  private forget(pc: PooledConnection): void {
    if (pc.closed) return;
    pc.closed = true;
    if (pc.idleTimer) clearTimeout(pc.idleTimer);
    if (this.pool.get(pc.key) === pc) this.pool.delete(pc.key);
    if (pc.proxy && pc.client) {
      pc.proxy.dependents--;
      this.scheduleIdle(pc.proxy);
    }
    for (const w of pc.waiters.splice(0)) w();
  }

  // ---- channel slots and idleness -----------------------------------------------------

  private async acquire(pc: PooledConnection): Promise<void> {
    this.setBusy(pc, +1);
    if (pc.active < pc.limit) {
      pc.active++;
    } else {
      this.stats.channelWaits++;
      // The releaser hands its slot over, so `active` is unchanged when we wake.
      await new Promise<void>((resolve) => pc.waiters.push(resolve));
    }
    this.stats.maxConcurrentChannels = Math.max(this.stats.maxConcurrentChannels, pc.active);
  }

  private release(pc: PooledConnection): void {
    // Above a lowered cap a slot is retired rather than handed over.
    const next = pc.active <= pc.limit ? pc.waiters.shift() : undefined;
    if (next) next();
    else pc.active--;
    this.setBusy(pc, -1);
  }

  private setBusy(pc: PooledConnection, delta: number): void {
    for (let p: PooledConnection | undefined = pc; p; p = p.proxy) {
      p.busy += delta;
      if (p.busy > 0) {
        if (p.idleTimer) clearTimeout(p.idleTimer);
        p.idleTimer = undefined;
        p.sock?.ref();
      } else {
        this.scheduleIdle(p);
      }
    }
  }

  /** An idle connection neither keeps the process alive nor lingers past `idleMs`. */
  private scheduleIdle(pc: PooledConnection): void {
    if (pc.closed || pc.busy > 0) return;
    pc.sock?.unref();
    if (pc.dependents > 0) return;
    if (pc.idleTimer) clearTimeout(pc.idleTimer);
    pc.idleTimer = setTimeout(() => {
      if (pc.busy !== 0 || pc.dependents !== 0) return;
      // Out of the pool before it ends: its close takes a round trip, and a command arriving
      // meanwhile must dial afresh instead of meeting a connection that says "Not connected".
      this.forget(pc);
      pc.client?.end();
    }, this.idleMs);
    pc.idleTimer.unref();
  }
}

interface Expectation {
  readonly key: HostKey;
  readonly source: "pinned" | "recorded";
}

/** A pinned `hostKey` wins over the key recorded on first use. */
function expectation(ep: Endpoint, known: string | undefined): Expectation | undefined {
  if (ep.hostKey) return { key: parseHostKey(ep.hostKey), source: "pinned" };
  if (known) return { key: parseHostKey(known), source: "recorded" };
  return undefined;
}

function withEnv(command: string, env: ExecOptions["env"]): string {
  if (!env || Object.keys(env).length === 0) return command;
  const words = Object.entries(env).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new Error(`env: ${JSON.stringify(k)} is not a variable name`);
    return `${k}=${quote(v)}`;
  });
  return `export ${words.join(" ")}; ${command}`;
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v !== undefined && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

/**
 * The process-wide pool: every resource served by this plugin process shares it.
 * `DBCLUSTER_SSH_IDLE_MS` and `DBCLUSTER_SSH_MAX_CHANNELS` tune it (the plugin has no other
 * configuration channel than its environment).
 *
 * Idle connections stay 30 s: during a deployment a host often waits several seconds between
 * its steps (another host's election, backup or dminit), and a redial costs a new handshake of
 * several round trips. An idle connection never keeps the process alive (its socket is unref'd).
 */
export const DEFAULT_POOL_IDLE_MS = 30_000;

export const defaultPool = new SshPool({
  idleMs: envNumber("DBCLUSTER_SSH_IDLE_MS") ?? DEFAULT_POOL_IDLE_MS,
  maxChannelsPerConnection: envNumber("DBCLUSTER_SSH_MAX_CHANNELS"),
});

export function exec(target: SshTarget, command: string, opts?: ExecOptions): Promise<ExecResult> {
  return defaultPool.exec(target, command, opts);
}

/** Counters of the process-wide pool, for benchmarks and tests. */
export function sshStats(): Readonly<PoolStats> {
  return { ...defaultPool.stats };
}
