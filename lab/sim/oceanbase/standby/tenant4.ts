/**
 * 4.x physical standby tenants over the network (spec oceanbase-source-check.md §D): a standby
 * cluster's sys tenant creates a standby tenant whose log restore source is a primary tenant's
 * SQL service (`SERVICE=ip:port[;ip:port] USER=u@t PASSWORD=p`); the source is checked when it is
 * given (a live OBServer of a 4.x cluster at one of the addresses, the tenant there, the user's
 * password). Redo is pulled, not pushed: the standby tenant applies its source tenant's tables
 * `REPLICATION.lagMs` behind, after a first copy of `REPLICATION.copyMs`, while both clusters run.
 * Switchover demotes the primary first (SWITCHOVER TO STANDBY), then promotes the standby once it
 * has everything (SWITCHOVER TO PRIMARY); the old primary follows again once LOG_RESTORE_SOURCE is
 * set on it. ACTIVATE STANDBY TENANT is the lossy failover.
 */
import { ObError } from "../errors";
import { tokenize } from "../sql/select";
import { type ClusterState, isV4, tenantByName } from "../state";
import { doubleSha1Hex } from "../wire";
import { REPLICATION, keyOf, scnOf, snapshot, stateKeyFor, tryRead } from "./model";
import { archivedScn, resolveLocation } from "./archive-source";
import { clusterAlive, servers } from "./registry";
import { addTenantUnits } from "./units";

export type TenantRole = "PRIMARY" | "STANDBY";

export interface RestoreSource {
  /** As given, without the password ("" for a LOCATION source). */
  readonly service: string;
  /** `LOCATION=` sources: the archive's URI. */
  readonly location?: string;
  readonly user: string;
  /** A SERVICE source's password, kept in clear as the community edition keeps it (CDB_OB_LOG_RESTORE_SOURCE shows it, IS_ENCRYPTED=false). */
  readonly password?: string;
  /** The source cluster's state key and tenant. */
  readonly key: string;
  readonly tenantId: number;
}

export interface TenantReplica {
  role: TenantRole;
  source: RestoreSource | null;
  /** SCN (µs) up to which this tenant has its source's redo; for a demoted primary, its last write. */
  appliedScn: number;
  /** Lab ms the source was set: the first copy runs from then. */
  sourceSetAt: number;
}

export interface Tenant4Fields {
  /** By tenant id; a tenant absent here is a primary tenant. */
  tenantRoles?: Record<string, TenantReplica>;
  /** A standby tenant's users are its primary tenant's: root's password hash, by tenant id. */
  tenantRootHash?: Record<string, string>;
}

export const tenantRoleOf = (s: ClusterState, tenantId: number): TenantRole => s.tenantRoles?.[String(tenantId)]?.role ?? "PRIMARY";

/** The last SCN written in a tenant (its tables' creation and rows). */
function tenantLastScn(s: ClusterState, tenantId: number): number {
  let last = 0;
  for (const t of Object.values(s.data?.[String(tenantId)] ?? {})) {
    last = Math.max(last, t.createdScn, ...t.rows.map((r) => r.scn));
  }
  return last;
}

/** How far a standby tenant has its source's redo now (µs), without writing anything. */
export function tenantSyncScn(labDir: string, s: ClusterState, tenantId: number, now: number): number {
  const r = s.tenantRoles?.[String(tenantId)];
  if (!r) return scnOf(now);
  if (r.role !== "STANDBY" || !r.source || now < r.sourceSetAt + REPLICATION.copyMs) return r.appliedScn;
  if (r.source.location !== undefined) {
    const archived = clusterAlive(labDir, s) ? archivedScn(labDir, r.source, tenantLastScn, now) : undefined;
    return archived === undefined ? r.appliedScn : Math.max(r.appliedScn, archived);
  }
  const src = tryRead(labDir, r.source.key);
  if (!src || !clusterAlive(labDir, src) || !clusterAlive(labDir, s)) return r.appliedScn;
  const up = src.tenantRoles?.[String(r.source.tenantId)];
  // A demoted primary (or a standby upstream) has nothing newer than what it holds.
  const reach = up?.role === "STANDBY" ? Math.max(up.appliedScn, tenantLastScn(src, r.source.tenantId)) : scnOf(now - REPLICATION.lagMs);
  return Math.max(r.appliedScn, reach);
}

