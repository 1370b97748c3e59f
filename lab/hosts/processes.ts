import * as fs from "fs";
import { isAlive, listPidFiles } from "../sim/common/pidfile";

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
}

function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue;
      out.push({ pid: Number(entry), ppid: Number(fields[1]) });
    } catch { /* exited while listing */ }
  }
  return out;
}

function environHas(pid: number, entries: Set<string>): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").some((e) => entries.has(e));
  } catch {
    return false;
  }
}

function cmdlineHas(pid: number, parts: string[]): boolean {
  if (parts.length === 0) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return parts.some((p) => cmdline.includes(p));
  } catch {
    return false;
  }
}

/** This process and its ancestors: never to be killed by a sweep (the CLI may itself run on a lab host). */
function selfAndAncestors(procs: ProcInfo[]): Set<number> {
  const parent = new Map(procs.map((p) => [p.pid, p.ppid]));
  const out = new Set<number>();
  for (let pid: number | undefined = process.pid; pid && !out.has(pid); pid = parent.get(pid)) out.add(pid);
  return out;
}

/**
 * Everything a host (or a whole lab) started: processes whose environment carries one of
 * `envEntries` (e.g. `LAB_HOST_DIR=<hostDir>`; it survives nohup, setsid and re-parenting),
 * processes whose command line holds one of `cmdlineParts` (an sshd by its config file, which
 * outlives a crashed daemon), the descendants of all those and of `roots`, and the live pids of
 * the hosts' pid files.
 */
export function findLabProcesses(envEntries: string[], roots: number[], hostDirs: string[], cmdlineParts: string[] = []): number[] {
  const procs = listProcs();
  const spare = selfAndAncestors(procs);
  const wanted = new Set(envEntries);
  const found = new Set<number>();
  for (const p of procs) if (environHas(p.pid, wanted) || cmdlineHas(p.pid, cmdlineParts)) found.add(p.pid);
  for (const dir of hostDirs) for (const e of listPidFiles(dir)) if (e.alive) found.add(e.pid);
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const stack = [...roots, ...found];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    for (const c of children.get(pid) ?? []) {
      if (!found.has(c)) {
        found.add(c);
        stack.push(c);
      }
    }
  }
  for (const pid of roots) found.delete(pid);
  for (const pid of spare) found.delete(pid);
  return [...found];
}

/** SIGKILLs whatever `find` returns until it returns nothing (processes may fork meanwhile),
 *  then waits until they are really gone. Returns the pids killed. */
export async function killUntilNone(find: () => number[], timeoutMs = 5000): Promise<number[]> {
  const killed = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = find().filter(isAlive);
    if (pids.length === 0) break;
    for (const pid of pids) {
      killed.add(pid);
      try {
        process.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    if (Date.now() > deadline) throw new Error(`processes survive SIGKILL: ${pids.join(", ")}`);
    await waitGone(pids, 1000);
  }
  return [...killed];
}

export async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
