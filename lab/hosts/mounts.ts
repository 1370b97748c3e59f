import * as fs from "fs";
import * as path from "path";

/**
 * The lab's shared directory stands in for an NFS export mounted at one path on every host. The
 * fault `unmount-shared` takes it away from one host the way an unmounted NFS looks there: the
 * path is still a directory, the host's own empty mount point, so writes succeed locally and
 * nobody else sees them. Each command on that host runs in its own mount namespace with the
 * mount point bound over the shared path (`unshare`; root, as the lab runs in CI, or a user
 * namespace otherwise). Processes already running keep the view they started with, as on a real
 * host where a process holds files open.
 */
export const unmountFlag = (hostDir: string) => path.join(hostDir, "faults", "unmounted");
export const mountPoint = (hostDir: string) => path.join(hostDir, "faults", "unmounted.d");

export function unmountShared(hostDir: string, sharedDir: string): { unmounted: string } {
  fs.mkdirSync(mountPoint(hostDir), { recursive: true });
  fs.writeFileSync(unmountFlag(hostDir), sharedDir + "\n");
  return { unmounted: sharedDir };
}

export function mountShared(hostDir: string): { mounted: boolean } {
  fs.rmSync(unmountFlag(hostDir), { force: true });
  return { mounted: true };
}

/** The shared path this host has lost, or undefined. */
export function unmountedPath(hostDir: string | undefined): string | undefined {
  if (!hostDir) return undefined;
  try {
    return fs.readFileSync(unmountFlag(hostDir), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The argv that runs `shell -c command` on a host: plain, or in a namespace without the shared directory. */
export function commandArgv(hostDir: string | undefined, shell: string, command: string): [string, string[]] {
  const lost = unmountedPath(hostDir);
  if (!lost) return [shell, ["-c", command]];
  const userns = typeof process.getuid === "function" && process.getuid() !== 0 ? ["--map-root-user"] : [];
  return ["unshare", [...userns, "--mount", "--propagation", "private", "--", "/bin/sh", "-c", 'mount --bind "$1" "$2" || exit 125; shift 2; exec "$@"', "sh", mountPoint(hostDir!), lost, shell, "-c", command]];
}
