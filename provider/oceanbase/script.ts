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
  /** Alarms: running backups started before `@CUTOFF@` (a UTC datetime the script fills in). */
  readonly runningBefore: string;
  /** Alarms: the archive status as exactly one row (NULL when there is none). */
  readonly archiveStatusOne: string;
  /** Alarms: how far log archiving has got (a datetime; exactly one row). */
  readonly archiveCheckpoint: string;
  /** Alarms: when the last successful data backup ended (a datetime, or NULL). */
  readonly lastSuccess: string;
  /** Alarms: the newest finished data backup as set id, type, status, result (no row when there is none; asked last). */
  readonly lastSet: string;
}

/** OCP's alarm thresholds, and what to run when one fires or clears. */
export interface AlarmParams {
  readonly backupTimeoutHours: number;
  readonly logDelayMinutes: number;
  readonly daysWithoutBackup: number;
  readonly capacityPercent: number;
  /** The file storage directory whose use is watched. */
  readonly storageDir: string;
  /** Run with the alarm as JSON on stdin; "" for none. */
  readonly command: string;
}

export interface ScriptParams {
  readonly policy: string;
  readonly version: string;
  /** `null` for the cluster (3.x), else the tenant's name (4.x). */
  readonly targets: readonly { tenant: string | null; sql: TargetSql }[];
  /** 3.x: the statement that deletes obsolete backups; 4.x has the server's delete policy. */
  readonly cleanup?: { sql: string; windowDays: number };
  /** 3.x backup of backups: the statements `run.sh backup-backup` sends (sets, then pieces). */
  readonly backupBackup?: readonly string[];
  /** Seconds the script waits for a compaction before it gives up on the full. */
  readonly compactionWaitSeconds: number;
  readonly alarms: AlarmParams;
}

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

