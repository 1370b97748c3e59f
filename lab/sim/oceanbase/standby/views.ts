/**
 * The views of a primary/standby pair: 3.x (spec oceanbase-source-check.md §C): V$OB_CLUSTER on
 * either side, V$OB_STANDBY_STATUS on the primary (a row per standby), `__all_server` (each
 * OBServer's zone, ports and whether it runs) and the zones' IDC and region rows of `__all_zone`;
 * 4.x DBA_OB_TENANTS with the tenants' roles, V$OB_LS_LOG_RESTORE_STATUS, CDB_OB_LOG_RESTORE_SOURCE
 * and DBA_OB_ACCESS_POINT.
 */
import type { Row, Table } from "../sql/select";
import { isV4, type ClusterState } from "../state";
import { logRestoreSourceRows, logRestoreStatusRows, tenantRoleColumns } from "./tenant4";
import { linkStatus, primarySwitchoverStatus, roleOf, scnOf, standbyScn, standbySwitchoverStatus, tryRead } from "./model";
import { servers } from "./registry";
import { zonesOf } from "./alter";
import { CLUSTER4_VIEWS } from "./cluster4";
import { allUnitView, isDeleting } from "./units";

function currentScn(labDir: string, s: ClusterState, now: number): number {
  return roleOf(s) === "PRIMARY" ? scnOf(now) : standbyScn(labDir, s, now);
}

const VIEWS: Record<string, (labDir: string, s: ClusterState, now: number) => Table> = {
  V$OB_CLUSTER: (labDir, s, now) => {
    const primary = roleOf(s) === "PRIMARY";
    const p = primary ? undefined : tryRead(labDir, s.replica?.primaryKey);
    const row: Row = {
      CLUSTER_ID: s.clusterId,
      CLUSTER_NAME: s.name,
      CREATED: null,
      CLUSTER_ROLE: roleOf(s),
      CLUSTER_STATUS: s.replica?.disabled ? "DISABLED" : "VALID",
      "SWITCHOVER#": s.replica?.switchovers ?? 0,
      SWITCHOVER_STATUS: s.replica?.disabled ? "NOT ALLOWED" : primary ? primarySwitchoverStatus(labDir, s, now) : standbySwitchoverStatus(labDir, s, now),
      SWITCHOVER_INFO: primary ? `SYNCED STANDBY CLUSTERS: ${(s.standbys ?? []).filter((l) => linkStatus(l, now) === "VALID").map((l) => l.clusterId).join(",")}` : "",
      CURRENT_SCN: currentScn(labDir, s, now),
      STANDBY_BECAME_PRIMARY_SCN: 0,
      PRIMARY_CLUSTER_ID: p ? p.clusterId : null,
      PROTECTION_MODE: "MAXIMUM PERFORMANCE",
      PROTECTION_LEVEL: "MAXIMUM PERFORMANCE",
      REDO_TRANSPORT_OPTIONS: "ASYNC NET_TIMEOUT = 30000000",
    };
    return { columns: Object.keys(row), rows: [row] };
  },
  V$OB_STANDBY_STATUS: (labDir, s, now) => {
    const columns = ["CLUSTER_ID", "CLUSTER_NAME", "CLUSTER_ROLE", "CLUSTER_STATUS", "CURRENT_SCN", "ROOTSERVICE_LIST", "REDO_TRANSPORT_OPTIONS", "PROTECTION_LEVEL", "SYNCHRONIZE_STATUS"];
    if (roleOf(s) !== "PRIMARY") return { columns, rows: [] };
    const rows = (s.standbys ?? []).map((l): Row => {
      const st = tryRead(labDir, l.key);
      return {
        CLUSTER_ID: l.clusterId,
        CLUSTER_NAME: l.name,
        CLUSTER_ROLE: "PHYSICAL STANDBY",
        CLUSTER_STATUS: st?.replica?.disabled ? "DISABLED" : linkStatus(l, now),
        CURRENT_SCN: st ? standbyScn(labDir, st, now) : 0,
        ROOTSERVICE_LIST: l.rsList || (st?.servers ?? []).map((x) => `${x.address}:${x.rpcPort}:${x.sqlPort}`).join(";"),
        REDO_TRANSPORT_OPTIONS: "ASYNC NET_TIMEOUT = 30000000",
        PROTECTION_LEVEL: "MAXIMUM PERFORMANCE",
        SYNCHRONIZE_STATUS: l.syncOff ? "DISABLED" : "OK",
      };
    });
    return { columns, rows };
  },
  __ALL_UNIT: (_labDir, s) => allUnitView(s),
  __ALL_SERVER: (labDir, s) => {
    const live = servers(labDir);
    const rows = s.servers.map((x, i): Row => {
      const e = live.find((l) => l.address === x.address && l.rpcPort === x.rpcPort && l.cluster === s.name && l.clusterId === s.clusterId);
      return { SVR_IP: x.address, SVR_PORT: x.rpcPort, ID: i + 1, ZONE: x.zone, INNER_PORT: x.sqlPort, WITH_ROOTSERVER: i === 0 ? 1 : 0, STATUS: isDeleting(s, x) ? "deleting" : e?.alive ? "active" : "inactive", BUILD_VERSION: `${e?.version ?? s.version}_1-lab`, START_SERVICE_TIME: e?.alive ? e.startedAt * 1000 : 0 };
    });
    return { columns: ["SVR_IP", "SVR_PORT", "ID", "ZONE", "INNER_PORT", "WITH_ROOTSERVER", "STATUS", "BUILD_VERSION", "START_SERVICE_TIME"], rows };
  },
};

