/** What the BackupPolicy planners of both versions share. */
import type { Operation } from "../core/operation";
import { connectionKey, parseConnection } from "../core/connection";
import type { SqlEndpoint, Target } from "./commands";
import { fileTest, ossTest, type StorageHosts } from "./storage";
import type { BackupPolicySpec } from "./schema";
import { destOption, parseOption } from "./sql";

/** The plan cannot be made safely from this state: refused before any step, saying why. */
export class PlanRefusal extends Error {
  override readonly name = "PlanRefusal";
}

export const ARCHIVE_WAIT_SECONDS = 120;
export const COMPACTION_WAIT_SECONDS = 3600;

/**
 * A version's cluster-side steps: the storages to test first (their destinations change), the
 * SQL (`statements`, each reason in `why`), the ARCHIVELOG statements apart (`restart`: on a
 * destination change they run only after keys.fp is written, so that an up cut in between leaves
 * archiving STOP and the next up applies the destination again), and the waits.
 */
/** STOP, or INTERRUPTED, which the plan stops first (nothing is being archived then: stopping loses nothing). */
export const stopOrInterrupted = (status: string): boolean => status === "STOP" || status === "INTERRUPTED";

export interface ClusterSteps {
  readonly testStorage: Pick<BackupPolicySpec["storage"], "file" | "oss">[];
  readonly statements: string[];
  readonly why: string[];
  readonly restart: string[];
  readonly restartWhy: string[];
  readonly wait: Operation[];
  /** An INTERRUPTED round: NOARCHIVELOG and the wait for STOP, run once the storage test passed from every OBServer host. */
  readonly stop: Operation[];
}

function target(conn: BackupPolicySpec["job"]["connection"]): Target {
  const c = parseConnection(conn);
  return { host: c.host, connKey: connectionKey(c) };
}

/** Where SQL runs (`cluster`), the other OBServers' hosts (`servers`, for the storage test) and the job host. */
export function targets(spec: BackupPolicySpec): { cluster: Target; servers: Target[]; job: Target } {
  const cluster = target(spec.cluster.connection);
  const servers = (spec.cluster.servers ?? []).map((s) => target(s.connection)).filter((t, i, all) => t.connKey !== cluster.connKey && all.findIndex((x) => x.connKey === t.connKey) === i);
  return { cluster, servers, job: target(spec.job.connection) };
}

/** The storage test's hosts: every OBServer host the policy knows, and the job host. */
export function storageHosts(spec: BackupPolicySpec): StorageHosts {
  const t = targets(spec);
  return { observers: [t.cluster, ...t.servers], job: t.job };
}

export interface StorageSteps {
  readonly write: Operation[];
  readonly read: Operation[];
  readonly remove: Operation[];
}

/** The storage test's steps for a storage (written first, read from the other hosts, the marker removed). */
export function storageTest(spec: BackupPolicySpec, storage: Pick<BackupPolicySpec["storage"], "file" | "oss"> = spec.storage): StorageSteps {
  const h = storageHosts(spec);
  if (storage.file) return fileTest(storage.file.path, spec.name, h);
  return { write: ossTest(storage.oss!, spec.name, h), read: [], remove: [] };
}

export const endpoint = (spec: BackupPolicySpec): SqlEndpoint => ({ host: spec.cluster.host, port: spec.cluster.port, password: spec.cluster.password });

export const windowDays = (spec: BackupPolicySpec): number => (spec.cleanup.enabled ? spec.cleanup.expiryDays : 0);

/**
 * Days after which the secondary's copies expire; 0 (never) unless `secondary.expiryDays` is
 * declared: the copies were kept for ever before that field existed (OCP's page shows no expiry
 * for them), so a stack that does not ask keeps them.
 */
export const copyWindowDays = (spec: BackupPolicySpec): number => spec.secondary?.expiryDays ?? 0;

/** 3.x backup_dest_option as this product sets it. */
export function desiredOption(spec: BackupPolicySpec): Record<string, string> {
  return parseOption(destOption({ recoveryWindowDays: windowDays(spec), pieceSwitchDays: spec.logBackup.pieceSwitchDays }));
}
