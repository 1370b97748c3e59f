import * as fs from "fs";
import * as path from "path";
import { hostEnv } from "./env";

/** A database process family: one directory under `<hostDir>/run/`. */
export type Family = "dm" | "og" | "ob" | (string & {});

export interface PidFileEntry {
  readonly family: string;
  readonly instance: string;
  readonly pid: number;
  readonly alive: boolean;
  readonly file: string;
}

export function pidFilePath(family: Family, instance: string, hostDir = hostEnv().hostDir): string {
  return path.join(hostDir, "run", family, `${instance}.pid`);
}

/** Records that `instance` runs as `pid` (default: this process). */
export function writePidFile(family: Family, instance: string, pid = process.pid, hostDir = hostEnv().hostDir): string {
  const file = pidFilePath(family, instance, hostDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${pid}\n`);
  fs.renameSync(tmp, file); // readers never see a half-written pid
  return file;
}

export function readPidFile(family: Family, instance: string, hostDir = hostEnv().hostDir): number | undefined {
  return readPid(pidFilePath(family, instance, hostDir));
}

/** Removes the pid file on a clean exit; leaves it when another process has taken it over. */
export function removePidFile(family: Family, instance: string, pid = process.pid, hostDir = hostEnv().hostDir): void {
  const file = pidFilePath(family, instance, hostDir);
  if (readPid(file) === pid) fs.rmSync(file, { force: true });
}

/** The pid of a running instance, or undefined when absent or its process is gone (stale file). */
export function runningPid(family: Family, instance: string, hostDir = hostEnv().hostDir): number | undefined {
  const file = pidFilePath(family, instance, hostDir);
  const pid = readPid(file);
  return pid !== undefined && pidFileAlive(file, pid) ? pid : undefined;
}

/** Every pid file of a host, any family, with liveness. */
export function listPidFiles(hostDir = hostEnv().hostDir): PidFileEntry[] {
  const runDir = path.join(hostDir, "run");
  const out: PidFileEntry[] = [];
  for (const family of safeReaddir(runDir).sort()) {
    for (const name of safeReaddir(path.join(runDir, family)).sort()) {
      if (!name.endsWith(".pid")) continue;
      const file = path.join(runDir, family, name);
      const pid = readPid(file);
      if (pid === undefined) continue;
      out.push({ family, instance: name.slice(0, -4), pid, alive: pidFileAlive(file, pid), file });
    }
  }
  return out;
}

/** Alive means it exists and is not a zombie: a SIGKILLed process whose parent has not
 *  reaped it yet is dead for every purpose of the lab. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/**
 * The pid of a stale file may belong to an unrelated process by now (pids wrap quickly on small
 * machines): a process counts only if it started before its pid file was last written.
 */
function pidFileAlive(file: string, pid: number): boolean {
  if (!isAlive(pid)) return false;
  const started = processStartMs(pid);
  try {
    return started === undefined || started <= fs.statSync(file).mtimeMs + 1000;
  } catch {
    return false;
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, fixed at 100 on Linux for /proc

let bootMs: number | undefined;
/** When a process started, in ms since the epoch (from /proc, 10 ms resolution). */
export function processStartMs(pid: number): number | undefined {
  try {
    if (bootMs === undefined) {
      const btime = /^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"));
      if (!btime) return undefined;
      bootMs = Number(btime[1]) * 1000;
    }
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    return bootMs + (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
