/**
 * The job a policy installs on its job host: a bash script run by cron (`run.sh full|incremental|
 * cleanup`), which talks to OceanBase with obclient and a 0600 defaults file beside it, and
 * appends one JSON line per run and target (the cluster on 3.x, each tenant on 4.x) to
 * `runs.log`: start, end, requested and actual mode, result, set id, message. It never starts a
 * backup while one runs, turns a scheduled incremental with no full to build on into a full (and
 * says so), and compacts before a full when nothing was compacted since archiving started.
 */
import { createHash } from "node:crypto";
import { quote } from "../core/quote/sh";

/** The SQL the script sends for one backup target (all answers are one value). */
export interface TargetSql {
  readonly running: string;
  readonly fulls: string;
  readonly archiveStatus: string;
  /** When the last major compaction finished: µs since the epoch or a datetime. */
  readonly lastMergedUs: string;
  /** When archiving (this round) started, a datetime `date -d` reads. */
  readonly archiveStart: string;
  readonly freeze: string;
  readonly mergeIdle: string;
  readonly newestSet: string;
  readonly backupFull: string;
  readonly backupInc: string;
}

export interface ScriptParams {
  readonly policy: string;
  readonly version: string;
  /** `null` for the cluster (3.x), else the tenant's name (4.x). */
  readonly targets: readonly { tenant: string | null; sql: TargetSql }[];
  /** 3.x: the statement that deletes obsolete backups; 4.x has the server's delete policy. */
  readonly cleanup?: { sql: string; windowDays: number };
  /** Seconds the script waits for a compaction before it gives up on the full. */
  readonly compactionWaitSeconds: number;
}

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

const KEYS: (keyof TargetSql)[] = ["running", "fulls", "archiveStatus", "lastMergedUs", "archiveStart", "freeze", "mergeIdle", "newestSet", "backupFull", "backupInc"];

export function jobScript(p: ScriptParams): string {
  const defs = p.targets.flatMap((t, i) => KEYS.map((k) => `${k}_${i}=${quote(t.sql[k])}`));
  const calls = p.targets.map((t, i) => `backup_target ${i} ${t.tenant === null ? "null" : quote(JSON.stringify(t.tenant))} || rc=1`);
  const cleanup = p.cleanup
    ? `  if out=$(q ${quote(p.cleanup.sql)}); then record null ok "obsolete backups deleted (recovery window ${p.cleanup.windowDays}d)" "" cleanup; exit 0; fi
  record null failed "$out" "" cleanup; exit 1`
    : `  record null skipped "OceanBase ${p.version} cleans expired backups itself (delete policy)" "" cleanup; exit 0`;
  return `#!/bin/bash
# pulumi-dbcluster: OceanBase backup policy ${p.policy} (OceanBase ${p.version}).
# Generated: the policy records this file's checksum and rewrites it when it differs.
set -u
d=$(cd "$(dirname "$0")" && pwd)
cnf="$d/client.cnf"; log="$d/runs.log"
requested="\${1:?usage: run.sh full|incremental|cleanup}"
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
${defs.join("\n")}
q() { obclient --defaults-extra-file="$cnf" -N -s -e "$1" 2>&1; }
esc() { printf '%s' "$1" | tr '\\n\\t' '  ' | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g'; }
record() { # tenant-json result message set-id mode
  printf '{"start":"%s","end":"%s","tenant":%s,"requested":"%s","mode":"%s","result":"%s","setId":%s,"message":"%s"}\\n' \\
    "$start" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$requested" "$5" "$2" "\${4:-null}" "$(esc "$3")" >> "$log"
}
v() { local n="$1_$2"; printf '%s' "\${!n}"; }
to_us() { case "$1" in ''|*[!0-9]*) echo $(( $(date -u -d "$1" +%s) * 1000000 ));; *) echo "$1";; esac; }
exec 9>>"$d/run.lock"
if ! flock -n 9; then record null skipped "another run of this policy is still going" "" "$requested"; exit 0; fi
if [ "$requested" = cleanup ]; then
${cleanup}
fi
backup_target() { # index tenant-json
  local i="$1" who="$2" mode="$requested" note="" out running arch fulls merged started started_us n set stmt
  running=$(q "$(v running "$i")") || { record "$who" failed "$running" "" "$mode"; return 1; }
  if [ "$running" != 0 ]; then record "$who" skipped "a data backup is already running (never two at once)" "" "$mode"; return 0; fi
  arch=$(q "$(v archiveStatus "$i")") || { record "$who" failed "$arch" "" "$mode"; return 1; }
  if [ "$arch" != DOING ]; then record "$who" failed "log archiving is \${arch:-not set up}, not DOING: a data backup needs it (pulumi up repairs the policy)" "" "$mode"; return 1; fi
  if [ "$mode" = incremental ]; then
    fulls=$(q "$(v fulls "$i")") || { record "$who" failed "$fulls" "" "$mode"; return 1; }
    if [ "$fulls" = 0 ]; then mode=full; note="no full backup exists, so the scheduled incremental ran as a full. "; fi
  fi
  if [ "$mode" = full ]; then
    merged=$(q "$(v lastMergedUs "$i")") && started=$(q "$(v archiveStart "$i")") || { record "$who" failed "$merged $started" "" "$mode"; return 1; }
    started_us=$(to_us "$started"); merged=$(to_us "\${merged:-0}")
    if [ "$merged" -lt "$started_us" ]; then
      out=$(q "$(v freeze "$i")") || { record "$who" failed "major freeze: $out" "" "$mode"; return 1; }
      n=0; until [ "$(q "$(v mergeIdle "$i")")" = IDLE ]; do
        n=$((n + 1)); if [ $n -gt ${p.compactionWaitSeconds} ]; then record "$who" failed "\${note}compaction did not finish within ${p.compactionWaitSeconds}s" "" "$mode"; return 1; fi; sleep 1
      done
      note="\${note}compacted first (no major compaction since archiving started). "
    fi
  fi
  if [ "$mode" = full ]; then stmt=$(v backupFull "$i"); else stmt=$(v backupInc "$i"); fi
  if out=$(q "$stmt"); then set=$(q "$(v newestSet "$i")"); record "$who" started "\${note}backup started" "\${set:-null}" "$mode"; return 0; fi
  record "$who" failed "\${note}$out" "" "$mode"; return 1
}
rc=0
${calls.join("\n")}
exit $rc
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
