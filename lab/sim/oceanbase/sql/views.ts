import { parseDestOption } from "../progress";
import { displayDest } from "../oss/signature";
import { ClusterState, isV4, userTenants } from "../state";
import type { Row, Table } from "./select";
import { zoneInfoRows } from "../standby/views";

/**
 * The dictionary views and inner tables the stand-in serves, computed from the cluster state.
 * Column names and values as OceanBase's docs list them (spec: oceanbase-source-check.md):
 * 3.x `CDB_OB_BACKUP_*` keyed by BS_KEY with BACKUP_TYPE D/I; 4.x `CDB_OB_*` keyed by
 * BACKUP_SET_ID with BACKUP_TYPE FULL/INC.
 */
export function datetime(ms: number | null): string | null {
  if (ms === null) return null;
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "000");
}

const scn = (ms: number | null): number | null => (ms === null ? null : ms * 1_000_000);

function table(columns: string[], rows: Row[]): Table {
  return { columns, rows };
}

const V3: Record<string, (s: ClusterState, now: number) => Table> = {
  CDB_OB_BACKUP_ARCHIVELOG: (s, now) =>
    table(
      ["INCARNATION", "LOG_ARCHIVE_ROUND", "TENANT_ID", "STATUS", "START_PIECE_ID", "BACKUP_PIECE_ID", "MIN_FIRST_TIME", "MAX_NEXT_TIME", "BACKUP_DEST"],
      s.tenants.map((t) => {
        const a = s.archive[String(t.id)];
        return { INCARNATION: 1, LOG_ARCHIVE_ROUND: a?.round ?? 0, TENANT_ID: t.id, STATUS: a?.status ?? "STOP", START_PIECE_ID: a && a.pieceSwitchDays > 0 ? 1 : 0, BACKUP_PIECE_ID: a && a.pieceSwitchDays > 0 ? 1 : 0, MIN_FIRST_TIME: datetime(a?.startedAt ?? null), MAX_NEXT_TIME: a?.status === "DOING" ? datetime(now) : datetime(a?.changedAt ?? null), BACKUP_DEST: displayDest(a?.dest ?? "") };
      }),
    ),
  CDB_OB_BACKUP_SET_FILES: (s) =>
    table(
      ["INCARNATION", "TENANT_ID", "BS_KEY", "COPY_ID", "BACKUP_TYPE", "ENCRYPTION_MODE", "STATUS", "FILE_STATUS", "START_TIME", "COMPLETION_TIME", "ELAPSED_SECONDES", "KEEP", "OUTPUT_BYTES", "RESULT", "BACKUP_DEST"],
      [
        ...s.sets.map((x) => ({ INCARNATION: 1, TENANT_ID: x.tenantId, BS_KEY: x.setId, COPY_ID: 0, BACKUP_TYPE: x.type === "full" ? "D" : "I", ENCRYPTION_MODE: "NONE", STATUS: x.status, FILE_STATUS: x.fileStatus, START_TIME: datetime(x.start), COMPLETION_TIME: datetime(x.end), ELAPSED_SECONDES: Math.round((x.end - x.start) / 1000), KEEP: "NO", OUTPUT_BYTES: x.bytes, RESULT: x.result ?? (x.status === "FAILED" ? -9000 : 0), BACKUP_DEST: displayDest(x.dest) })),
        // Backup of backups: a finished copy of a set is the same set with the next COPY_ID.
        ...(s.copies ?? []).filter((c) => c.kind === "set" && c.status !== "RUNNING").flatMap((c) => {
          const x = s.sets.find((y) => y.tenantId === c.tenantId && y.setId === c.id);
          return x ? [{ INCARNATION: 1, TENANT_ID: c.tenantId, BS_KEY: c.id, COPY_ID: c.copyId, BACKUP_TYPE: x.type === "full" ? "D" : "I", ENCRYPTION_MODE: "NONE", STATUS: c.status === "SUCCESS" ? "SUCCESS" : "FAILED", FILE_STATUS: c.status === "SUCCESS" ? c.fileStatus ?? "AVAILABLE" : "INCOMPLETE", START_TIME: datetime(c.start), COMPLETION_TIME: datetime(c.end), ELAPSED_SECONDES: Math.round(((c.end ?? c.start) - c.start) / 1000), KEEP: "NO", OUTPUT_BYTES: x.bytes, RESULT: c.status === "SUCCESS" ? 0 : -9000, BACKUP_DEST: displayDest(c.dest) }] : [];
        }),
      ],
    ),
  CDB_OB_BACKUP_PIECE_FILES: (s) =>
    table(
      ["INCARNATION", "TENANT_ID", "ROUND_ID", "BACKUP_PIECE_ID", "COPY_ID", "STATUS", "FILE_STATUS", "BACKUP_DEST"],
      [
        ...Object.entries(s.archive).filter(([, a]) => a.startedAt !== null).map(([t, a]) => ({ INCARNATION: 1, TENANT_ID: Number(t), ROUND_ID: a.round, BACKUP_PIECE_ID: a.pieceSwitchDays > 0 ? 1 : 0, COPY_ID: 0, STATUS: a.status === "DOING" ? "ACTIVE" : "FROZEN", FILE_STATUS: "AVAILABLE", BACKUP_DEST: displayDest(a.dest) })),
        ...(s.copies ?? []).filter((c) => c.kind === "piece" && c.status !== "RUNNING").map((c) => ({ INCARNATION: 1, TENANT_ID: c.tenantId, ROUND_ID: c.id, BACKUP_PIECE_ID: 1, COPY_ID: c.copyId, STATUS: "FROZEN", FILE_STATUS: c.status === "SUCCESS" ? c.fileStatus ?? "AVAILABLE" : "INCOMPLETE", BACKUP_DEST: displayDest(c.dest) })),
      ],
    ),
  CDB_OB_BACKUP_PROGRESS: (s) =>
    table(
      ["INCARNATION", "TENANT_ID", "BS_KEY", "BACKUP_TYPE", "START_TIME", "COMPLETION_TIME", "STATUS"],
      s.jobs.filter((j) => j.status === "RUNNING").map((j) => ({ INCARNATION: 1, TENANT_ID: j.tenantId, BS_KEY: j.setId, BACKUP_TYPE: j.type === "full" ? "D" : "I", START_TIME: datetime(j.start), COMPLETION_TIME: null, STATUS: "RUNNING" })),
    ),
  CDB_OB_BACKUP_CLEAN_HISTORY: (s) =>
    table(["TENANT_ID", "BS_KEY", "START_TIME", "END_TIME", "TYPE", "STATUS", "PARAMETER", "ERROR_MSG"], s.clean.map((c) => ({ TENANT_ID: c.tenantId, BS_KEY: c.setId, START_TIME: datetime(c.start), END_TIME: datetime(c.end), TYPE: c.type, STATUS: "STOP", PARAMETER: "", ERROR_MSG: "" }))),
  __ALL_ZONE: (s) => {
    const m = s.merge["0"];
    const global: Row[] = [
      { ZONE: "", NAME: "frozen_version", VALUE: m.frozenVersion, INFO: "" },
      { ZONE: "", NAME: "last_merged_version", VALUE: m.lastMergedVersion, INFO: "" },
      { ZONE: "", NAME: "global_broadcast_version", VALUE: m.frozenVersion, INFO: "" },
      { ZONE: "", NAME: "merge_status", VALUE: m.status === "IDLE" ? 0 : 1, INFO: m.status },
      { ZONE: "", NAME: "last_merged_time", VALUE: m.lastMergedAt * 1000, INFO: "" },
      { ZONE: "", NAME: "is_merge_error", VALUE: 0, INFO: "" },
    ];
    const zones = [...new Set(s.servers.map((x) => x.zone))].flatMap((z): Row[] => [
      { ZONE: z, NAME: "last_merged_version", VALUE: m.lastMergedVersion, INFO: "" },
      { ZONE: z, NAME: "merge_status", VALUE: m.status === "IDLE" ? 0 : 1, INFO: m.status },
    ]);
    return table(["ZONE", "NAME", "VALUE", "INFO"], [...global, ...zones, ...zoneInfoRows(s)]);
  },
  __ALL_TENANT: (s) => table(["TENANT_ID", "TENANT_NAME"], s.tenants.map((t) => ({ TENANT_ID: t.id, TENANT_NAME: t.name }))),
};

