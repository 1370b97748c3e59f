/**
 * The one way a replica gets its data: a backup of one member (offline with dmrman for a new
 * group's seed, online through disql from a running leader), copied to each target's host when
 * it is elsewhere, restored there (`RESTORE`; for an online set, DM's `<path>_<INSTANCE>`, with its
 * BAK_MAGIC and `RECOVER ... FOR STANDBY`; then `UPDATE DB_MAGIC`), the sets removed once every restore is done, then the MOUNT start.
 *
 * Every set is a directory of its own, named for the group, the purpose and the run
 * (`<path>/BACKUP_<group>_<purpose>_<run>`): two groups on one host with the same base path, or
 * two runs, never share one, so nothing is removed before a backup; after the restores the
 * sets this run made are removed (a failed run leaves its sets for inspection, and the next run
 * makes new ones).
 */
import { sh } from "../../../core/quote/sh";
import { files } from "../../commands";
import { targetOf, type Operation } from "../../ops";
import type { MemberSpec } from "../../schema";
import { onlineBackupSet, SQL } from "../../sql";
import { backupOp, copyDirOp, loginOf, restoreOps, shown, sqlOp, startOp, type Place } from "../common";
import type { GroupView } from "./view";

export interface ReplicaSource {
  /** The member backed up. */
  readonly from: MemberSpec;
  /** `offline`: dmrman on the stopped member (a new group's seed, 7.2.7.1); `online`: BACKUP through disql on the running leader. */
  readonly how: "offline" | "online";
  /** What the set is for, in its name: SEED, JOIN, CONVERT... */
  readonly purpose: string;
  /** An online SHADOW set (restores as a shadow replica, 7.5.2). */
  readonly shadowSet?: boolean;
  readonly reason: string;
}

export interface ReplicaTarget {
  readonly member: MemberSpec;
  /** RESTORE ... TO SHADOW (a normal set restored as a shadow replica, 7.5.1 way 2). */
  readonly toShadow?: boolean;
  readonly reason: string;
}

export interface Replication {
  /** Takes the set on the source's host. */
  readonly backup: Operation[];
  /** Per target: the copy (other host), RESTORE, RECOVER steps. */
  readonly restore: Operation[];
  /** Removes every set directory this run made (source and copies); after all restores. */
  readonly cleanup: Operation[];
  /** The targets' MOUNT starts (a RAFT member always starts with MOUNT). */
  readonly start: (reason: string) => Operation[];
}

/** A bare DM identifier (dmrman's `TO <name>`), unique per group, purpose and run. */
export function backupName(v: GroupView, purpose: string): string {
  return `BACKUP_${v.spec.name}_${purpose}_${v.runId}`;
}

function removeSetOp(p: Place, dir: string): Operation {
  return { ...targetOf(p.connection), kind: "remove", describe: shown(`remove backup set ${dir} (${p.name})`, sh`rm -rf ${dir}`), command: sh`rm -rf ${dir}`, reason: "this run's backup set, no longer needed once restored", timeoutMs: 600_000 };
}

/** The leader's online backup, BAK_USE_AP = 2 around it (`SQL.onlineBackup`). */
function onlineBackupOp(v: GroupView, src: ReplicaSource, given: string): Operation {
  const inMemory = v.cat.catalog.memberBakUseAp?.[src.from.name.toUpperCase()] ?? null;
  const left = inMemory === 2 ? "" : inMemory === null ? "; its BAK_USE_AP was not read, so 2 stays in its memory until it restarts" : `; BAK_USE_AP goes back to ${inMemory} after the backup`;
  return sqlOp(
    loginOf(src.from),
    v.password(),
    SQL.onlineBackup(given, src.shadowSet, inMemory),
    src.reason + left,
    inMemory === 2 ? undefined : `A failed BACKUP leaves BAK_USE_AP = 2 in ${src.from.name}'s memory until it restarts (dm.ini is unchanged)`,
  );
}

export function replicate(v: GroupView, src: ReplicaSource, targets: readonly ReplicaTarget[]): Replication {
  const name = backupName(v, src.purpose);
  // DM writes an online set beside the path it is given, with the instance name appended.
  const given = files.backupSet(src.from, name);
  const setOnSource = src.how === "offline" ? given : onlineBackupSet(given, src.from.name);
  const backup =
    src.how === "offline"
      ? [backupOp(src.from, name, src.reason)]
      : [onlineBackupOp(v, src, given)];
  const restore: Operation[] = [];
  const made = new Map<string, Operation>([[`${targetOf(src.from.connection).connKey}\n${setOnSource}`, removeSetOp(src.from, setOnSource)]]);
  const sourceKey = targetOf(src.from.connection).connKey;
  for (const t of targets) {
    let set = setOnSource;
    const key = targetOf(t.member.connection).connKey;
    if (key !== sourceKey) {
      // the copy keeps the set's own name (…_<INSTANCE> for an online one)
      set = src.how === "offline" ? files.backupSet(t.member, name) : onlineBackupSet(files.backupSet(t.member, name), src.from.name);
      const k = `${key}\n${set}`;
      if (!made.has(k)) {
        restore.push(copyDirOp(src.from, setOnSource, t.member, set, `${t.member.name} is on another host than ${src.from.name}`));
        made.set(k, removeSetOp(t.member, set));
      }
    }
    restore.push(...restoreOps(t.member, set, t.reason, { toShadow: t.toShadow, online: src.how === "online" }));
  }
  return {
    backup,
    restore,
    cleanup: [...made.values()],
    start: (reason) => targets.map((t) => startOp(t.member, reason, true)),
  };
}
