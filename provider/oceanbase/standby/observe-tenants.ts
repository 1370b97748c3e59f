/**
 * The outputs of a 4.x standby (`observed`): the standby tenants' roles and sources (kind and
 * address, CDB_OB_LOG_RESTORE_SOURCE's, never a password), the lag, the
 * standby cluster's servers and zones. Lag: for each standby tenant, its primary tenant's SYNC_SCN
 * minus its own (DBA_OB_TENANTS on both sides, read in one round, the primary's after the
 * standby's; 4.x SCNs are nanosecond timestamps), the largest of them in seconds: what
 * V$OB_LS_LOG_RESTORE_STATUS's SYNC_SCN trails by.
 */
import { clusterName4 } from "./plan-cluster4";
import { standbyView, type TenantsActual } from "./read-tenants";
import { showSource } from "./restore-source";
import type { StandbyClusterSpec } from "./schema";

export function lagSeconds4(s: StandbyClusterSpec, a: TenantsActual): number | null {
  const view = standbyView(a);
  if (!view || !a.primary.ok) return null;
  const primary = a.primary.view;
  const lags: number[] = [];
  for (const t of view.tenants.filter((x) => s.tenants === undefined || s.tenants.includes(x.name))) {
    const p = primary.tenants.find((x) => x.name === t.name);
    if (!p) continue;
    // Whichever side is the standby trails the other.
    const [ahead, behind] = t.role === "STANDBY" ? [p, t] : p.role === "STANDBY" ? [t, p] : [undefined, undefined];
    if (!ahead || !behind || behind.syncScn === 0) continue;
    lags.push(Math.max(0, ahead.syncScn - behind.syncScn));
  }
  return lags.length === 0 ? null : Math.round(Math.max(...lags) / 1e8) / 10;
}

export function observeTenants(s: StandbyClusterSpec, a: TenantsActual) {
  const view = standbyView(a);
  const mine = (view?.tenants ?? []).filter((t) => s.tenants === undefined || s.tenants.includes(t.name));
  const roles = [...new Set(mine.map((t) => t.role))];
  return {
    clusterName: clusterName4(s, a) ?? null,
    clusterId: s.clusterId,
    role: roles.length === 1 ? roles[0] : null,
    lagSeconds: lagSeconds4(s, a),
    tenants: mine.map((t) => ({ name: t.name, role: t.role, switchoverStatus: t.switchoverStatus, syncStatus: t.syncStatus || null, ...(t.source !== undefined ? { logRestoreSource: t.source && showSource(t.source) } : {}) })),
    primary: a.primary.ok ? { clusterName: a.primary.view.name, tenants: a.primary.view.tenants.map((t) => ({ name: t.name, role: t.role })) } : { unreachable: a.primary.error.split("\n")[0] },
    standbyCluster: view
      ? { version: view.version, servers: view.servers.map((x) => ({ address: x.address, zone: x.zone, status: x.status })), zones: Object.entries(view.zones).map(([name, z]) => ({ name, idc: z.idc, region: z.region })) }
      : { unreachable: a.standby === null ? "no observer runs" : !a.standby.ok ? a.standby.error.split("\n")[0] : "not bootstrapped" },
  };
}
