/**
 * Reading a policy's actual state: one SQL session (mysql2 over a direct-tcpip channel of the
 * cluster host's pooled SSH connection: the password travels only in the MySQL handshake), one
 * query per view family, and one SSH command on the job host.
 */
import type { Duplex } from "node:stream";
import type { RunContext } from "../converge";
import { READ, READ4, isV4, parseOption, versionFrom } from "./sql";
import { parseJobState, readJobCommand, type JobHostState } from "./commands";

export interface BackupSetRow {
  readonly setId: number;
  readonly mode: "full" | "incremental";
  readonly status: string;
  readonly fileStatus: string;
  readonly start: string | null;
  readonly end: string | null;
  readonly bytes: number;
}

/** 4.x: one user tenant's backup state. */
export interface TenantBackupState {
  readonly id: number;
  readonly name: string;
  /** LOG_ARCHIVE_DEST's attributes (CDB_OB_ARCHIVE_DEST: path, piece_switch_interval, state, ...). */
  readonly archiveDest: Record<string, string>;
  readonly archiveStatus: string;
  readonly archiveRound: number;
  readonly dataDest: string;
  readonly running: { setId: number; mode: string; start: string | null }[];
  readonly sets: BackupSetRow[];
  /** The delete policy's recovery window in days, or null without one. */
  readonly recoveryWindowDays: number | null;
  /** When the current archive round started, and the last major compaction finished (ms, 0 when unknown). */
  readonly archiveStartMs: number;
  readonly lastCompactionMs: number;
}

export interface ClusterBackupState {
  readonly version: string;
  /** 4.x only: every user tenant. */
  readonly tenants?: TenantBackupState[];
  readonly backupDest: string;
  readonly backupDestOption: Record<string, string>;
  readonly backupBackupDest: string;
  /** 3.x backup_backup_dest_option (the copies' expiry). */
  readonly backupBackupDestOption: Record<string, string>;
  readonly archiveStatus: string;
  readonly archiveRound: number;
  readonly sets: BackupSetRow[];
  /** 3.x backup of backups: the copies of sets (COPY_ID > 0). */
  readonly copies: BackupSetRow[];
  readonly running: { setId: number; mode: string; start: string | null }[];
  readonly mergeStatus: string;
  /** µs since the epoch, or 0. */
  readonly lastMergedTime: number;
  /** When the current archive round started (ms since the epoch, 0 when it has not). */
  readonly archiveStartMs: number;
}

export interface PolicyActual {
  readonly cluster: ClusterBackupState;
  readonly job: JobHostState;
}

type Row = Record<string, unknown>;

/** The subset of mysql2's promise connection the reads use. */
export interface SqlSession {
  query(sql: string): Promise<[unknown, unknown]>;
  end(): Promise<void>;
}

export async function openSession(ctx: RunContext, connKey: string, ep: { host: string; port: number; password: string }): Promise<SqlSession> {
  const { stream, hostKey, proxyHostKey } = await ctx.pool.forward(ctx.target(connKey), ep.host, ep.port);
  ctx.recordHostKeys(connKey, { hostKey, proxyHostKey });
  // mysql2 loads lazily: a DM-only program never pays for it.
  const mysql = (await import("mysql2/promise")) as typeof import("mysql2/promise");
  try {
    return (await mysql.createConnection({ stream: stream as Duplex as never, user: "root@sys", password: ep.password, connectTimeout: 20_000, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true })) as unknown as SqlSession;
  } catch (err) {
    stream.destroy();
    const e = err as { code?: string; errno?: number; sqlMessage?: string; message: string };
    throw new Error(`cannot log in to OceanBase at ${ep.host}:${ep.port} through ${connKey} as root@sys: ${e.errno ? `ERROR ${e.errno}: ` : ""}${e.sqlMessage ?? e.message} (check cluster.password and cluster.host/port)`);
  }
}

/** How a read's error begins when OceanBase answered and refused the query (not when it could not be reached). */
export const REFUSED_READ = "OceanBase refused a read";

export async function rows(s: SqlSession, sql: string): Promise<Row[]> {
  try {
    const [r] = await s.query(sql);
    return (r as Row[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])));
  } catch (err) {
    const e = err as { errno?: number; sqlMessage?: string; message: string };
    throw new Error(`${REFUSED_READ} (${sql}): ${e.errno ? `ERROR ${e.errno}: ` : ""}${e.sqlMessage ?? e.message}`);
  }
}

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const num = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));
/** OceanBase prints datetimes in the session's zone; the product's sessions run in UTC. */
const datetimeMs = (v: unknown): number => {
  const t = v === null || v === undefined || v === "" ? Number.NaN : Date.parse(`${String(v).replace(" ", "T").replace(/(\.\d{3})\d*$/, "$1")}Z`);
  return Number.isFinite(t) ? t : 0;
};

