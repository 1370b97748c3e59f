import type { Duplex } from "node:stream";
import { ClientChannel } from "ssh2";
import { Connection, ConnectionArgs, connectionKey, endpointKey, parseConnection } from "../connection";
import { formatHostKey } from "../hostkey";
import { quote } from "../quote/sh";
import { delay, dial, type DialContext, type Endpoint } from "./dialer";
import { checkShared, expectation } from "./host-check";
import { Idleness } from "./idle";
import { PooledConnection } from "./pooled";
import { MAX_COMMAND_BYTES, type ExecOptions, type ExecResult, type PoolOptions, type PoolStats, type RemoteProcess, type SshTarget } from "./types";

/**
 * The SSH transport: one pooled connection per identity (`connectionKey`: user, host, port,
 * route, credential, pinned key) for the whole process, because the dynamic-provider plugin runs
 * every resource of a run in one process and a DMDPC cluster has many resources per host.
 * Channels per connection are capped and queued beyond the cap (slots.ts); unused connections
 * close (idle.ts); dialing and the host-key check are dialer.ts and host-check.ts.
 */

const DEFAULT_TIMEOUT_MS = 600_000;
const CHANNEL_OPEN_RETRIES = 8;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class ChannelOpenTimeout extends Error {}

interface ExitStatus {
  code: number | null;
  signal: string | null;
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
  private readonly idle: Idleness;
  private readonly dialing: DialContext;