const V4: Record<string, (s: ClusterState, now: number) => Table> = {

  CDB_OB_ARCHIVELOG: (s, now) =>
    table(
      ["TENANT_ID", "DEST_ID", "ROUND_ID", "INCARNATION", "DEST_NO", "STATUS", "START_SCN", "START_SCN_DISPLAY", "CHECKPOINT_SCN", "CHECKPOINT_SCN_DISPLAY", "PIECE_SWITCH_INTERVAL", "PATH", "COMMENT"],
      userTenants(s).flatMap((t) => {
        const a = s.archive[String(t.id)];
        if (!a || a.round === 0) return [];
        const cp = a.status === "DOING" ? now : a.changedAt;
        return [{ TENANT_ID: t.id, DEST_ID: 1001, ROUND_ID: a.round, INCARNATION: 1, DEST_NO: 0, STATUS: a.status, START_SCN: scn(a.startedAt), START_SCN_DISPLAY: datetime(a.startedAt), CHECKPOINT_SCN: scn(cp), CHECKPOINT_SCN_DISPLAY: datetime(cp), PIECE_SWITCH_INTERVAL: `${a.pieceSwitchDays}d`, PATH: displayDest(a.dest), COMMENT: a.comment ?? "" }];
      }),
    ),
  CDB_OB_ARCHIVE_DEST: (s) =>
    table(
      ["TENANT_ID", "DEST_NO", "NAME", "VALUE"],
      userTenants(s).flatMap((t) => {
        const p = s.tenantParams[String(t.id)] ?? {};
        if (!p.log_archive_dest) return [];
        const d = parseArchiveDest(p.log_archive_dest);
        return [
          { TENANT_ID: t.id, DEST_NO: 0, NAME: "binding", VALUE: (d.BINDING ?? "OPTIONAL").toUpperCase() },
          { TENANT_ID: t.id, DEST_NO: 0, NAME: "dest_id", VALUE: "1001" },
          { TENANT_ID: t.id, DEST_NO: 0, NAME: "path", VALUE: displayDest(d.LOCATION ?? "") },
          { TENANT_ID: t.id, DEST_NO: 0, NAME: "piece_switch_interval", VALUE: d.PIECE_SWITCH_INTERVAL ?? "1d" },
          { TENANT_ID: t.id, DEST_NO: 0, NAME: "state", VALUE: (p.log_archive_dest_state ?? "ENABLE").toUpperCase() },
        ];
      }),
    ),
  CDB_OB_BACKUP_PARAMETER: (s) =>
    table(["TENANT_ID", "NAME", "VALUE"], userTenants(s).map((t) => ({ TENANT_ID: t.id, NAME: "data_backup_dest", VALUE: displayDest(s.tenantParams[String(t.id)]?.data_backup_dest ?? "") }))),
  CDB_OB_BACKUP_JOBS: (s) => jobs4(s, true),
  CDB_OB_BACKUP_JOB_HISTORY: (s) => jobs4(s, false),
  CDB_OB_BACKUP_SET_FILES: (s) =>
    table(
      ["TENANT_ID", "BACKUP_SET_ID", "DEST_ID", "BACKUP_TYPE", "PREV_FULL_BACKUP_SET_ID", "START_TIMESTAMP", "END_TIMESTAMP", "STATUS", "FILE_STATUS", "DATA_BYTES", "PATH"],
      s.sets.map((x) => ({ TENANT_ID: x.tenantId, BACKUP_SET_ID: x.setId, DEST_ID: 1002, BACKUP_TYPE: x.type === "full" ? "FULL" : "INC", PREV_FULL_BACKUP_SET_ID: 0, START_TIMESTAMP: datetime(x.start), END_TIMESTAMP: datetime(x.end), STATUS: x.status, FILE_STATUS: x.fileStatus, DATA_BYTES: x.bytes, PATH: displayDest(x.dest) })),
    ),
  CDB_OB_BACKUP_DELETE_POLICY: (s) =>
    table(["TENANT_ID", "POLICY_NAME", "RECOVERY_WINDOW"], Object.entries(s.deletePolicies).map(([id, p]) => ({ TENANT_ID: Number(id), POLICY_NAME: p.name, RECOVERY_WINDOW: `${p.windowDays}d` }))),
  CDB_OB_BACKUP_DELETE_JOB_HISTORY: (s) =>
    table(["TENANT_ID", "BACKUP_SET_ID", "START_TIMESTAMP", "END_TIMESTAMP", "TYPE", "STATUS"], s.clean.map((c) => ({ TENANT_ID: c.tenantId, BACKUP_SET_ID: c.setId, START_TIMESTAMP: datetime(c.start), END_TIMESTAMP: datetime(c.end), TYPE: c.type, STATUS: "COMPLETED" }))),
  CDB_OB_MAJOR_COMPACTION: (s) =>
    table(
      ["TENANT_ID", "FROZEN_SCN", "LAST_SCN", "STATUS", "IS_ERROR", "LAST_FINISH_TIME"],
      s.tenants.map((t) => {
        const m = s.merge[String(t.id)] ?? s.merge["0"];
        return { TENANT_ID: t.id, FROZEN_SCN: m.frozenVersion, LAST_SCN: m.lastMergedVersion, STATUS: m.status === "IDLE" ? "IDLE" : "COMPACTING", IS_ERROR: "NO", LAST_FINISH_TIME: datetime(m.lastMergedAt) };
      }),
    ),
};

