/**
 * `lab oceanbase fault --dir DIR --name NAME hang-backups|release-backups`: data backups that
 * never finish (as a stuck backup task would), so that a backup timeout can be seen; release
 * lets them finish on the next read.
 */
import * as path from "path";
import { labNow } from "../common/clock";
import { withState } from "./state";

export function obFault(dir: string, name: string, kind: string): { hangBackups: boolean } {
  if (kind !== "hang-backups" && kind !== "release-backups") throw new Error(`unknown oceanbase fault ${kind}: hang-backups or release-backups`);
  const now = labNow(path.resolve(dir));
  return withState(path.resolve(dir), name, (s) => {
    s.hangBackups = kind === "hang-backups";
    if (!s.hangBackups) for (const j of s.jobs) if (j.status === "RUNNING") j.resumedAt = now;
    return { hangBackups: s.hangBackups };
  });
}