const KEYS: (keyof TargetSql)[] = ["running", "fulls", "archiveStatus", "lastMergedUs", "archiveStart", "freeze", "mergeIdle", "newestSet", "backupFull", "backupInc", "runningBefore", "archiveStatusOne", "archiveCheckpoint", "lastSuccess", "lastSet"];

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
requested="\${1:?usage: run.sh full|incremental|cleanup|alarms|backup-backup}"
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
${defs.join("\n")}
q() { obclient --defaults-extra-file="$cnf" --init-command="SET time_zone = '+00:00'" -N -s -e "$1" 2>&1; }
esc() { printf '%s' "$1" | tr '\\n\\t' '  ' | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g'; }
record() { # tenant-json result message set-id mode
  printf '{"start":"%s","end":"%s","tenant":%s,"requested":"%s","mode":"%s","result":"%s","setId":%s,"message":"%s"}\\n' \\
    "$start" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$requested" "$5" "$2" "\${4:-null}" "$(esc "$3")" >> "$log"
}
v() { local n="$1_$2"; printf '%s' "\${!n}"; }
to_us() { case "$1" in ''|*[!0-9]*) echo $(( $(date -u -d "$1" +%s) * 1000000 ));; *) echo "$1";; esac; }
${alarmsBlock(p)}
if [ "$requested" = alarms ]; then evaluate_alarms; exit 0; fi
exec 9>>"$d/run.lock"
if ! flock -n 9; then record null skipped "another run of this policy is still going" "" "$requested"; exit 0; fi
if [ "$requested" = cleanup ]; then
${cleanup}
fi
if [ "$requested" = backup-backup ]; then
${backupBackupBlock(p)}
fi
backup_target() { # index tenant-json
  local i="$1" who="$2" mode="$requested" note="" out running arch fulls merged started started_us n set stmt
  running=$(q "$(v running "$i")") || { record "$who" failed "$running" "" "$mode"; return 1; }
  if [ "$running" != 0 ]; then record "$who" skipped "a data backup is already running (never two at once)" "" "$mode"; return 0; fi
  arch=$(q "$(v archiveStatus "$i")") || { record "$who" failed "$arch" "" "$mode"; return 1; }
  if [ "$arch" != DOING ]; then record "$who" failed "log archiving is \${arch:-not set up}, not DOING: a data backup needs it (pulumi up --refresh repairs the policy)" "" "$mode"; return 1; fi
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
evaluate_alarms
exit $rc
`;
}

/**
 * Backup of backups (3.x): each statement copies what was not copied yet; OceanBase's 9050 ("no
 * backup data to be backuped up") means there is nothing new, which is no failure.
 */
function backupBackupBlock(p: ScriptParams): string {
  if (!p.backupBackup) return `  record null skipped "no secondary backup in this policy" "" backup-backup; exit 0`;
  const one = (stmt: string) =>
    `  if out=$(q ${quote(stmt)}); then record null started ${quote(`${stmt}: started`)} "" backup-backup
  elif printf '%s' "$out" | grep -q 'ERROR 9050'; then record null skipped ${quote(`${stmt}: nothing new to copy`)} "" backup-backup
  else record null failed "$out" "" backup-backup; rc=1; fi`;
  return ["  rc=0", ...p.backupBackup.map(one), "  exit $rc"].join("\n");
}

/**
 * The alarm check (every run, and hourly from cron): the set of open alarms is rebuilt, kept in
 * alarms.tsv (kind, target, since, message); an alarm that opens or clears is handed to the
 * alarm command as JSON on stdin, and logged to alarms.log.
 */
function alarmsBlock(p: ScriptParams): string {
  const a = p.alarms;
  const targets = p.targets.map((t, i) => `  alarm_target ${i} ${quote(t.tenant === null ? "null" : JSON.stringify(t.tenant))}`).join("\n");
  return `ALARM_COMMAND=${quote(a.command)}
alarm_target() { # index tenant-json: appends open alarms to $cur
  local i="$1" who="$2" n st cp cp_s last base set_id set_type set_st set_res set_mode
  # One session for the five answers (each query returns exactly one row but the last, which may return none).
  local -a r; mapfile -t r < <(q "$(v runningBefore "$i" | sed "s/@CUTOFF@/$cut_run/"); $(v archiveStatusOne "$i"); $(v archiveCheckpoint "$i"); $(v lastSuccess "$i"); $(v lastSet "$i")")
  n="\${r[0]-}"; st="\${r[1]-}"; cp="\${r[2]-}"; last="\${r[3]-}"; [ "$st" = NULL ] && st=""
  IFS=$'\t' read -r set_id set_type set_st set_res <<< "\${r[4]-}"
  if [ "$set_st" = FAILED ]; then
    case "$set_type" in D|FULL) set_mode=full;; *) set_mode=incremental;; esac
    cur+="backup_failed\t$who\tthe $set_mode data backup (set $set_id) FAILED (result \${set_res:-unknown}): its COMMENT in CDB_OB_BACKUP_JOB_HISTORY (4.x) or the OBServer logs say where (an OBServer host without the NFS mount, OSS refusing the keys); fix that (remount, or the new keys in the program), then run pulumi up --refresh (an up alone compares inputs only); the next successful backup clears this\n"
    # The run that started it recorded "started"; the outcome is recorded once, when the job first sees it.
    if ! grep -F "\"tenant\":$who," "$log" 2>/dev/null | grep -qF "\"result\":\"failed\",\"setId\":$set_id,"; then
      record "$who" failed "the data backup set $set_id FAILED on the server (see its result and comment in the backup views)" "$set_id" "$set_mode"
    fi
  fi
  if [ "$n" != 0 ]; then cur+="backup_timeout\t$who\ta data backup has run for more than ${a.backupTimeoutHours}h\n"; fi
  if [ "$st" = INTERRUPTED ]; then cur+="log_backup_delay\t$who\tlog archiving is INTERRUPTED, not DOING: the servers could not write to the archive destination (revoked OSS keys, or an NFS not mounted on an OBServer host: CDB_OB_ARCHIVELOG's COMMENT on 4.x says which); fix that (the new keys in the program, or remount), then run pulumi up --refresh (an up alone compares inputs only), which restarts archiving\n"
  elif [ "$st" != DOING ]; then cur+="log_backup_delay\t$who\tlog archiving is \${st:-not set up}, not DOING\n"
  else
    cp_s=$(date -u -d "$cp" +%s 2>/dev/null || echo 0)
    if [ $((now_s - cp_s)) -gt ${a.logDelayMinutes * 60} ]; then cur+="log_backup_delay\t$who\tlog backup is $(( (now_s - cp_s) / 60 )) minutes behind (threshold ${a.logDelayMinutes})\n"; fi
  fi
  if [ -z "$last" ] || [ "$last" = NULL ]; then base=$(stat -c %Y "$d/client.cnf"); else base=$(date -u -d "$last" +%s); fi
  if [ $((now_s - base)) -gt ${a.daysWithoutBackup * 86400} ]; then cur+="no_successful_backup\t$who\tno successful data backup for more than ${a.daysWithoutBackup} days\n"; fi
}
alarm_json() { # state kind target since message
  printf '{"policy":"%s","state":"%s","kind":"%s","target":%s,"since":"%s","at":"%s","message":"%s"}' ${quote(p.policy)} "$1" "$2" "$3" "$4" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(esc "$5")"
}
evaluate_alarms() {
  local cur="" now_s cut_run pct old="" line key since kind who msg
  now_s=$(date -u +%s); cut_run=$(date -u -d "@$((now_s - ${a.backupTimeoutHours * 3600}))" '+%Y-%m-%d %H:%M:%S')
${targets}
  pct=$(df -P ${quote(a.storageDir)} 2>/dev/null | awk 'NR==2 { sub("%", "", $5); print $5 }')
  if [ -n "$pct" ] && [ "$pct" -ge ${a.capacityPercent} ]; then cur+="storage_capacity\tnull\tthe backup storage is \${pct}% full (threshold ${a.capacityPercent}%)\n"; fi
  [ -f "$d/alarms.tsv" ] && old=$(cat "$d/alarms.tsv")
  : > "$d/alarms.tsv.new"
  while IFS=$'\t' read -r kind who msg; do
    [ -z "$kind" ] && continue
    since=$(printf '%s\n' "$old" | awk -F'\t' -v k="$kind" -v w="$who" '$1 == k && $2 == w { print $3; exit }')
    if [ -z "$since" ]; then
      since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
      alarm_fire firing "$kind" "$who" "$since" "$msg"
    fi
    printf '%s\t%s\t%s\t%s\n' "$kind" "$who" "$since" "$msg" >> "$d/alarms.tsv.new"
  done < <(printf '%b' "$cur")
  while IFS=$'\t' read -r kind who since msg; do
    [ -z "$kind" ] && continue
    awk -F'\t' -v k="$kind" -v w="$who" '$1 == k && $2 == w { f = 1 } END { exit !f }' "$d/alarms.tsv.new" || alarm_fire cleared "$kind" "$who" "$since" "$msg"
  done <<< "$old"
  mv -f "$d/alarms.tsv.new" "$d/alarms.tsv"
}
alarm_fire() {
  local json; json=$(alarm_json "$@")
  printf '%s\n' "$json" >> "$d/alarms.log"
  if [ -n "$ALARM_COMMAND" ]; then printf '%s\n' "$json" | bash -c "$ALARM_COMMAND" >> "$d/alarms.log" 2>&1 || printf '{"alarmCommand":"failed","exit":%s}\n' "$?" >> "$d/alarms.log"; fi
}`;
}

/** The defaults file the script's obclient reads: the only place the password rests on the host. */
export function clientCnf(o: { host: string; port: number; password: string }): string {
  return `[client]\nhost=${o.host}\nport=${o.port}\nuser=root@sys\n${passwordLine(o.password)}\n`;
}

/** MariaDB option files unescape `\\` and `\"` inside a double-quoted value. */
export function passwordLine(password: string): string {
  return `password="${password.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
