/** disql runs: the one invocation (script on stdin), and the waits that poll the MP catalog with it. */
import { bash, quote, sh } from "../../core/quote/sh";
import { DEFAULTS } from "../defaults";
import { tool } from "./layout";
import { POLL_SECONDS } from "./process";

/** disql with the whole script (login line first) on stdin; nothing secret on the command line. */
export function disqlCommand(l: { dmHome?: string }): string {
  return sh`${tool(l, "disql")} -S -L /nolog`;
}

/**
 * Polls the MP catalog until every one of `members` runs as a valid STANDBY (SYS_STATUS 4): a
 * learner that follows its leader. stdin as for `waitLeaderCommand`.
 */
export function waitFollowingCommand(l: { dmHome?: string }, members: readonly string[], timeoutMs: number = DEFAULTS.electionTimeoutMs): string {
  const secs = Math.ceil(timeoutMs / 1000);
  const pattern = `^(${members.map((m) => m.toUpperCase()).join("|")})\\|STANDBY\\|4$`;
  return bash(
    eachScriptUntil(secs, (script) => `n=$(${script} | ` + sh`${tool(l, "disql")} -S -L /nolog 2>/dev/null | tr -d ' \r' | tr 'a-z' 'A-Z' | grep -Ec ${pattern}); if [ "$n" -ge ${members.length} ]; then echo "following"; exit 0; fi`) +
      sh`echo "not all of "${members.join(",")}" follow the leader within "${secs}"s" >&2; exit 1`,
  );
}

/**
 * Tries each of stdin's disql scripts (SCRIPT_SPLIT-separated) every POLL_SECONDS until the check
 * exits the script or `secs` have passed; `check(script)` is shell text that pipes `script` (the
 * producer of one script's text) into disql. The scripts log in with the password, so they stay
 * in the shell's memory: never in a file that a killed step would leave behind.
 */
function eachScriptUntil(secs: number, check: (script: string) => string): string {
  return (
    `all=$(cat); count=$(printf '%s\\n' "$all" | grep -cxF -- ${quote(SCRIPT_SPLIT)}); end=$((SECONDS + ${secs})); ` +
    `while :; do i=0; while [ "$i" -le "$count" ]; do ${check(scriptOf('"$i"'))}; i=$((i + 1)); done; ` +
    `if [ "$SECONDS" -ge "$end" ]; then break; fi; sleep ${POLL_SECONDS}; done; `
  );
}

/** Separates the scripts of a stdin that carries several (`disqlScripts`). */
export const SCRIPT_SPLIT = "--dbcluster-next-script--";

/** Several disql scripts on one stdin, each taken out by `scriptOf`. */
export function disqlScripts(scripts: readonly string[]): string {
  return scripts.join(`${SCRIPT_SPLIT}\n`);
}

/**
 * Shell text printing script number `want` (shell text: `'0'`, `"$i"`) of the stdin read into
 * `$all`. printf is the shell's own, so the scripts (login lines) reach no argv; awk reads them
 * from a pipe.
 */
export function scriptOf(want: string): string {
  return `printf '%s\\n' "$all" | awk -v want=${want} -v split_line=${quote(SCRIPT_SPLIT)} '$0 == split_line { k++; next } k == want'`;
}

/**
 * Polls the MP catalog until one of `members` is recorded as an OPEN PRIMARY (SYS_STATUS 4; the
 * MP updates SYS_MODE once the group elected its leader, and keeps it on a leader that died).
 * stdin holds one disql script per MP to try, separated by SCRIPT_SPLIT lines; they are kept in
 * the shell's memory, never in a file or on the command line.
 */
