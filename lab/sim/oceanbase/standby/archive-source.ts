/**
 * A 4.x standby tenant whose log restore source is its primary tenant's log archive on storage
 * both clusters see (`LOG_RESTORE_SOURCE = 'LOCATION=file:///…'`, spec oceanbase-source-check.md
 * §D): the location is the primary tenant's archive destination; the lab finds whose by the
 * destination's own `format` file (what the archiving server wrote there), so a directory that is
 * no archive is refused. The standby has the log the archive holds: while the round is DOING, up
 * to `REPLICATION.lagMs` ago, whether the primary's servers run or not (the archive is read, not
 * the primary); once it stopped, up to when it stopped.
 */
import * as fs from "fs";
import * as path from "path";
import { ObError } from "../errors";
import { isV4, type ClusterState } from "../state";
import { REPLICATION, keyOf, scnOf, stateKeyFor, tryRead } from "./model";
import type { RestoreSource } from "./tenant4";

const dirOf = (location: string) => (location.startsWith("file://") ? location.slice("file://".length) : undefined);

/** `LOCATION=…`: the source tenant the archive at `location` belongs to. */
export function resolveLocation(labDir: string, self: ClusterState, location: string): { source: RestoreSource; rootHash: string } {
  const dir = dirOf(location);
  // The lab's archives on OSS are not read back by a standby (a guess at how the real server words it).
  if (!dir) throw new ObError("notSupported", "log restore source LOCATION other than file:// in the lab");
  let format: { cluster?: string; clusterId?: number; tenantId?: number };
  try {
    format = JSON.parse(fs.readFileSync(path.join(dir, "format"), "utf8"));
  } catch {
    throw new ObError("invalidRestoreSource", `LOCATION=${location} (no log archive there)`);
  }
  const key = format.cluster && format.clusterId ? stateKeyFor(labDir, format.cluster, format.clusterId) : undefined;
  const src = tryRead(labDir, key);
  if (!key || !src || format.tenantId === undefined) throw new ObError("invalidRestoreSource", `LOCATION=${location} (no log archive there)`);
  if (!isV4(src)) throw new ObError("notSupported", `log restore source of OceanBase ${src.version}`);
  if (keyOf(src) === keyOf(self)) throw new ObError("opNotAllow", "log restore source in the same cluster");
  return { source: { service: "", location, user: "", key, tenantId: format.tenantId }, rootHash: src.tenantRootHash?.[String(format.tenantId)] ?? src.rootHash };
}

/** Up to which SCN (µs) the archive at the source's location holds the source tenant's log; undefined when it is gone. */
export function archivedScn(labDir: string, r: RestoreSource, lastScn: (s: ClusterState, tenantId: number) => number, now: number): number | undefined {
  const dir = r.location ? dirOf(r.location) : undefined;
  if (!dir || !fs.existsSync(path.join(dir, "format"))) return undefined;
  const src = tryRead(labDir, r.key);
  const a = src?.archive[String(r.tenantId)];
  if (!src || !a || a.dest.replace(/\/+$/, "") !== r.location!.replace(/\/+$/, "") || a.startedAt === null) return undefined;
  const up = src.tenantRoles?.[String(r.tenantId)];
  // A demoted primary wrote nothing after its last write.
  const upTo = up?.role === "STANDBY" ? Math.max(up.appliedScn, lastScn(src, r.tenantId)) : Infinity;
  const until = a.status === "DOING" ? now - REPLICATION.lagMs : a.changedAt;
  return Math.min(upTo, scnOf(until));
}
