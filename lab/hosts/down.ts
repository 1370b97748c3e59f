import * as fs from "fs";
import * as path from "path";
import { releaseBlock } from "./address-block";
import { callControl } from "./control";
import { labFiles, readLabJson } from "./lab-json";
import { findLabProcesses, killUntilNone, waitGone } from "./processes";
import { readDaemonPid } from "./up";

/**
 * Stops the lab: asks the daemon to stop its hosts, then sweeps again on its own so that a
 * crashed daemon or a process that escaped still leaves nothing behind. Returns the pids this
 * command had to kill itself (normally none).
 */
export async function labDown(dirArg: string): Promise<{ swept: number[] }> {
  const dir = path.resolve(dirArg);
  const hostDirs = readHostDirs(dir);
  const daemon = readDaemonPid(dir);
  try {
    await callControl(dir, { op: "shutdown" });
  } catch { /* the daemon is gone already; the sweep below does its work */ }
  if (daemon !== undefined && !(await waitGone([daemon], 5000))) {
    try {
      process.kill(daemon, "SIGKILL");
    } catch { /* exited meanwhile */ }
  }
  // The daemon is dead by now, so its pid may be reused: find its orphans by what they carry.
  const swept = await killUntilNone(() =>
    findLabProcesses(
      [`LAB_DIR=${dir}`, ...hostDirs.map((d) => `LAB_HOST_DIR=${d}`)],
      [],
      hostDirs,
      hostDirs.map((d) => path.join(d, "ssh", "sshd_config")),
    ),
  );
  fs.rmSync(labFiles.daemonPid(dir), { force: true });
  fs.rmSync(path.join(dir, "control.sock"), { force: true });
  releaseBlock(dir);
  return { swept };
}

function readHostDirs(dir: string): string[] {
  try {
    return readLabJson(dir).hosts.map((h) => h.hostDir);
  } catch {
    try {
      return fs.readdirSync(labFiles.hostsDir(dir)).map((n) => path.join(labFiles.hostsDir(dir), n));
    } catch {
      return [];
    }
  }
}