/** 4.x: the tenants with their roles, the standby tenants' log restore, each tenant's SQL access points. */
const V4_VIEWS: Record<string, (labDir: string, s: ClusterState, now: number) => Table> = {
  DBA_OB_TENANTS: (labDir, s, now) => {
    const rows = s.tenants.map((t): Row => ({ TENANT_ID: t.id, TENANT_NAME: t.name, TENANT_TYPE: t.id === 1 ? "SYS" : "USER", STATUS: "NORMAL", ...tenantRoleColumns(labDir, s, t.id, now), LOG_MODE: s.archive[String(t.id)]?.status === "DOING" ? "ARCHIVELOG" : "NOARCHIVELOG" }));
    return { columns: ["TENANT_ID", "TENANT_NAME", "TENANT_TYPE", "STATUS", "TENANT_ROLE", "SWITCHOVER_STATUS", "SYNC_SCN", "READABLE_SCN", "RECOVERY_UNTIL_SCN", "LOG_MODE"], rows };
  },
  V$OB_LS_LOG_RESTORE_STATUS: (labDir, s, now) => ({ columns: ["TENANT_ID", "LS_ID", "SYNC_LSN", "SYNC_SCN", "SYNC_STATUS", "ERR_CODE", "COMMENT"], rows: logRestoreStatusRows(labDir, s, now) }),
  CDB_OB_LOG_RESTORE_SOURCE: (labDir, s) => ({ columns: ["TENANT_ID", "ID", "TYPE", "VALUE", "RECOVERY_UNTIL_SCN"], rows: logRestoreSourceRows(labDir, s) }),
  DBA_OB_ACCESS_POINT: (_labDir, s) => ({
    columns: ["TENANT_ID", "TENANT_NAME", "SVR_IP", "SQL_PORT"],
    rows: s.tenants.filter((t) => t.id !== 1).flatMap((t) => s.servers.map((x): Row => ({ TENANT_ID: t.id, TENANT_NAME: t.name, SVR_IP: x.address, SQL_PORT: x.sqlPort }))),
  }),
};

export function standbyView(labDir: string, s: ClusterState, name: string, now: number): Table | undefined {
  const bare = name.replace(/^oceanbase\./i, "").toUpperCase();
  const c4 = isV4(s) ? CLUSTER4_VIEWS[bare] : undefined;
  if (c4) return c4(s, labDir);
  const f = (isV4(s) ? V4_VIEWS[bare] : undefined) ?? VIEWS[bare];
  return f ? f(labDir, s, now) : undefined;
}

/** `__all_zone`'s per-zone `idc` and `region` rows. */
export function zoneInfoRows(s: ClusterState): Row[] {
  return zonesOf(s).flatMap((z): Row[] => [
    { ZONE: z, NAME: "idc", VALUE: 0, INFO: s.zoneInfo?.[z]?.idc ?? "" },
    { ZONE: z, NAME: "region", VALUE: 0, INFO: s.zoneInfo?.[z]?.region ?? "sys_region" },
  ]);
}
