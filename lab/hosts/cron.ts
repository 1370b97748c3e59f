/**
 * The lab's cron (spec lab.md §4): each host keeps its crontab in `<hostDir>/crontab` (the
 * `crontab` tool on its PATH writes it); `lab clock --advance D` moves the lab clock minute by
 * minute and runs, in time order, every entry that falls due, in the host's environment with
 * `LAB_NOW` set. What each run did goes to `<hostDir>/cron.log`, one JSON line per run.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { labNow, parseDuration, setLabNow } from "../sim/common/clock";
import { commandEnv } from "./environment";
import { LabHost, labFiles, readLabJson } from "./lab-json";

export interface CronEntry {
  readonly minute: Set<number>;
  readonly hour: Set<number>;
  readonly dom: Set<number>;
  readonly month: Set<number>;
  readonly dow: Set<number>;
  readonly domStar: boolean;
  readonly dowStar: boolean;
  readonly tz: string;
  readonly command: string;
}

function field(text: string, lo: number, hi: number): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`bad cron field ${text}`);
    const from = m[1] === "*" ? lo : Number(m[2]);
    const to = m[1] === "*" ? hi : m[3] !== undefined ? Number(m[3]) : m[4] ? hi : from;
    const step = m[4] ? Number(m[4]) : 1;
    for (let v = from; v <= to; v += step) out.add(v === 7 && hi === 7 ? 0 : v);
  }
  return out;
}

/** The entries of a crontab (comments, blank lines and `VAR=value` lines other than CRON_TZ skipped). */
export function parseCrontab(text: string): CronEntry[] {
  const out: CronEntry[] = [];
  let tz = "UTC";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const env = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (env) {
      if (env[1] === "CRON_TZ" || env[1] === "TZ") tz = env[2].replace(/^["']|["']$/g, "");
      continue;
    }
    const parts = line.split(/\s+/);
    if (parts.length < 6) continue;
    const [mi, h, dom, mon, dow] = parts;
    const command = line.replace(/^(\S+\s+){5}/, "");
    out.push({ minute: field(mi, 0, 59), hour: field(h, 0, 23), dom: field(dom, 1, 31), month: field(mon, 1, 12), dow: field(dow, 0, 7), domStar: dom === "*", dowStar: dow === "*", tz, command });
  }
  return out;
}

// One formatter per zone: building one costs more than the formatting (a 14-day advance asks ~20 000 times a host).
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", minute: "numeric", hour: "numeric", day: "numeric", month: "numeric", weekday: "short" });
    formatters.set(tz, f);
  }
  return f;
}

function wallClock(ms: number, tz: string): { minute: number; hour: number; dom: number; month: number; dow: number } {
  const parts = Object.fromEntries(
    formatter(tz)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const dow = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
  return { minute: Number(parts.minute), hour: Number(parts.hour), dom: Number(parts.day), month: Number(parts.month), dow };
}

/** Whether `e` runs in the minute starting at `ms` (cron's rule: day of month OR day of week when both are restricted). */
export function due(e: CronEntry, ms: number): boolean {
  const w = wallClock(ms, e.tz);
  if (!e.minute.has(w.minute) || !e.hour.has(w.hour) || !e.month.has(w.month)) return false;
  const d = e.dom.has(w.dom), wd = e.dow.has(w.dow);
  if (e.domStar && e.dowStar) return true;
  if (e.domStar) return wd;
  if (e.dowStar) return d;
  return d || wd;
}

export const crontabFile = (host: Pick<LabHost, "hostDir">) => path.join(host.hostDir, "crontab");
export const cronLog = (host: Pick<LabHost, "hostDir">) => path.join(host.hostDir, "cron.log");

function run(host: LabHost, dir: string, labPath: string, command: string, at: number): Promise<{ exit: number | null; durationMs: number }> {
  const started = Date.now();
  const env: Record<string, string> = { ...commandEnv(host, dir, host.user, labPath), LAB_NOW: new Date(at).toISOString() };
  return new Promise((resolve) => {
    const out = fs.openSync(path.join(host.hostDir, "cron.out"), "a");
    const child = spawn("/bin/bash", ["-c", command], { cwd: env.HOME, env, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ exit: code, durationMs: Date.now() - started });
    });
  });
}