function jobs4(s: ClusterState, running: boolean): Table {
  return table(
    ["TENANT_ID", "JOB_ID", "BACKUP_SET_ID", "PLUS_ARCHIVELOG", "BACKUP_TYPE", "JOB_LEVEL", "START_TIMESTAMP", "END_TIMESTAMP", "STATUS", "RESULT", "COMMENT", "PATH"],
    s.jobs
      .filter((j) => (j.status === "RUNNING") === running)
      .map((j) => ({ TENANT_ID: j.tenantId, JOB_ID: j.id, BACKUP_SET_ID: j.setId, PLUS_ARCHIVELOG: "OFF", BACKUP_TYPE: j.type === "full" ? "FULL" : "INC", JOB_LEVEL: "USER_TENANT", START_TIMESTAMP: datetime(j.start), END_TIMESTAMP: datetime(j.end), STATUS: j.status === "RUNNING" ? "DOING" : j.status, RESULT: j.result ?? (j.status === "FAILED" ? -9000 : 0), COMMENT: j.comment, PATH: displayDest(j.dest) })),
  );
}

/** `LOCATION=file:///x BINDING=Optional PIECE_SWITCH_INTERVAL=1d` → attributes, keys upper-case. */
export function parseArchiveDest(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of text.trim().split(/\s+/)) {
    if (word === "") continue;
    const eq = word.indexOf("=");
    if (eq <= 0) out[word.toUpperCase()] = "";
    else out[word.slice(0, eq).toUpperCase()] = word.slice(eq + 1);
  }
  return out;
}

