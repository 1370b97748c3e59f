/**
 * Shell command text for DM's tools on a host, built only with core's `sh` template. Secrets
 * never appear here: they travel on stdin (dminit's control file, disql's login line).
 */
import { readFilesCommand, parseReadFiles } from "../core/files";
import { bash, quote, sh } from "../core/quote/sh";
import { DEFAULTS } from "./defaults";
import { renderIni } from "./ini";
import { RMAN } from "./sql";
import type { Role } from "./schema";

/** Where an instance lives on its host. */
export interface InstanceLayout {
  readonly path: string;
  readonly dbName: string;
  readonly dmHome?: string;
}

export const files = {
  dbDir: (l: InstanceLayout) => `${l.path}/${l.dbName}`,
  dmIni: (l: InstanceLayout) => `${l.path}/${l.dbName}/dm.ini`,
  mpIni: (l: InstanceLayout) => `${l.path}/${l.dbName}/mp.ini`,
  dmarchIni: (l: InstanceLayout) => `${l.path}/${l.dbName}/dmarch.ini`,
  /** Written on a member before a removal takes it out of its group's configuration (`leftMarkText`). */
  leftMark: (l: InstanceLayout) => `${l.path}/${l.dbName}/dbcluster-left`,
  archDir: (l: InstanceLayout) => `${l.path}/${l.dbName}/arch`,
  /** dmserver's console output, kept by the product (dmserver logs elsewhere too). */
  serverLog: (l: InstanceLayout) => `${l.path}/${l.dbName}/dbcluster-dmserver.log`,
  /** DM's own log directory of the database (`dm_<INSTANCE>_<yyyymm>.log`). */
  dmLogDir: (l: InstanceLayout) => `${l.path}/${l.dbName}/log`,
  /** A backup set beside the database; `name` is unique per group and run (see plan/replica.ts). */
  backupSet: (l: InstanceLayout, name: string) => `${l.path}/${name}`,
} as const;

export function tool(l: { dmHome?: string }, name: "dminit" | "dmserver" | "disql" | "dmrman"): string {
  return l.dmHome ? `${l.dmHome}/bin/${name}` : name;
}

export interface DminitParams extends InstanceLayout {
  readonly name: string;
  readonly mode: Role;
  readonly portNum: number;
  readonly apPortNum: number;
  readonly pageSize: number;
  readonly extentSize: number;
  readonly charset: number;
  readonly caseSensitive: boolean;
  readonly sysdbaPassword: string;
}

/** dminit exits with this when the database already exists (checked before dminit runs). */
export const EXIT_DB_EXISTS = 17;

/**
 * dminit with its parameters in a CONTROL file (dminit's `CONTROL=<file>`: an ini of its own
 * parameters) so that SYSDBA_PWD never reaches argv. dminit cannot read its parameters from
 * stdin, so the CONTROL "file" is a named pipe (mode 0600, in a fresh 0700 directory) fed from
 * the step's stdin: the password passes through the kernel to dminit and is never stored on a
 * disk, so a step killed at any point (SIGKILL, power loss) leaves no file holding it. The pipe
 * is removed as soon as dminit has read it; a writer that dminit never read is killed.
 * Refuses to run over an existing dm.ini.
 */