export function waitLeaderCommand(l: { dmHome?: string }, members: readonly string[], timeoutMs: number = DEFAULTS.electionTimeoutMs): string {
  const secs = Math.ceil(timeoutMs / 1000);
  const pattern = `^(${members.map((m) => m.toUpperCase()).join("|")})\\|PRIMARY\\|4$`;
  return bash(
    eachScriptUntil(secs, (script) => `if ${script} | ` + sh`${tool(l, "disql")} -S -L /nolog 2>/dev/null | tr -d ' \r' | tr 'a-z' 'A-Z' | grep -Eq ${pattern}; then echo "leader elected"; exit 0; fi`) +
      sh`echo "no leader among "${members.join(",")}" within "${secs}"s" >&2; exit 1`,
  );
}

/** The status `disqlEachCommand` frames for a run its bound stopped (coreutils `timeout`'s). */
export const RUN_TIMED_OUT = 124;

/**
 * Several disql runs on one host in one round trip (one SSH exec): run i is disql (runs[i]'s
 * dmHome) fed the i-th script of stdin (`disqlScripts`), each bounded to `runSeconds` by
 * coreutils `timeout` (TERM, then KILL 5 s on; status RUN_TIMED_OUT), so a server that accepts
 * but never answers costs its own run, never the others'. Each run is framed in stdout by lines
 * holding `marker` (fresh and random per call, so no output can forge a frame): its stdout, its
 * exit status, its stderr; so one run failing is told apart from the others (`parseDisqlEach`).
 * The scripts stay in the shell's memory: never argv, never a file. POSIX sh.
 */
export function disqlEachCommand(runs: readonly { dmHome?: string }[], marker: string, runSeconds: number): string {
  const frame = (l: { dmHome?: string }, i: number) =>
    sh`printf '
%s begin %s
' "$m" ${i}; ` +
    // disql's stdout to the frame (fd 3), its stderr captured; $? is timeout's (the pipeline's last).
    `{ err=$(${scriptOf(quote(i))} | ${sh`timeout -k 5 ${runSeconds}`} ${disqlCommand(l)} 2>&1 1>&3 3>&-); code=$?; } 3>&1; ` +
    sh`printf '
%s end %s %s
' "$m" ${i} "$code"; printf '%s
' "$err"; printf '%s done %s
' "$m" ${i}`;
  // The runs go at once, as the stages of one pipeline: each takes its whole frame into a variable
  // while it runs, then passes on the earlier stages' frames (cat) and adds its own. So a host's
  // reads take one bound at most, not one per member, and the frames come out whole and in order;
  // background jobs (`&`, `wait`) sharing one stdout would interleave writes past PIPE_BUF.
  const stage = (l: { dmHome?: string }, i: number) => `{ f=$(${frame(l, i)}); cat; printf '%s\n' "$f"; }${i === 0 ? " </dev/null" : ""}`;
  return sh`m=${marker}; all=$(cat); ` + runs.map(stage).join(" | ");
}

/** One disql run of `disqlEachCommand`. `code` null: the output stops inside the run (cut short). */
export interface DisqlRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `disqlEachCommand`'s output: one entry per run, in order; null for a run whose frame never began. */
export function parseDisqlEach(stdout: string, count: number, marker: string): (DisqlRun | null)[] {
  return Array.from({ length: count }, (_, i) => {
    const begin = `\n${marker} begin ${i}\n`;
    const start = stdout.indexOf(begin);
    if (start < 0) return null;
    const body = start + begin.length;
    const end = stdout.indexOf(`\n${marker} end ${i} `, body);
    const endNl = end < 0 ? -1 : stdout.indexOf("\n", end + 1);
    // Cut short inside this run: what it printed so far, no status.
    if (endNl < 0) return { code: null, stdout: stdout.slice(body), stderr: "" };
    const status = stdout.slice(end + `\n${marker} end ${i} `.length, endNl);
    const done = stdout.indexOf(`${marker} done ${i}\n`, endNl + 1);
    const stderr = stdout.slice(endNl + 1, done < 0 ? undefined : done).replace(/\n$/, "");
    return { code: /^\d+$/.test(status) ? Number(status) : null, stdout: stdout.slice(body, end), stderr };
  });
}
