/**
 * The job a policy installs on its job host: a bash script run by cron (`run.sh full|incremental|
 * cleanup`), which talks to OceanBase with obclient and a 0600 defaults file beside it, and
 * appends one JSON line per run to `runs.log` (start, end, requested and actual mode, result,
 * set id, message). It never starts a backup while one runs, turns a scheduled incremental with
 * no full to build on into a full (and says so), and compacts before a full when the cluster has
 * not been compacted since archiving started.
 */
import { createHash } from "node:crypto";
import { quote } from "../core/quote/sh";
import { SQL3 } from "./sql";

export interface ScriptParams {
  readonly policy: string;
  readonly version: string;
  readonly recoveryWindowDays: number;
  /** Seconds the script waits for a compaction before it gives up on the full. */
  readonly compactionWaitSeconds: number;
}

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export function jobScript(p: ScriptParams): string {
  const q = (name: string, sql: string) => `${name}=${quote(sql)}`;
  return `#!/bin/bash
# pulumi-dbcluster: OceanBase backup policy ${p.policy} (OceanBase ${p.version}, cluster level).
# Generated: the policy records this file's checksum and rewrites it when it differs.
set -u
d=$(cd "$(dirname "$0")" && pwd)
cnf="$d/client.cnf"; log="$d/runs.log"
requested="\${1:?usage: run.sh full|incremental|cleanup}"
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
${q("RUNNING", SQL3.runningCount)}
${q("FULLS", SQL3.fullCount)}
${q("ARCH", SQL3.archiveStatus)}
${q("MERGE", SQL3.mergeStatus)}
${q("MERGED_AT", SQL3.lastMergedTime)}
${q("ARCH_START", SQL3.archiveStart)}
${q("NEWEST", SQL3.newestSet)}
${q("FREEZE", SQL3.majorFreeze)}
${q("CLEANUP", SQL3.deleteObsolete)}
${q("BACKUP_FULL", SQL3.backup("full"))}
${q("BACKUP_INC", SQL3.backup("incremental"))}
q() { obclient --defaults-extra-file="$cnf" -N -s -e "$1" 2>&1; }
esc() { printf '%s' "$1" | tr '\\n\\t' '  ' | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g'; }
record() { # result message set-id mode
  printf '{"start":"%s","end":"%s","requested":"%s","mode":"%s","result":"%s","setId":%s,"message":"%s"}\\n' \\
    "$start" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$requested" "$4" "$1" "\${3:-null}" "$(esc "$2")" >> "$log"
}
exec 9>>"$d/run.lock"
if ! flock -n 9; then record skipped "another run of this policy is still going" "" "$requested"; exit 0; fi

if [ "$requested" = cleanup ]; then
  if out=$(q "$CLEANUP"); then record ok "obsolete backups deleted (recovery window ${p.recoveryWindowDays}d)" "" cleanup; exit 0; fi
  record failed "$out" "" cleanup; exit 1
fi
mode="$requested"; note=""
running=$(q "$RUNNING") || { record failed "$running" "" "$mode"; exit 1; }
if [ "$running" != 0 ]; then record skipped "a data backup is already running (never two at once)" "" "$mode"; exit 0; fi
arch=$(q "$ARCH") || { record failed "$arch" "" "$mode"; exit 1; }
if [ "$arch" != DOING ]; then record failed "log archiving is \${arch:-not set up}, not DOING: a data backup needs it (pulumi up repairs the policy)" "" "$mode"; exit 1; fi
if [ "$mode" = incremental ]; then
  fulls=$(q "$FULLS") || { record failed "$fulls" "" "$mode"; exit 1; }
  if [ "$fulls" = 0 ]; then mode=full; note="no full backup exists, so the scheduled incremental ran as a full. "; fi
fi
if [ "$mode" = full ]; then
  merged=$(q "$MERGED_AT") && started=$(q "$ARCH_START") || { record failed "$merged $started" "" "$mode"; exit 1; }
  started_us=$(( $(date -u -d "$started" +%s) * 1000000 ))
  if [ "\${merged:-0}" -lt "$started_us" ]; then
    out=$(q "$FREEZE") || { record failed "major freeze: $out" "" "$mode"; exit 1; }
    i=0; until [ "$(q "$MERGE")" = IDLE ]; do
      i=$((i + 1)); if [ $i -gt ${p.compactionWaitSeconds} ]; then record failed "\${note}compaction did not finish within ${p.compactionWaitSeconds}s" "" "$mode"; exit 1; fi; sleep 1
    done
    note="\${note}compacted first (no major compaction since archiving started). "
  fi
fi
if [ "$mode" = full ]; then stmt="$BACKUP_FULL"; else stmt="$BACKUP_INC"; fi
if out=$(q "$stmt"); then
  set=$(q "$NEWEST"); record started "\${note}backup started" "\${set:-null}" "$mode"; exit 0
fi
record failed "\${note}$out" "" "$mode"; exit 1
`;
}

/** The defaults file the script's obclient reads: the only place the password rests on the host. */
export function clientCnf(o: { host: string; port: number; password: string }): string {
  return `[client]\nhost=${o.host}\nport=${o.port}\nuser=root@sys\n${passwordLine(o.password)}\n`;
}

/** MariaDB option files unescape `\\` and `\"` inside a double-quoted value. */
export function passwordLine(password: string): string {
  return `password="${password.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
