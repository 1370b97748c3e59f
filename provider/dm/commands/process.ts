/** The dmserver process: finding it, starting it detached, stopping it, waiting until it is gone. */
import { bash, sh } from "../../core/quote/sh";
import { DEFAULTS } from "../defaults";
import type { Role } from "../schema";
import { files, tool, type InstanceLayout } from "./layout";

/**
 * How often a waiting command looks again (port open, process gone, leader elected, learners
 * following). Each look is one local process (a disql login to the MP for the catalog waits), so
 * a fifth of a second costs little and keeps a wait at most that much longer than what it waits for.
 */
export const POLL_SECONDS = "0.2";

/**
 * dmserver's pids for one dm.ini, however it was started: the dm.ini as a positional argument or
 * as `path=<ini>` (DM8's two forms; a DmService unit runs `dmserver path=<ini> -noconsole`),
 * absolute or relative to the process's working directory, through symlinks. Only processes with
 * an argv element named dmserver are looked at, so that a shell whose script merely mentions the
 * path is not taken for the server.
 */
export function pidsOf(dmIni: string): string {
  return (
    sh`want=$(readlink -f -- ${dmIni} 2>/dev/null); [ -n "$want" ] || want=${dmIni}; ` +
    `for f in $(grep -lzE '(^|/)dmserver$' /proc/[0-9]*/cmdline 2>/dev/null); do ` +
    `d=\${f%/cmdline}; cwd=$(readlink "$d/cwd" 2>/dev/null); ` +
    `if tr '\\0' '\\n' < "$f" 2>/dev/null | { while IFS= read -r a; do ` +
    `case "$a" in [Pp][Aa][Tt][Hh]=*) a=\${a#*=};; esac; ` +
    `case "$a" in /*) ;; *) [ -n "$cwd" ] || continue; a="$cwd/$a";; esac; ` +
    `[ "$(readlink -f -- "$a" 2>/dev/null)" = "$want" ] && exit 0; ` +
    `done; exit 1; }; then echo "\${d#/proc/}"; fi; done`
  );
}

export interface StartParams extends InstanceLayout {
  readonly mode: Role;
  /** The address and PORT_NUM to wait on. */
  readonly ip: string;
  readonly portNum: number;
  /** `MOUNT` start of a multi-replica member (seed 7.2.8, 7.3.7). */
  readonly mount?: boolean;
  readonly timeoutMs?: number;
}

/**
 * The dpc_mode dmserver gets. A BP of a multi-replica group (the only BP started with MOUNT) runs
 * in BS mode: DM takes a BP group's replica procedures (SP_ADD_RAFT_LEARNER, SP_ALTER_RAFT_NODE)
 * only on its leader "以 BS 模式" (MGT §8.2.2), and any member may be the leader when a replica is
 * to be added or removed. A single-replica BP (no vertical changes in DM) stays in BP mode.
 */
export function serverDpcMode(p: { readonly mode: Role; readonly mount?: boolean }): Role | "BS" {
  return p.mode === "BP" && p.mount ? "BS" : p.mode;
}

/** The dmserver command line itself (what the plan shows): `dmserver <ini> dpc_mode=<mode> [MOUNT]`. */
export function dmserverInvocation(p: StartParams): string {
  const args = [files.dmIni(p), `dpc_mode=${serverDpcMode(p)}`, ...(p.mount ? ["MOUNT"] : [])];
  return sh`${tool(p, "dmserver")} ${args}`;
}

/**
 * Starts dmserver in the background, detached from the SSH session (setsid, nohup, stdio to a
 * log), then waits until its port answers or the process dies; on failure prints the log's
 * tail. Already running for this dm.ini: nothing to do.
 */
export function startCommand(p: StartParams): string {
  const ini = files.dmIni(p);
  const log = files.serverLog(p);
  const secs = Math.ceil((p.timeoutMs ?? DEFAULTS.startTimeoutMs) / 1000);
  return bash(
    `running=$(${pidsOf(ini)}); if [ -n "$running" ]; then echo "dmserver already running: pid $running"; exit 0; fi; ` +
    sh`cd ${files.dbDir(p)} || exit 1; setsid nohup ${sh.raw(dmserverInvocation(p))} >> ${log} 2>&1 < /dev/null & pid=$!; ` +
    `end=$((SECONDS + ${secs})); ` +
    sh`while :; do ` +
    sh`if ! kill -0 "$pid" 2>/dev/null; then echo "dmserver exited during start; last lines of "${log}: >&2; tail -n 30 ${log} >&2; exit 1; fi; ` +
    sh`if (exec 3<>/dev/tcp/${p.ip}/${p.portNum}) 2>/dev/null; then echo "dmserver started: pid $pid"; exit 0; fi; ` +
    sh`if [ "$SECONDS" -ge "$end" ]; then echo "dmserver did not open port "${p.portNum}" within "${secs}"s; last lines of "${log}: >&2; tail -n 30 ${log} >&2; exit 1; fi; ` +
    `sleep ${POLL_SECONDS}; done`
  );
}

export interface StopParams extends InstanceLayout {
  /** `exit all` (SIGUSR1): the whole RAFT group exits, led by the leader. */
  readonly all?: boolean;
  readonly timeoutMs?: number;
}

/** SIGTERM (`exit`) or SIGUSR1 (`exit all`) to this dm.ini's dmserver, then wait until gone. */
export function stopCommand(p: StopParams): string {
  const ini = files.dmIni(p);
  const secs = Math.ceil((p.timeoutMs ?? DEFAULTS.stopTimeoutMs) / 1000);
  return bash(
    `pids=$(${pidsOf(ini)}); if [ -z "$pids" ]; then echo "dmserver not running"; exit 0; fi; ` +
    `kill -${p.all ? "USR1" : "TERM"} $pids; ` +
    `end=$((SECONDS + ${secs})); ` +
    `while :; do alive=; for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done; ` +
    `if [ -z "$alive" ]; then echo "dmserver stopped"; exit 0; fi; ` +
    sh`if [ "$SECONDS" -ge "$end" ]; then echo "dmserver still running after "${secs}"s: pid$alive" >&2; exit 1; fi; ` +
    `sleep ${POLL_SECONDS}; done`
  );
}

/** Waits until this dm.ini's dmserver is gone (a follower leaving after `exit all` on a peer). */
export function waitStoppedCommand(p: InstanceLayout & { timeoutMs?: number }): string {
  const ini = files.dmIni(p);
  const secs = Math.ceil((p.timeoutMs ?? DEFAULTS.stopTimeoutMs) / 1000);
  return bash(
    `end=$((SECONDS + ${secs})); ` +
    `while :; do pids=$(${pidsOf(ini)}); if [ -z "$pids" ]; then echo "dmserver stopped"; exit 0; fi; ` +
    sh`if [ "$SECONDS" -ge "$end" ]; then echo "dmserver still running after "${secs}"s: pid $pids" >&2; exit 1; fi; ` +
    `sleep ${POLL_SECONDS}; done`
  );
}