  constructor(opts: PoolOptions = {}) {
    this.maxChannels = Math.max(1, opts.maxChannelsPerConnection ?? 10);
    this.idle = new Idleness(opts.idleMs ?? 3000, (pc) => {
      // Out of the pool before it ends: its close takes a round trip, and a command arriving
      // meanwhile must dial afresh instead of meeting a connection that says "Not connected".
      this.forget(pc);
      pc.client?.end();
    });
    this.dialing = {
      stats: this.stats,
      retryDelayMs: opts.retryDelayMs ?? 250,
      established: (pc) => {
        pc.client!.on("close", () => this.forget(pc));
        if (pc.proxy) pc.proxy.dependents++;
        this.idle.schedule(pc);
      },
    };
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
    proc.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      opts.onStdout?.(d);
    });
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
        `${endpointKey(conn)}: command line of ${Buffer.byteLength(full)} bytes exceeds ${MAX_COMMAND_BYTES} ` +
          `(SSH servers may refuse longer exec requests); send large data or scripts on stdin (e.g. \`bash -s\`)`,
      );
    }
    let pc = await this.connect(conn, target);
    const started = Date.now();
    let opened: { channel: ClientChannel; status: ExitStatus };
    try {
      opened = await this.openChannel(pc, full);
    } catch (err) {
      if (!(err instanceof ChannelOpenTimeout)) throw err;
      // The pooled connection is dead: drop it and try once on a fresh one.
      pc.client?.destroy();
      this.forget(pc);
      pc = await this.connect(conn, target);
      try {
        opened = await this.openChannel(pc, full);
      } catch (again) {
        if (again instanceof ChannelOpenTimeout) pc.client?.destroy();
        throw new Error(channelFailure(pc.label, again));
      }
    }
    const { channel, status } = opened;
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
    const owner = pc;
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
        this.release(owner);
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

  /** Opens an exec channel, holding a slot; a refused channel lowers the cap and waits for a slot. */
  private async openChannel(pc: PooledConnection, command: string): Promise<{ channel: ClientChannel; status: ExitStatus }> {
    for (let attempt = 1; ; attempt++) {
      await this.acquire(pc);
      try {
        return await new Promise((resolve, reject) => {
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
            ch.on("exit", (c: number | null, sig?: string) => {
              if (typeof c === "number") status.code = c;
              // RFC 4254 names signals without "SIG"; ssh2 adds it. Keep the RFC form.
              else status.signal = sig ? sig.replace(/^SIG/, "") : null;
            });
            resolve({ channel: ch, status });
          });
        });
      } catch (err) {
        if (err instanceof ChannelOpenTimeout) {
          this.release(pc);
          throw err;
        }
        const refused = /Channel open failure/i.test((err as Error).message);
        if (refused) pc.slots.lower();
        this.release(pc);
        if (!refused || pc.closed || attempt >= CHANNEL_OPEN_RETRIES) {
          throw new Error(channelFailure(pc.label, err));
        }
        this.stats.channelRetries++;
        await delay(25 * attempt);
      }
    }
  }

  private async acquire(pc: PooledConnection): Promise<void> {
    this.idle.busy(pc, +1);
    if (await pc.slots.acquire()) this.stats.channelWaits++;
    this.stats.maxConcurrentChannels = Math.max(this.stats.maxConcurrentChannels, pc.slots.active);
  }

  private release(pc: PooledConnection): void {
    pc.slots.release();
    this.idle.busy(pc, -1);
  }

  /**
   * A `direct-tcpip` channel from the host to `toHost:toPort` (say, a database's SQL port seen
   * from that host), on the pooled connection: no second handshake, and nothing needs that port
   * open to this machine. The channel holds a slot until it closes.
   */
  async forward(target: SshTarget, toHost: string, toPort: number): Promise<{ stream: Duplex; hostKey: string; proxyHostKey?: string }> {
    const conn = parseConnection(target.conn as ConnectionArgs);
    const pc = await this.connect(conn, target);
    await this.acquire(pc);
    try {
      const stream = await new Promise<ClientChannel>((resolve, reject) => {
        if (!pc.client || pc.closed) return reject(new Error("connection closed"));
        pc.client.forwardOut("127.0.0.1", 0, toHost, toPort, (err, ch) => (err ? reject(err) : resolve(ch)));
      });
      let released = false;
      stream.once("close", () => {
        if (released) return;
        released = true;
        this.release(pc);
      });
      return { stream, hostKey: formatHostKey(pc.seenKey!), proxyHostKey: pc.proxy?.seenKey ? formatHostKey(pc.proxy.seenKey) : undefined };
    } catch (err) {
      this.release(pc);
      throw new Error(`${pc.label}: cannot forward to ${toHost}:${toPort}: ${(err as Error).message} (does the SSH server allow TCP forwarding, and does the host reach that port?)`);
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
    const proxy = conn.proxy ? await this.connectEndpoint(conn.proxy, connectionKey(conn.proxy), endpointKey(conn.proxy), target.knownProxyHostKey) : undefined;
    return this.connectEndpoint(conn, connectionKey(conn), endpointKey(conn), target.knownHostKey, proxy);
  }

  private async connectEndpoint(ep: Endpoint, key: string, label: string, knownHostKey: string | undefined, proxy?: PooledConnection): Promise<PooledConnection> {
    const expected = expectation(ep.hostKey, knownHostKey);
    let pc = this.pool.get(key);
    if (!pc || pc.closed) {
      const dialed = new PooledConnection(key, label, ep, this.maxChannels);
      dialed.proxy = proxy;
      this.pool.set(key, dialed);
      dialed.ready = this.dial(dialed, expected).catch((err) => {
        this.forget(dialed);
        throw err;
      });
      pc = dialed;
    }
    await pc.ready;
    checkShared(label, expected, pc.seenKey);
    return pc;
  }

  private async dial(pc: PooledConnection, expected: ReturnType<typeof expectation>): Promise<void> {
    // The jump host is idle (unref'd) until a tunnelled channel exists; the dial through it
    // is awaited, so it counts as use.
    if (pc.proxy) this.idle.busy(pc.proxy, +1);
    try {
      await dial(pc, expected, this.dialing);
    } finally {
      if (pc.proxy) this.idle.busy(pc.proxy, -1);
    }
  }

  /** Drops a connection from the pool (it closed, or its dial failed). */
  private forget(pc: PooledConnection): void {
    if (pc.closed) return;
    pc.closed = true;
    if (pc.idleTimer) clearTimeout(pc.idleTimer);
    if (this.pool.get(pc.key) === pc) this.pool.delete(pc.key);
    if (pc.proxy && pc.client) {
      pc.proxy.dependents--;
      this.idle.schedule(pc.proxy);
    }
    pc.slots.wakeAll();
  }
}

function withEnv(command: string, env: ExecOptions["env"]): string {
  if (!env || Object.keys(env).length === 0) return command;
  const words = Object.entries(env).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new Error(`env: ${JSON.stringify(k)} is not a variable name`);
    return `${k}=${quote(v)}`;
  });
  return `export ${words.join(" ")}; ${command}`;
}

/**
 * A connection that stops granting sessions is most often a host going down under us (or an sshd
 * at its MaxSessions): the error says where and what to do next, as a failed dial does.
 */
function channelFailure(label: string, err: unknown): string {
  const reason = err instanceof Error ? err.message : String(err);
  return `${label}: cannot open a channel: ${reason}; next: check that the host is up and its sshd accepts sessions (MaxSessions), then run \`pulumi up\` again`;
}
