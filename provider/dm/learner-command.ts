/**
 * SP_ADD_RAFT_LEARNER for a learner of a join cut short that was down when read: it may have been
 * voted in before it stopped (V$GLOBAL_RAFT_INFO lists only members that run, so the read could
 * not tell). It was started a phase earlier; this waits (bounded) until the leader's
 * V$GLOBAL_RAFT_INFO shows it as a voting member (IS_LEARNER 'FALSE' while OPEN: it follows), and
 * adds it only if it does not. DM's refusal code for "already a voting member" is a guess
 * (`ALREADY_VOTING_CODE`): it is only a fallback, for a member that became a voter between the
 * last look and the add.
 */
import { bash, sh } from "../core/quote/sh";
import { PROGRESS_MARK } from "../core/operation";
import { disqlCommand, scriptOf } from "./commands";
import { ALREADY_VOTING_CODE } from "./sql";

/**
 * stdin: the view's query script, SCRIPT_SPLIT, the add script (both log in: kept in the shell's
 * memory only). The query prints `IS_LEARNER|SYS_STATUS` rows of the member (`learnerStateQuery`).
 * Progress lines say which way it went.
 */
export function addLearnerUnlessVotingCommand(l: { dmHome?: string }, member: string, waitMs: number): string {
  const secs = Math.ceil(waitMs / 1000);
  const say = (text: string) => sh`printf '%s%s\n' ${PROGRESS_MARK} ${text}`;
  return bash(
    `all=$(cat); end=$((SECONDS + ${secs})); ` +
      `while :; do st=$(${scriptOf("0")} | ${disqlCommand(l)} 2>/dev/null | tr -d ' \\r' | tr 'a-z' 'A-Z' | grep -E '^(TRUE|FALSE)[|]' | head -n 1); ` +
      `if [ "$st" = "FALSE|OPEN" ]; then ${say(`${member} votes (V$GLOBAL_RAFT_INFO on the leader: IS_LEARNER FALSE, OPEN): nothing to add`)}; exit 0; fi; ` +
      // Listed as a learner: it was added before; the leader takes it again.
      `case "$st" in TRUE*) break;; esac; ` +
      `if [ "$SECONDS" -ge "$end" ]; then break; fi; sleep 1; done; ` +
      sh`printf '%s%s' ${PROGRESS_MARK} ${`${member} is not shown voting (V$GLOBAL_RAFT_INFO on the leader: `}; ` +
      `printf '%s): adding it\\n' "\${st:-not listed}"; ` +
      `out=$(${scriptOf("1")} | ${disqlCommand(l)}); rc=$?; printf '%s\\n' "$out"; if [ "$rc" -eq 0 ]; then exit 0; fi; ` +
      sh`if printf '%s\n' "$out" | grep -qF -- ${`[${ALREADY_VOTING_CODE}]`}; then ` +
      say(`${member}: DM answered ${ALREADY_VOTING_CODE} (taken as "already a voting member"; the code is a guess): nothing to add`) +
      `; exit 0; fi; exit "$rc"`,
  );
}
