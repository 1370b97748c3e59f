/**
 * The simulator's side of the lab contracts (lab/README.md): the host's address and directory from
 * the environment, injected failures, pid files. Kept inside lab/sim/dm so that the DM tools do not
 * wait on lab/sim/common; the file formats are the shared contract, so both agree on disk.
 */
import * as fs from "fs";
import * as path from "path";

export function hostAddr(): string {
  return process.env.LAB_HOST_ADDR || "127.0.0.1";
}

export function hostDir(): string | undefined {
  return process.env.LAB_HOST_DIR || undefined;
}

/**
 * Consumes one pending failure of `tool` from `<hostDir>/faults/fail/<tool>` (a count) and says
 * whether this run must fail. A missing or unreadable file means no fault.
 */
export function takeInjectedFailure(tool: string): boolean {
  const dir = hostDir();
  if (!dir) return false;
  const file = path.join(dir, "faults", "fail", tool);
  let count: number;
  try {
    count = parseInt(fs.readFileSync(file, "utf8").trim() || "1", 10);
  } catch {
    return false;
  }
  if (!(count > 0)) return false;
  if (count - 1 > 0) fs.writeFileSync(file, String(count - 1));
  else fs.rmSync(file, { force: true });
  return true;
}

export function pidFile(instance: string): string | undefined {
  const dir = hostDir();
  return dir ? path.join(dir, "run", "dm", `${instance}.pid`) : undefined;
}

export function writePidFile(instance: string): void {
  const f = pidFile(instance);
  if (!f) return;
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, `${process.pid}\n`);
}

export function removePidFile(instance: string): void {
  const f = pidFile(instance);
  if (f) fs.rmSync(f, { force: true });
}

export function processAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