/** Applies each standby tenant's redo: its tables become its source tenant's as of the SCN it reached. */
export function settleTenants(labDir: string, s: ClusterState, now: number): void {
  for (const [id, r] of Object.entries(s.tenantRoles ?? {})) {
    if (r.role !== "STANDBY" || !r.source) continue;
    const scn = tenantSyncScn(labDir, s, Number(id), now);
    if (scn === r.appliedScn && s.data?.[id] !== undefined) continue;
    const src = tryRead(labDir, r.source.key);
    if (!src) continue;
    r.appliedScn = scn;
    s.data = { ...(s.data ?? {}), [id]: snapshot(src, scn)[String(r.source.tenantId)] ?? {} };
  }
}

const unquote = (s: string) => s.replace(/''/g, "'").replace(/\\(.)/g, "$1");

/** `SERVICE=ip:port[;ip:port] USER=user@tenant PASSWORD=p` (the value of LOG_RESTORE_SOURCE), checked against the lab's running servers. */
function resolveSource(labDir: string, self: ClusterState, value: string): { source: RestoreSource; rootHash: string } {
  const fields: Record<string, string> = {};
  for (const m of value.trim().matchAll(/([A-Za-z_]+)=(\S*)/g)) fields[m[1].toUpperCase()] = m[2];
  if (fields.LOCATION !== undefined) return resolveLocation(labDir, self, fields.LOCATION);
  if (!fields.SERVICE || !fields.USER || fields.PASSWORD === undefined) throw new ObError("invalidRestoreSource", value.replace(/PASSWORD=\S*/i, "PASSWORD=***"));
  const at = fields.USER.lastIndexOf("@");
  if (at <= 0) throw new ObError("invalidRestoreSource", `USER=${fields.USER}`);
  const [user, tenant] = [fields.USER.slice(0, at), fields.USER.slice(at + 1)];
  const alive = servers(labDir).filter((e) => e.alive);
  const hit = fields.SERVICE.split(";").map((a) => {
    const [address, port] = a.split(":");
    return alive.find((e) => e.address === address && e.sqlPort === Number(port));
  }).find((e) => e !== undefined);
  if (!hit) throw new ObError("restoreSourceUnreachable", fields.SERVICE);
  const key = stateKeyFor(labDir, hit.cluster, hit.clusterId);
  const src = tryRead(labDir, key);
  if (!key || !src) throw new ObError("restoreSourceUnreachable", fields.SERVICE);
  if (!isV4(src)) throw new ObError("notSupported", `log restore source of OceanBase ${src.version}`);
  if (keyOf(src) === keyOf(self)) throw new ObError("opNotAllow", "log restore source in the same cluster");
  const t = tenantByName(src, tenant);
  if (!t || t.id === 1) throw new ObError("restoreSourceAccessDenied", fields.USER, hit.address);
  const hash = src.tenantRootHash?.[String(t.id)] ?? src.rootHash;
  // The lab's tenants have root only (its password is root@sys's, or the primary tenant's).
  if (user !== "root" || doubleSha1Hex(fields.PASSWORD) !== hash) throw new ObError("restoreSourceAccessDenied", fields.USER, hit.address);
  return { source: { service: fields.SERVICE, user: fields.USER, password: fields.PASSWORD, key, tenantId: t.id }, rootHash: hash };
}

function stringAfter(raw: string, keyword: RegExp): string {
  const t = tokenize(raw);
  const i = t.findIndex((x) => x.t === "id" && keyword.test(x.v));
  const j = t[i + 1]?.v === "=" ? i + 2 : i + 1;
  if (i < 0 || t[j]?.t !== "str") throw new ObError("parse", raw.slice(0, 40));
  return t[j].v;
}

const nextTenantId = (s: ClusterState) => Math.max(1000, ...s.tenants.map((t) => t.id)) + 2;