export async function readCluster(s: SqlSession): Promise<ClusterBackupState> {
  // Datetimes come back in the session's zone (OceanBase's default is +08:00): read them in UTC.
  await s.query("SET time_zone = '+00:00'");
  const comment = str((await rows(s, READ.version))[0]?.version_comment);
  const version = versionFrom(comment);
  if (!version) throw new Error(`cannot tell the OceanBase version from @@version_comment ${JSON.stringify(comment)}`);
  if (isV4(version)) return readCluster4(s, version);
  const params = await rows(s, READ.params3);
  const param = (name: string) => str(params.find((p) => p.name === name)?.value);
  const archive = (await rows(s, READ.archive3))[0];
  const setRows = await rows(s, READ.sets3);
  const setRow = (r: Row): BackupSetRow => ({ setId: num(r.bs_key), mode: r.backup_type === "D" ? "full" : "incremental", status: str(r.status), fileStatus: str(r.file_status), start: r.start_time == null ? null : str(r.start_time), end: r.completion_time == null ? null : str(r.completion_time), bytes: num(r.output_bytes) });
  const sets = setRows.filter((r) => num(r.copy_id) === 0).map(setRow);
  const copies = setRows.filter((r) => num(r.copy_id) > 0).map(setRow);
  const running = (await rows(s, READ.running3)).map((r) => ({ setId: num(r.bs_key), mode: r.backup_type === "D" ? "full" : "incremental", start: r.start_time == null ? null : str(r.start_time) }));
  const zone = await rows(s, READ.zone3);
  const z = (name: string) => zone.find((r) => r.name === name);
  return {
    version,
    backupDest: param("backup_dest"),
    backupDestOption: parseOption(param("backup_dest_option")),
    backupBackupDest: param("backup_backup_dest"),
    backupBackupDestOption: parseOption(param("backup_backup_dest_option")),
    archiveStatus: str(archive?.status) || "STOP",
    archiveRound: num(archive?.log_archive_round),
    sets,
    copies,
    running,
    mergeStatus: str(z("merge_status")?.info),
    lastMergedTime: num(z("last_merged_time")?.value),
    archiveStartMs: datetimeMs(archive?.min_first_time),
  };
}

async function readCluster4(s: SqlSession, version: string): Promise<ClusterBackupState> {
  const tenants = await rows(s, READ4.tenants);
  const dests = await rows(s, READ4.archiveDest);
  const archive = await rows(s, READ4.archive);
  const params = await rows(s, READ4.params);
  const jobs = await rows(s, READ4.jobs);
  const sets = await rows(s, READ4.sets);
  const policies = await rows(s, READ4.deletePolicy);
  const compaction = await rows(s, READ4.compaction);
  const byTenant = (list: Row[], id: number) => list.filter((r) => num(r.tenant_id) === id);
  const mode = (t: unknown) => (t === "FULL" ? "full" : "incremental");
  const states = tenants.map((t): TenantBackupState => {
    const id = num(t.tenant_id);
    const a = byTenant(archive, id)[0];
    const window = byTenant(policies, id)[0];
    return {
      id,
      name: str(t.tenant_name),
      archiveDest: Object.fromEntries(byTenant(dests, id).map((r) => [str(r.name).toLowerCase(), str(r.value)])),
      archiveStatus: str(a?.status) || "STOP",
      archiveRound: num(a?.round_id),
      dataDest: str(byTenant(params, id).find((r) => str(r.name).toLowerCase() === "data_backup_dest")?.value),
      running: byTenant(jobs, id).map((r) => ({ setId: num(r.backup_set_id), mode: mode(r.backup_type), start: r.start_timestamp == null ? null : str(r.start_timestamp) })),
      sets: byTenant(sets, id).map((r): BackupSetRow => ({ setId: num(r.backup_set_id), mode: mode(r.backup_type), status: str(r.status), fileStatus: str(r.file_status), start: r.start_timestamp == null ? null : str(r.start_timestamp), end: r.end_timestamp == null ? null : str(r.end_timestamp), bytes: num(r.data_bytes) })),
      recoveryWindowDays: window ? num(str(window.recovery_window).replace(/d$/i, "")) : null,
      archiveStartMs: datetimeMs(a?.start_scn_display),
      lastCompactionMs: datetimeMs(byTenant(compaction, id)[0]?.last_finish_time),
    };
  });
  return { version, tenants: states, backupDest: "", backupDestOption: {}, backupBackupDest: "", backupBackupDestOption: {}, archiveStatus: "", archiveRound: 0, sets: [], copies: [], running: [], mergeStatus: "", lastMergedTime: 0, archiveStartMs: 0 };
}

export async function readPolicy(ctx: RunContext, clusterKey: string, jobKey: string, ep: { host: string; port: number; password: string }, policy: string): Promise<PolicyActual> {
  const [cluster, job] = await Promise.all([
    (async () => {
      const s = await openSession(ctx, clusterKey, ep);
      try {
        return await readCluster(s);
      } finally {
        await s.end().catch(() => undefined);
      }
    })(),
    (async () => {
      const r = await ctx.exec(jobKey, readJobCommand(policy));
      if (r.code !== 0) throw new Error(`reading the job host ${jobKey} failed (exit ${r.code}): ${r.stderr.trim()}`);
      return parseJobState(r.stdout);
    })(),
  ]);
  return { cluster, job };
}