/** A view or inner table by the name a query uses (`oceanbase.` prefix optional, any case). */
export function viewTable(s: ClusterState, name: string, now: number): Table | undefined {
  const bare = name.replace(/^oceanbase\./i, "").toUpperCase();
  const views = isV4(s) ? V4 : V3;
  const f = views[bare];
  return f ? f(s, now) : undefined;
}

/** Rows of `SHOW PARAMETERS`: one per server, as the real command lists them. */
export function parameterRows(s: ClusterState): Row[] {
  const names: Record<string, string> = { cluster: s.name, cluster_id: String(s.clusterId) };
  if (!isV4(s)) {
    names.backup_dest = displayDest(s.params.backup_dest ?? "");
    names.backup_dest_option = s.params.backup_dest_option ?? "";
    names.backup_backup_dest = displayDest(s.params.backup_backup_dest ?? "");
    names.backup_backup_dest_option = s.params.backup_backup_dest_option ?? "";
    names.backup_log_archive_option = s.params.backup_log_archive_option ?? "OPTIONAL COMPRESSION=ENABLE";
  }
  for (const [k, v] of Object.entries(s.params)) if (!(k in names)) names[k] = v;
  return s.servers.flatMap((sv) =>
    Object.entries(names).map(([name, value]) => ({ ZONE: sv.zone, SVR_TYPE: "observer", SVR_IP: sv.address, SVR_PORT: sv.rpcPort, NAME: name, DATA_TYPE: null, VALUE: value, INFO: "", SECTION: "OBSERVER", SCOPE: "CLUSTER", SOURCE: "DEFAULT", EDIT_LEVEL: "DYNAMIC_EFFECTIVE" })),
  );
}

export const PARAMETER_COLUMNS = ["ZONE", "SVR_TYPE", "SVR_IP", "SVR_PORT", "NAME", "DATA_TYPE", "VALUE", "INFO", "SECTION", "SCOPE", "SOURCE", "EDIT_LEVEL"];

export { parseDestOption };