/** `CREATE STANDBY TENANT [IF NOT EXISTS] t LOG_RESTORE_SOURCE [=] '...' [, option ...]` in a 4.x sys tenant. */
export function createStandbyTenant(labDir: string, s: ClusterState, sql: string, raw: string, now: number): void {
  const m = /^CREATE STANDBY TENANT (IF NOT EXISTS )?([A-Za-z_][A-Za-z0-9_]*|`[^`]+`) LOG_RESTORE_SOURCE\b/i.exec(sql);
  if (!m || !isV4(s)) throw new ObError("parse", sql.slice(0, 40));
  const name = m[2].replace(/`/g, "");
  if (tenantByName(s, name)) {
    if (m[1]) return;
    throw new ObError("tenantExist", name);
  }
  const value = unquote(stringAfter(raw, /^LOG_RESTORE_SOURCE$/i));
  // OceanBase checks a new standby tenant's source with the SERVICE parser only (the LOCATION one
  // has no such check: OB_NOT_SUPPORTED); an archive source is set afterwards by ALTER SYSTEM SET.
  if (/^\s*LOCATION=/i.test(value)) throw new ObError("notSupported", "create standby tenant with a LOCATION log restore source is");
  const { source, rootHash } = resolveSource(labDir, s, value);
  const id = nextTenantId(s);
  s.tenants.push({ id, name });
  s.merge[String(id)] = { ...s.merge["0"] };
  s.tenantRoles = { ...(s.tenantRoles ?? {}), [String(id)]: { role: "STANDBY", source, appliedScn: 0, sourceSetAt: now } };
  s.tenantRootHash = { ...(s.tenantRootHash ?? {}), [String(id)]: rootHash };
  s.data = { ...(s.data ?? {}), [String(id)]: {} };
  addTenantUnits(s, id);
}

function tenantArg(s: ClusterState, body: string): { id: number; name: string } {
  const m = /\bTENANT ?=? ?'?([A-Za-z_][A-Za-z0-9_]*)'?$/i.exec(body);
  if (!m) throw new ObError("opNotAllow", "without TENANT in the sys tenant, this statement is");
  const t = tenantByName(s, m[1]);
  if (!t || t.id === 1) throw new ObError("unknownTenant", m[1]);
  return t;
}

/** 4.x tenant role statements in sys; false when the statement is none of them. */
export function alterTenantRole(labDir: string, s: ClusterState, sql: string, raw: string, now: number): boolean {
  const body = sql.replace(/^ALTER SYSTEM /i, "");
  const roles = () => (s.tenantRoles ??= {});
  if (/^SWITCHOVER TO STANDBY\b/i.test(body)) {
    const t = tenantArg(s, body);
    if (tenantRoleOf(s, t.id) === "STANDBY") return true; // a no-op on a STANDBY/NORMAL tenant (ob_standby_service.cpp)
    roles()[String(t.id)] = { role: "STANDBY", source: null, appliedScn: tenantLastScn(s, t.id), sourceSetAt: now };
    return true;
  }
  if (/^SWITCHOVER TO PRIMARY\b/i.test(body)) {
    const t = tenantArg(s, body);
    const r = s.tenantRoles?.[String(t.id)];
    if (!r || r.role === "PRIMARY") return true;
    const src = r.source ? tryRead(labDir, r.source.key) : undefined;
    const up = r.source ? src?.tenantRoles?.[String(r.source.tenantId)] : undefined;
    // The primary is demoted first; the standby takes over once it has all of the old primary's log.
    if (!r.source || !src || up?.role !== "STANDBY") throw new ObError("switchoverToPrimaryNotAllowed", "the log restore source is not a standby tenant yet: switch the primary to standby first");
    if (tenantSyncScn(labDir, s, t.id, now) < Math.max(up.appliedScn, tenantLastScn(src, r.source.tenantId))) throw new ObError("switchoverToPrimaryNotAllowed", "the standby has not received all of the old primary's log yet");
    promote(labDir, s, t.id, now);
    return true;
  }
  if (/^ACTIVATE STANDBY\b/i.test(body)) {
    const t = tenantArg(s, body);
    if (tenantRoleOf(s, t.id) !== "STANDBY") throw new ObError("opNotAllow", "tenant role is not STANDBY, activate standby tenant is");
    promote(labDir, s, t.id, now);
    return true;
  }
  if (/^SET LOG_RESTORE_SOURCE\b/i.test(body)) {
    const t = tenantArg(s, body);
    const r = s.tenantRoles?.[String(t.id)];
    if (!r || r.role !== "STANDBY") throw new ObError("opNotAllow", "tenant role is not STANDBY, setting log restore source is");
    const value = unquote(stringAfter(raw, /^LOG_RESTORE_SOURCE$/i));
    if (value.trim() === "") {
      r.appliedScn = tenantSyncScn(labDir, s, t.id, now);
      r.source = null;
      return true;
    }
    const { source } = resolveSource(labDir, s, value);
    r.appliedScn = tenantSyncScn(labDir, s, t.id, now);
    // A former primary already holds the log up to where its successor started: no first copy.
    r.sourceSetAt = r.appliedScn > 0 ? now - REPLICATION.copyMs : now;
    r.source = source;
    return true;
  }
  return false;
}

