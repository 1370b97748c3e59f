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
  const script = `printf '%s\\n' "$all" | awk -v want="$i" -v split_line=${quote(SCRIPT_SPLIT)} '$0 == split_line { k++; next } k == want'`;
  return (
    `all=$(cat); count=$(printf '%s\\n' "$all" | grep -cxF -- ${quote(SCRIPT_SPLIT)}); end=$((SECONDS + ${secs})); ` +
    `while :; do i=0; while [ "$i" -le "$count" ]; do ${check(script)}; i=$((i + 1)); done; ` +
    `if [ "$SECONDS" -ge "$end" ]; then break; fi; sleep ${POLL_SECONDS}; done; `
  );
}

/** Separates the per-MP scripts of `waitLeaderCommand`'s stdin. */
export const SCRIPT_SPLIT = "--dbcluster-next-script--";

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
