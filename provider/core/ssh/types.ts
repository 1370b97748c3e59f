import type { Readable, Writable } from "node:stream";
import type { Connection, ConnectionArgs } from "../connection";

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
  /** Told each chunk of standard output as it arrives (progress of a long command); `stdout` still collects it all. */
  readonly onStdout?: (chunk: string) => void;
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
  /** Same for the jump host, when there is one. */
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

/**
 * RFC 4253 only obliges servers to accept 35000-byte packets (ssh2's server enforces exactly
 * that), and the exec request carries the whole command line: keep well below it.
 */
export const MAX_COMMAND_BYTES = 32_000;
