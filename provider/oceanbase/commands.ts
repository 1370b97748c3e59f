/**
 * The shell commands of the OceanBase resources, each built with `sh`: SQL through obclient with
 * the password in a 0600 defaults file made from stdin (never on the command line), bounded waits
 * for a state, and the job host's files and crontab block.
 */
import { writeFileOperation } from "../core/files";
import { PROGRESS_MARK, type Operation } from "../core/operation";
import { sh } from "../core/quote/sh";
import { passwordLine } from "./script";
import { KEYS_FILE } from "./keys";

export interface Target {
  readonly host: string;
  readonly connKey: string;
}

export interface SqlEndpoint {
  readonly host: string;
  readonly port: number;
  readonly password: string;
}

/**
 * obclient reading the defaults file from stdin's first line, the SQL from the rest of stdin. The
 * session is utf8mb4: with the client's default a 4-byte character (an emoji in a label) arrives
 * mangled.
 */
function obclient(ep: SqlEndpoint, extra = ""): string {
  return (
    sh`umask 077; f=$(mktemp) || exit 1; trap 'rm -f "$f"' EXIT; IFS= read -r l; printf '[client]\ndefault-character-set=utf8mb4\n%s\n' "$l" > "$f"; ` +
    sh`obclient --defaults-extra-file="$f" -h${ep.host} -P${ep.port} -uroot@sys -N -s` +
    extra
  );
}

/** Runs SQL statements in one obclient session; the first error stops it and fails the step. */
export function sqlOp(t: Target, ep: SqlEndpoint, statements: readonly string[], o: { describe: string; reason: string; hint?: string; timeoutMs?: number }): Operation {
  return {
    host: t.host,
    connKey: t.connKey,
    kind: "sql",
    describe: o.describe,
    command: obclient(ep),
    stdin: `${passwordLine(ep.password)}\n${statements.map((s) => `${s};`).join("\n")}\n`,
    reason: o.reason,
    hint: o.hint,
    timeoutMs: o.timeoutMs ?? 120_000,
  };
}

/** How often a wait reports progress when nothing changed (a change is reported at its next check). */
const PROGRESS_EVERY_SECONDS = 15;

/**
 * Polls `query` (one value) until it equals `want`, at most `seconds` by the host's clock; says what it saw last.
 * While it waits it reports progress (core's `progress` lines): once a second it works out the
 * progress text, written when it changed or every 15 s. `o.watch` names the polled value in that
 * text; `o.show`, a constant shell fragment, works it out instead: it may call `ob -e "<sql>"`
 * (obclient as root@sys on the endpoint) and sets `k` (what counts as a change) and `t` (the text).
 */
export function waitOp(t: Target, ep: SqlEndpoint, query: string, want: string, seconds: number, o: { describe: string; reason: string; hint?: string; watch?: string; show?: string }): Operation {
  const show = o.show ?? sh`k=$v; t=${o.watch ?? "the value"}" is '$v', want '$w'"`;
  const loop =
    // The bound is the clock's, not a count of polls: a slow obclient makes each poll longer, and
    // the user must get this script's "still ... after Ns", not the executor's bare timeout.
    sh`; ob() { obclient --defaults-extra-file="$f" -h${ep.host} -P${ep.port} -uroot@sys -N -s "$@"; }; q=${query}; w=${want}; n=${seconds}; end=$(( $(date +%s) + n )); i=0; j=$(date +%s); k0=; ` +
    `while :; do v=$(ob -e "$q" 2>&1); [ "$v" = "$w" ] && exit 0; ` +
    `if [ $((i % 4)) -eq 0 ]; then ${show}; if [ "$k" != "$k0" ] || [ $(($(date +%s) - j)) -ge ${PROGRESS_EVERY_SECONDS} ]; then printf '${PROGRESS_MARK}%s (at most %ss)\\n' "$(printf '%s' "$t" | tr '\\n\\t' '  ')" "$n"; k0=$k; j=$(date +%s); fi; fi; ` +
    `i=$((i + 1)); if [ "$(date +%s)" -ge "$end" ]; then echo "still '$v' (want '$w') after \${n}s: $q" >&2; exit 1; fi; sleep 0.25; done`;
  const cmd = sh`umask 077; f=$(mktemp) || exit 1; trap 'rm -f "$f"' EXIT; IFS= read -r l; printf '[client]\ndefault-character-set=utf8mb4\n%s\n' "$l" > "$f"` + loop;
  return { host: t.host, connKey: t.connKey, kind: "wait", describe: o.describe, command: cmd, stdin: `${passwordLine(ep.password)}\n`, reason: o.reason, hint: o.hint, timeoutMs: (seconds + 30) * 1000, progress: true };
}