// As cron does, a crontab is parsed again only when the file changed (a job may edit it).
const parsed = new Map<string, { stamp: string; entries: CronEntry[] }>();
function entriesOf(h: LabHost): CronEntry[] {
  const file = crontabFile(h);
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch { return []; }
  const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
  const hit = parsed.get(file);
  if (hit && hit.stamp === stamp) return hit.entries;
  let text = "";
  try { text = fs.readFileSync(file, "utf8"); } catch { return []; }
  const entries = parseCrontab(text);
  parsed.set(file, { stamp, entries });
  return entries;
}

export async function labClock(dirArg: string, advance: string | undefined): Promise<{ now: string; ran: { host: string; at: string; command: string; exit: number | null }[] }> {
  const dir = path.resolve(dirArg);
  const lab = readLabJson(dir);
  const ran: { host: string; at: string; command: string; exit: number | null }[] = [];
  if (advance !== undefined) {
    const plan = JSON.parse(fs.readFileSync(labFiles.plan(dir), "utf8")) as { labPath: string };
    const end = labNow(dir) + parseDuration(advance);
    // cron wakes at the start of each minute: the first one after now.
    for (let t = Math.floor(labNow(dir) / 60_000) * 60_000 + 60_000; t <= end; t += 60_000) {
      const jobs = lab.hosts.flatMap((h) => entriesOf(h).filter((e) => due(e, t)).map((e) => ({ h, e })));
      if (jobs.length === 0) continue;
      setLabNow(dir, t);
      for (const { h, e } of jobs) {
        const r = await run(h, dir, plan.labPath, e.command, t);
        const entry = { host: h.name, at: new Date(t).toISOString(), command: e.command, exit: r.exit };
        fs.appendFileSync(cronLog(h), JSON.stringify({ ...entry, durationMs: r.durationMs }) + "\n");
        ran.push(entry);
      }
    }
    setLabNow(dir, end);
  }
  return { now: new Date(labNow(dir)).toISOString(), ran };
}

/** `crontab` as the hosts run it: -l, -r, `-` or no argument (stdin), or a file. */
export function crontabScript(): string {
  return `#!/bin/bash
f="$LAB_HOST_DIR/crontab"
case "\${1-}" in
  -l) if [ -f "$f" ]; then cat "$f"; else echo "no crontab for $USER" >&2; exit 1; fi ;;
  -r) if [ -f "$f" ]; then rm -f "$f"; else echo "no crontab for $USER" >&2; exit 1; fi ;;
  -|"") t="$f.$$"; cat > "$t" && mv "$t" "$f" ;;
  -*) echo "crontab: invalid option -- '\${1#-}'" >&2; exit 1 ;;
  *) if [ -f "$1" ]; then cp "$1" "$f"; else echo "$1: No such file or directory" >&2; exit 1; fi ;;
esac
`;
}

/** \`date\` answering with the lab clock unless asked about another time. */
export function dateScript(): string {
  return `#!/bin/bash
for a in "$@"; do case "$a" in -d|--date|--date=*|-d*|-r|--reference*|-s|--set*) exec /bin/date "$@";; esac; done
if [ -n "\${LAB_NOW-}" ]; then ms=$(/bin/date -d "$LAB_NOW" +%s%3N); else
  off=$(sed -n 's/.*"offsetMs": *\\(-\\{0,1\\}[0-9]*\\).*/\\1/p' "$LAB_DIR/clock.json" 2>/dev/null); ms=$(( $(/bin/date +%s%3N) + \${off:-0} )); fi
exec /bin/date -d "@$((ms / 1000))" "$@"
`;
}