export function dminitCommand(p: DminitParams): { command: string; stdin: string } {
  if (/[\r\n\0#]/.test(p.sysdbaPassword)) throw new Error("the SYSDBA password cannot contain a line break, NUL or # (the CONTROL file has # comments)");
  // The manual's form (DM8 dminit 高级主题 §5.1): a [node_instance] section named after the
  // instance, system_path in place of PATH, the other dminit parameters beside it.
  const control =
    `[${p.name}]\n` +
    renderIni([
      ["SYSTEM_PATH", p.path],
      ["DB_NAME", p.dbName],
      ["INSTANCE_NAME", p.name],
      ["PORT_NUM", p.portNum],
      ["AP_PORT_NUM", p.apPortNum],
      ["DPC_MODE", p.mode],
      ["PAGE_SIZE", p.pageSize],
      ["EXTENT_SIZE", p.extentSize],
      ["CHARSET", p.charset],
      ["CASE_SENSITIVE", p.caseSensitive ? 1 : 0],
    ]) + `SYSDBA_PWD = ${p.sysdbaPassword}\n`;
  const command =
    sh`if [ -e ${files.dmIni(p)} ]; then echo ${"a database already exists at " + files.dbDir(p) + "; refusing to run dminit over it"} >&2; exit ${EXIT_DB_EXISTS}; fi; ` +
    // Safe under a caller's `set -e`: dminit's status is taken in an `if`, and the EXIT trap both
    // removes the directory and ends a writer that dminit never read (it would block forever).
    sh`mkdir -p ${p.path} && d=$(mktemp -d) || exit 1; w=; trap 'if [ -n "$w" ]; then kill "$w" 2>/dev/null || :; fi; rm -rf "$d"' EXIT; ` +
    sh`ctl=$(cat) && mkfifo -m 600 "$d/dminit.ini" || exit 1; ` +
    sh`{ printf '%s\n' "$ctl" > "$d/dminit.ini"; rm -f "$d/dminit.ini"; } & w=$!; ` +
    sh`if ${tool(p, "dminit")} CONTROL="$d/dminit.ini"; then st=0; else st=$?; fi; exit "$st"`;
  return { command, stdin: control };
}

/**
 * How often a waiting command looks again (port open, process gone, leader elected, learners
 * following). Each look is one local process (a disql login to the MP for the catalog waits), so
 * a fifth of a second costs little and keeps a wait at most that much longer than what it waits for.
 */
const POLL_SECONDS = "0.2";

/**
 * dmserver's pids for one dm.ini, however it was started: the dm.ini as a positional argument or
 * as `path=<ini>` (DM8's two forms; a DmService unit runs `dmserver path=<ini> -noconsole`),
 * absolute or relative to the process's working directory, through symlinks. Only processes with
 * an argv element named dmserver are looked at, so that a shell whose script merely mentions the
 * path is not taken for the server.
 */
function pidsOf(dmIni: string): string {
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

function rman(l: { dmHome?: string }, stmt: string): string {
  return sh`${tool(l, "dmrman")} ${"CTLSTMT=" + stmt} USE_AP=2`;
}

/** Offline full backup into `<path>/<name>` (seed 7.2.7.1); the name is new to this run, so no set is replaced. */
export function backupCommand(l: InstanceLayout, name: string, shadow = false): string {
  return rman(l, RMAN.backup(files.dmIni(l), name, files.backupSet(l, name), shadow));
}

export function restoreCommand(l: InstanceLayout, backupSet: string, toShadow = false): string {
  return rman(l, RMAN.restore(files.dmIni(l), backupSet, toShadow));
}

/** Where a statement takes the set's BAK_MAGIC, read at run time (the shell's $magic). */
const MAGIC = "\u0000BAK_MAGIC\u0000";

/** dmrman with a statement holding MAGIC: the statement quoted around a double-quoted "$magic". */
function rmanWithMagic(l: { dmHome?: string }, stmt: string): string {
  const word = ("CTLSTMT=" + stmt).split(MAGIC).map((part) => (part ? quote(part) : "")).join('"$magic"');
  return `${sh`${tool(l, "dmrman")}`} ${word} USE_AP=2`;
}

/**
 * An online set into a database, as MGT §8.2.2 does it: `SHOW BACKUPSET` for its BAK_MAGIC, then
 * `RESTORE ... USE BAK_MAGIC n` and `RECOVER ... FOR STANDBY FROM BACKUPSET ... USE BAK_MAGIC n
 * UNTIL END_LSN` (UPDATE DB_MAGIC is its own step). The BAK_MAGIC is taken from the first line
 * that starts with the word BAK_MAGIC, whatever the separator: dmrman echoes the statement, and
 * the set's path in it may hold "BAK_MAGIC1". None is a failure naming the set.
 */
export function restoreOnlineSetCommand(l: InstanceLayout, backupSet: string, toShadow = false): string {
  const ini = files.dmIni(l);
  return bash(
    `out=$(${rman(l, RMAN.showBackupSet(backupSet))}) || { printf '%s\\n' "$out" >&2; exit 1; }; printf '%s\\n' "$out"; ` +
    `magic=$(printf '%s\\n' "$out" | grep -i '^[[:space:]]*BAK_MAGIC[^0-9A-Z_]' | head -n 1 | grep -o '[0-9][0-9]*' | head -n 1); ` +
    sh`if [ -z "$magic" ]; then echo "dmrman SHOW BACKUPSET printed no BAK_MAGIC for "${backupSet} >&2; exit 1; fi; ` +
    `${rmanWithMagic(l, RMAN.restore(ini, backupSet, toShadow, MAGIC))} && ${rmanWithMagic(l, RMAN.recoverForStandby(ini, backupSet, MAGIC))}`,
  );
}

export function updateDbMagicCommand(l: InstanceLayout): string {
  return rman(l, RMAN.updateDbMagic(files.dmIni(l)));
}

/** disql with the whole script (login line first) on stdin; nothing secret on the command line. */
export function disqlCommand(l: { dmHome?: string }): string {
  return sh`${tool(l, "disql")} -S -L /nolog`;
}

export interface HostState {
  /** The base directory exists. */
  readonly pathExists: boolean;
  /** dm.ini, mp.ini, dmarch.ini contents; null when absent. */
  readonly dmIni: string | null;
  readonly mpIni: string | null;
  readonly dmarchIni: string | null;
  /** Pids of dmserver processes started with this dm.ini. */
  readonly pids: number[];
  /**
   * The database has been started before: DM's log directory holds a log of it, or the product's
   * start log exists. A restore may only go over a database for which this is false (and which
   * holds no RAFT configuration): one that never opened holds nothing but what dminit wrote.
   */
  readonly ranBefore: boolean;
  /**
   * The RAFT group this database left in a removal (`files.leftMark`, written before the
   * removal's SP_ALTER_RAFT_NODE); null when it never left one. Its dmarch.ini may still name the
   * old configuration, so it must not start as a member again.
   */
  readonly leftGroup: string | null;
}

/** The mark's text: the group the member left (one line). */
export function leftMarkText(group: string): string {
  return `left ${group}\n`;
}

function parseLeftMark(text: string | null | undefined): string | null {
  const m = text == null ? null : /^left (\S+)\s*$/m.exec(text);
  return m ? m[1] : null;
}

/**
 * One round trip: whether the directory exists, the three ini files and the running dmserver.
 * `marker` must be fresh and random per call (so file contents cannot forge it).
 */
export function hostStateCommand(l: InstanceLayout, marker: string): string {
  const paths = [files.dmIni(l), files.mpIni(l), files.dmarchIni(l), files.leftMark(l)];
  return (
    sh`printf '%s path %s\n' ${marker + "-state"} "$([ -d ${l.path} ] && echo 1 || echo 0)"; ` +
    sh`printf '%s ran %s\n' ${marker + "-state"} "$({ [ -e ${files.serverLog(l)} ] || ls ${files.dmLogDir(l)} 2>/dev/null | grep -q '^dm_.*[.]log$'; } && echo 1 || echo 0)"; ` +
    sh`printf '%s pids %s\n' ${marker + "-state"} "$(${sh.raw(pidsOf(files.dmIni(l)))} | tr '\n' ' ')"; ` +
    readFilesCommand(paths, marker)
  );
}

/**
 * Several instances' state on one host in one round trip: each part is `hostStateCommand` for
 * one layout (with its own marker), announced by a line holding `batchMarker` and its index, so
 * that one part's file contents can never run into the next part.
 */
export function hostStatesCommand(reads: readonly { layout: InstanceLayout; marker: string }[], batchMarker: string): string {
  return reads.map((r, i) => sh`printf '\n%s %s\n' ${batchMarker} ${String(i)}; ` + `{ ${hostStateCommand(r.layout, r.marker)}; }`).join("; ");
}

/** Parses `hostStatesCommand`'s output: one HostState per read, in order. */
export function parseHostStates(stdout: string, reads: readonly { layout: InstanceLayout; marker: string }[], batchMarker: string, host = "host"): HostState[] {
  const parts = new Map<number, string>();
  for (const chunk of stdout.split(`\n${batchMarker} `).slice(1)) {
    const nl = chunk.indexOf("\n");
    parts.set(Number(chunk.slice(0, nl)), chunk.slice(nl + 1));
  }
  return reads.map((r, i) => {
    const part = parts.get(i);
    if (part === undefined) throw new Error(`${host}: the state of ${files.dbDir(r.layout)} is missing from the batched read (output cut short?)`);
    return parseHostState(part, r.layout, r.marker, host);
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function parseHostState(stdout: string, l: InstanceLayout, marker: string, host = "host"): HostState {
  const field = (name: string): string => {
    const m = new RegExp(`^${escapeRe(marker)}-state ${name} (.*)$`, "m").exec(stdout);
    if (!m) throw new Error(`${host}: the host state read printed no ${name} line (output cut short?)`);
    return m[1].trim();
  };
  const paths = [files.dmIni(l), files.mpIni(l), files.dmarchIni(l), files.leftMark(l)];
  const content = parseReadFiles(stdout, paths, marker, host);
  return {
    pathExists: field("path") === "1",
    ranBefore: field("ran") === "1",
    pids: field("pids")
      .split(/\s+/)
      .filter((x) => x !== "")
      .map(Number),
    dmIni: content.get(paths[0]) ?? null,
    mpIni: content.get(paths[1]) ?? null,
    dmarchIni: content.get(paths[2]) ?? null,
    leftGroup: parseLeftMark(content.get(paths[3])),
  };
}

/**
 * Sets global keys of an ini file in place on the host (the same rules as ini.ts `editIni`: a
 * present key keeps its comment, a missing key is appended, all other lines stay). The pairs
 * come on stdin as `KEY=VALUE` lines, so no value is interpreted by the shell or by awk.
 */
export function setIniKeysCommand(file: string): { command: string; stdinFor: (changes: Record<string, string | number>) => string } {
  const program = [
    'NR == FNR { i = index($0, "="); if (i > 1) { k = toupper(substr($0, 1, i - 1)); if (!(k in want)) order[++n] = k; want[k] = substr($0, i + 1) } next }',
    '{ line = $0; body = line; c = index(line, "#"); if (c > 0) body = substr(line, 1, c - 1) }',
    'body ~ /^[ \\t]*\\[/ && !insec { flush(); insec = 1 }',
    '!insec { e = index(body, "="); if (e > 1) { k = toupper(substr(body, 1, e - 1)); gsub(/^[ \\t]+|[ \\t]+$/, "", k);',
    '  if (k in want) { if (k in done) next; done[k] = 1; out = substr(body, 1, e) " " want[k]; if (c > 0) out = out "  " substr(line, c); print out; next } } }',
    "{ print }",
    'END { flush() }',
    'function flush(  j) { for (j = 1; j <= n; j++) if (!(order[j] in done)) { print order[j] " = " want[order[j]]; done[order[j]] = 1 } }',
  ].join("\n");
  const command =
    sh`f=${file}; t="$f.tmp.$$"; [ -f "$f" ] || { echo "no such file: $f" >&2; exit 1; }; ` +
    sh`awk ${program} /dev/stdin "$f" > "$t" || { rm -f "$t"; exit 1; }; chmod --reference="$f" "$t" 2>/dev/null; mv -f "$t" "$f"`;
  const stdinFor = (changes: Record<string, string | number>) => {
    if (Object.keys(changes).length === 0) throw new Error("no ini keys to set");
    return Object.entries(changes)
      .map(([k, v]) => {
        const s = String(v);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || /[\r\n#\0]/.test(s)) throw new Error(`cannot set ${k}=${JSON.stringify(s)} in an ini file`);
        return `${k}=${s}\n`;
      })
      .join("");
  };
  return { command, stdinFor };
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
