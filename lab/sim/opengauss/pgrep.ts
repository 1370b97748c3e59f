/**
 * `pgrep` as a host sees it. The lab's hosts share one machine's process table, so the real
 * pgrep would also list other hosts' (and other labs') processes; this one runs the real pgrep
 * and keeps the processes of this host only (those whose environment holds its LAB_HOST_DIR,
 * as `lab fault down` finds them). Same arguments, output and exit status (1: none matched).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { hostEnv } from "../common/env";

function onThisHost(pid: number, entry: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(entry);
  } catch {
    return false;
  }
}

const real = ["/usr/bin/pgrep", "/bin/pgrep"].find((p) => fs.existsSync(p)) ?? "pgrep";
const argv = process.argv.slice(2);
const r = spawnSync(real, argv, { encoding: "utf8" });
if (r.status !== 0 && r.status !== 1) {
  process.stderr.write(r.stderr ?? "");
  process.exit(r.status ?? 2);
}
const entry = `LAB_HOST_DIR=${hostEnv().hostDir}`;
const kept = (r.stdout ?? "").split("\n").filter((l) => l.trim() !== "" && onThisHost(Number(l.trim().split(/\s+/)[0]), entry));
if (kept.length > 0) process.stdout.write(kept.join("\n") + "\n");
process.exit(kept.length > 0 ? 0 : 1);