function promote(labDir: string, s: ClusterState, tenantId: number, now: number): void {
  const r = s.tenantRoles![String(tenantId)];
  r.appliedScn = tenantSyncScn(labDir, s, tenantId, now);
  settleTenants(labDir, s, now);
  s.lastWriteScn = Math.max(s.lastWriteScn ?? 0, r.appliedScn);
  s.tenantRoles![String(tenantId)] = { role: "PRIMARY", source: null, appliedScn: r.appliedScn, sourceSetAt: now };
}

/** DBA_OB_TENANTS' role columns of one tenant. */
export function tenantRoleColumns(labDir: string, s: ClusterState, tenantId: number, now: number): Record<string, string | number> {
  const r = s.tenantRoles?.[String(tenantId)];
  // 4.x SCNs are nanosecond timestamps; the lab keeps µs and shows ns.
  const sync = (tenantId === 1 || !r || r.role === "PRIMARY" ? scnOf(now) : tenantSyncScn(labDir, s, tenantId, now)) * 1000;
  return { TENANT_ROLE: tenantId === 1 ? "PRIMARY" : (r?.role ?? "PRIMARY"), SWITCHOVER_STATUS: "NORMAL", SYNC_SCN: sync, READABLE_SCN: sync, RECOVERY_UNTIL_SCN: "4611686018427387903" };
}

/** V$OB_LS_LOG_RESTORE_STATUS: a row per standby tenant (one log stream, 1001, in the lab). */
export function logRestoreStatusRows(labDir: string, s: ClusterState, now: number): Record<string, string | number>[] {
  return Object.entries(s.tenantRoles ?? {}).filter(([, r]) => r.role === "STANDBY").map(([id, r]) => {
    const src = r.source ? tryRead(labDir, r.source.key) : undefined;
    // An archive source that is gone: SOURCE HAS A GAP (the lab's choice among the documented statuses).
    const status = !r.source ? "NOT AVAILABLE" : r.source.location !== undefined ? (archivedScn(labDir, r.source, tenantLastScn, now) === undefined ? "SOURCE HAS A GAP" : "NORMAL") : !src || !clusterAlive(labDir, src) ? "CHECK NETWORK" : "NORMAL";
    return { TENANT_ID: Number(id), LS_ID: 1001, SYNC_LSN: tenantSyncScn(labDir, s, Number(id), now), SYNC_SCN: tenantSyncScn(labDir, s, Number(id), now) * 1000, SYNC_STATUS: status, ERR_CODE: 0, COMMENT: "" };
  });
}

/** The SCN no recovery ends before (OceanBase's SCN::max_scn()): RECOVERY_UNTIL_SCN of a source set with no UNTIL. */
const MAX_SCN = "4611686018427387903";

/**
 * CDB_OB_LOG_RESTORE_SOURCE (`__all_virtual_log_restore_source`): a row per tenant with a source
 * (ID 1, OceanBase's only one). A SERVICE source's VALUE is OceanBase's rendering of it
 * (ObRestoreSourceServiceAttr::gen_service_attr_str), the password in clear as the community
 * edition prints it; a LOCATION one's, its destination.
 */
export function logRestoreSourceRows(labDir: string, s: ClusterState): Record<string, string | number>[] {
  return Object.entries(s.tenantRoles ?? {}).flatMap(([id, r]) => {
    if (!r.source) return [];
    const src = r.source.location === undefined ? tryRead(labDir, r.source.key) : undefined;
    const value = r.source.location !== undefined ? r.source.location : `IP_LIST=${r.source.service},USER=${r.source.user},PASSWORD=${r.source.password ?? ""},TENANT_ID=${r.source.tenantId},CLUSTER_ID=${src?.clusterId ?? 0},COMPATIBILITY_MODE=MYSQL,IS_ENCRYPTED=false`;
    return [{ TENANT_ID: Number(id), ID: 1, TYPE: r.source.location !== undefined ? "LOCATION" : "SERVICE", VALUE: value, RECOVERY_UNTIL_SCN: MAX_SCN }];
  });
}
