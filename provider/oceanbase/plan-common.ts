/** What the BackupPolicy planners of both versions share. */
import type { Operation } from "../core/operation";
import { connectionKey, parseConnection } from "../core/connection";
import type { SqlEndpoint, Target } from "./commands";
import type { BackupPolicySpec } from "./schema";
import { destOption, parseOption } from "./sql";

/** The plan cannot be made safely from this state: refused before any step, saying why. */
export class PlanRefusal extends Error {
  override readonly name = "PlanRefusal";
}

export const ARCHIVE_WAIT_SECONDS = 120;
export const COMPACTION_WAIT_SECONDS = 3600;
export const STORAGE_MARKER = ".pulumi-dbcluster-storage-test";

/** A version's cluster-side steps: storage test writes, SQL, waits. */
export interface ClusterSteps {
  readonly storage: Operation[];
  readonly sql: Operation[];
  readonly wait: Operation[];
}

export function targets(spec: BackupPolicySpec): { cluster: Target; job: Target } {
  const c = parseConnection(spec.cluster.connection);
  const j = parseConnection(spec.job.connection);
  return { cluster: { host: c.host, connKey: connectionKey(c) }, job: { host: j.host, connKey: connectionKey(j) } };
}

export const endpoint = (spec: BackupPolicySpec): SqlEndpoint => ({ host: spec.cluster.host, port: spec.cluster.port, password: spec.cluster.password });

export const windowDays = (spec: BackupPolicySpec): number => (spec.cleanup.enabled ? spec.cleanup.expiryDays : 0);

/** 3.x backup_dest_option as this product sets it. */
export function desiredOption(spec: BackupPolicySpec): Record<string, string> {
  return parseOption(destOption({ recoveryWindowDays: windowDays(spec), pieceSwitchDays: spec.logBackup.pieceSwitchDays }));
}
