import * as path from "path";
import { readLabJson } from "../../hosts/lab-json";
import { unmountedPath } from "../../hosts/mounts";
import type { ClusterState } from "./state";

/**
 * The lab's `unmount-shared` fault as a running OBServer meets it. An observer started before the
 * unmount keeps its own view of the shared directory (lab/hosts/mounts.ts), but 3.x checks the
 * archive round's mount_file under the destination before each backup task; on a host that lost
 * the NFS mount the file is not there, and the server's tasks fail. Every server of a 3.x
 * cluster backs up its own partitions, so one host without the mount fails the whole set. 4.x
 * backs up per log stream on the servers holding the tenant's units, and its connectivity check
 * writes under the destination from them: the same host fails a 4.x tenant's backup (and the
 * leader archiving there interrupts the tenant's round).
 *
 * Returns the first server host of `s` whose shared directory holding `dir` is unmounted.
 */
export function hostWithoutMount(labDir: string, s: ClusterState, dir: string): string | undefined {
  let hosts: { name: string; hostDir: string }[];
  try {
    hosts = readLabJson(labDir).hosts;
  } catch {
    return undefined;
  }
  const wanted = path.resolve(dir);
  for (const sv of s.servers) {
    const lost = unmountedPath(hosts.find((h) => h.name === sv.host)?.hostDir);
    if (lost && (wanted === path.resolve(lost) || wanted.startsWith(path.resolve(lost) + path.sep))) return sv.host;
  }
  return undefined;
}
