/**
 * The SSH transport, by job: `ssh/pool.ts` (the pool: one connection per identity, exec and
 * spawn), `ssh/dialer.ts` (dial, retries, authentication, jump host), `ssh/host-check.ts`
 * (pinned or recorded host key), `ssh/slots.ts` (channels per connection), `ssh/idle.ts` (idle
 * close). This module is the process-wide pool and what the rest of the provider imports.
 */
import { SshPool } from "./ssh/pool";
import type { ExecOptions, ExecResult, PoolStats, SshTarget } from "./ssh/types";

export { SshPool } from "./ssh/pool";
export * from "./ssh/types";

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v !== undefined && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

/**
 * Idle connections of the process-wide pool stay 30 s: during a deployment a host often waits
 * several seconds between its steps (another host's election, backup or dminit), and a redial
 * costs a new handshake of several round trips. An idle connection never keeps the process
 * alive (its socket is unref'd).
 */
export const DEFAULT_POOL_IDLE_MS = 30_000;

/**
 * The process-wide pool: every resource served by this plugin process shares it.
 * `DBCLUSTER_SSH_IDLE_MS` and `DBCLUSTER_SSH_MAX_CHANNELS` tune it (the plugin has no other
 * configuration channel than its environment).
 */
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