/** The policy's directory on the job host, relative to the login's home. */
export const jobDirOf = (policy: string) => `.dbcluster/ob-backup/${policy}`;
export const cronBegin = (policy: string) => `# BEGIN pulumi-dbcluster ob-backup ${policy}`;
export const cronEnd = (policy: string) => `# END pulumi-dbcluster ob-backup ${policy}`;

/** A job-host file under the policy directory (content on stdin, atomic, mode as given). */
export function jobFileOp(t: Target, home: string, policy: string, name: string, content: string, mode: number, reason: string): Operation {
  return writeFileOperation({ host: t.host, connKey: t.connKey, path: `${home}/${jobDirOf(policy)}/${name}`, content, mode, reason });
}

/** Replaces the policy's block in the login's crontab (other entries kept); an empty block removes it. */
export function crontabOp(t: Target, policy: string, block: string, reason: string): Operation {
  const keepOthers = sh`crontab -l 2>/dev/null | awk -v b=${cronBegin(policy)} -v e=${cronEnd(policy)} '$0==b{skip=1} !skip{print} $0==e{skip=0}'`;
  return {
    host: t.host,
    connKey: t.connKey,
    kind: "crontab",
    describe: block === "" ? `remove the cron entries of policy ${policy}` : `install the cron entries of policy ${policy}`,
    command: `{ ${keepOthers}; cat; } | crontab -`,
    stdin: block,
    reason,
    timeoutMs: 60_000,
  };
}

/** One command that reads everything the job host holds for a policy, in sections. */
export function readJobCommand(policy: string): string {
  const d = `"$HOME"/${sh`${jobDirOf(policy)}`}`;
  return (
    sh`echo @@home; printf '%s\n' "$HOME"; echo @@cron; crontab -l 2>/dev/null | awk -v b=${cronBegin(policy)} -v e=${cronEnd(policy)} '$0==b{on=1} on{print} $0==e{on=0}'; ` +
    `echo @@script; sha256sum ${d}/run.sh 2>/dev/null | cut -d' ' -f1; ` +
    `echo @@cnf; sha256sum ${d}/client.cnf 2>/dev/null | cut -d' ' -f1; stat -c %a ${d}/client.cnf 2>/dev/null; ` +
    `echo @@runs; tail -n 20 ${d}/runs.log 2>/dev/null; echo @@alarms; cat ${d}/alarms.tsv 2>/dev/null; echo @@keys; cat ${d}/${KEYS_FILE} 2>/dev/null; exit 0`
  );
}

export interface JobHostState {
  readonly home: string;
  /** The policy's crontab block as installed, or "" when absent. */
  readonly cron: string;
  readonly scriptSha256: string | null;
  readonly cnfSha256: string | null;
  readonly cnfMode: string | null;
  readonly runs: Record<string, unknown>[];
  /** Open alarms as the job last recorded them. */
  readonly alarms: { kind: string; target: string | null; since: string; message: string }[];
  /** keys.fp as recorded ("" when absent): which OSS keys each destination was last given. */
  readonly keys: string;
}

export function parseJobState(out: string): JobHostState {
  const sections: Record<string, string[]> = {};
  let cur = "";
  for (const line of out.split("\n")) {
    const m = /^@@(\w+)$/.exec(line);
    if (m) { cur = m[1]; sections[cur] = []; continue; }
    if (cur) sections[cur].push(line);
  }
  const lines = (k: string) => (sections[k] ?? []).filter((l) => l !== "");
  const runs = lines("runs").flatMap((l) => { try { return [JSON.parse(l) as Record<string, unknown>]; } catch { return []; } });
  return {
    home: lines("home")[0] ?? "",
    cron: lines("cron").join("\n"),
    scriptSha256: lines("script")[0] ?? null,
    cnfSha256: lines("cnf")[0] ?? null,
    cnfMode: lines("cnf")[1] ?? null,
    runs,
    keys: lines("keys").map((l) => l + "\n").join(""),
    alarms: lines("alarms").map((l) => {
      const [kind, target, since, ...msg] = l.split("\t");
      let t: string | null = null;
      try { t = JSON.parse(target) as string | null; } catch { t = target; }
      return { kind, target: t, since, message: msg.join("\t") };
    }),
  };
}

/** Removes the policy's script and secrets file (its run records stay: they are history). */
export function removeJobFilesOp(t: Target, home: string, policy: string, reason: string): Operation {
  const d = `${home}/${jobDirOf(policy)}`;
  return { host: t.host, connKey: t.connKey, kind: "rm", describe: `remove ${d}/run.sh, client.cnf and ${KEYS_FILE}`, command: sh`rm -f ${`${d}/run.sh`} ${`${d}/client.cnf`} ${`${d}/run.lock`} ${`${d}/${KEYS_FILE}`}`, reason, timeoutMs: 60_000 };
}
