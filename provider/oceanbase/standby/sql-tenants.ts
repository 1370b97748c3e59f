/**
 * The 4.x standby tenant statements and reads (spec oceanbase-source-check.md §D), in one place.
 * Tenant and user names are identifiers the schema restricted to letters, digits and _; the log
 * restore source is one string literal through `obString`.
 */
import { obString } from "../sql";

export const TENANT_READ = {
  version: "SELECT @@version_comment AS version_comment",
  tenants: "SELECT tenant_id, tenant_name, tenant_role, switchover_status, sync_scn FROM oceanbase.DBA_OB_TENANTS WHERE tenant_type = 'USER' ORDER BY tenant_id",
  access: "SELECT tenant_id, svr_ip, sql_port FROM oceanbase.DBA_OB_ACCESS_POINT",
  restore: "SELECT tenant_id, sync_status FROM oceanbase.V$OB_LS_LOG_RESTORE_STATUS",
  /** Each tenant's log archive round: its status and destination (what a LOCATION source names). */
  archive: "SELECT tenant_id, status, path FROM oceanbase.CDB_OB_ARCHIVELOG",
  /** Each tenant's log restore source (no row: none); VALUE holds a SERVICE source's password, parsed only up to it (restore-source.ts). */
  // The server cuts VALUE before PASSWORD= (printed in clear by the community edition) and an object
  // store's `?` (its keys; a file:// path keeps a `?` of its own): neither secret leaves the server.
  source:
    "SELECT tenant_id, type, IF(value LIKE 'file://%', SUBSTRING_INDEX(value, ',PASSWORD=', 1), SUBSTRING_INDEX(SUBSTRING_INDEX(value, ',PASSWORD=', 1), '?', 1)) AS value "
    + "FROM oceanbase.CDB_OB_LOG_RESTORE_SOURCE",
  /** The cluster's name (4.x has no V$OB_CLUSTER): the `cluster` parameter, one row per server. */
  name: "SHOW PARAMETERS LIKE 'cluster'",
  servers: "SELECT svr_ip, svr_port, sql_port, zone, status FROM oceanbase.DBA_OB_SERVERS",
  zones: "SELECT zone, idc, region FROM oceanbase.DBA_OB_ZONES",
  /** Each resource unit's zone and tenant: a zone holding units keeps a server (scale-in). */
  units: "SELECT zone, tenant_id FROM oceanbase.DBA_OB_UNITS",
} as const;

/** A net-service source (the primary tenant's SQL access points and a user there), or its log archive. */
export type RestoreSource =
  | { readonly access: readonly string[]; readonly user: string; readonly tenant: string; readonly password: string }
  | { readonly location: string };

const sourceValue = (r: RestoreSource) => ("location" in r ? `LOCATION=${r.location}` : `SERVICE=${r.access.join(";")} USER=${r.user}@${r.tenant} PASSWORD=${r.password}`);

export const TENANT_SQL = {
  createStandby: (tenant: string, r: RestoreSource) => `CREATE STANDBY TENANT IF NOT EXISTS ${tenant} LOG_RESTORE_SOURCE = ${obString(sourceValue(r))}`,
  setSource: (tenant: string, r: RestoreSource) => `ALTER SYSTEM SET LOG_RESTORE_SOURCE = ${obString(sourceValue(r))} TENANT = ${tenant}`,
  toStandby: (tenant: string) => `ALTER SYSTEM SWITCHOVER TO STANDBY TENANT = ${tenant}`,
  toPrimary: (tenant: string) => `ALTER SYSTEM SWITCHOVER TO PRIMARY TENANT = ${tenant}`,
  /** Lossy failover: the standby tenant becomes a primary with the log it has. */
  activate: (tenant: string) => `ALTER SYSTEM ACTIVATE STANDBY TENANT = ${tenant}`,
  /** A standby tenant stops following (no source: NOT AVAILABLE); it keeps what it applied. */
  clearSource: (tenant: string) => `ALTER SYSTEM SET LOG_RESTORE_SOURCE = '' TENANT = ${tenant}`,
  /** A plain (primary) cluster bootstrap on its RootServers, one per zone: a 4.x standby cluster is one. */
  bootstrap: (rs: readonly { region: string; zone: string; address: string; rpcPort: number }[]) =>
    `ALTER SYSTEM BOOTSTRAP ${rs.map((m) => `REGION ${obString(m.region)} ZONE ${obString(m.zone)} SERVER ${obString(`${m.address}:${m.rpcPort}`)}`).join(", ")}`,
  /** root@sys has no password after bootstrap. */
  setRootPassword: (password: string) => `ALTER USER root IDENTIFIED BY ${obString(password)}`,
  /** Servers still in the cluster (DELETING until their units have moved), and units still moving off them. */
  serversLeft: (addresses: readonly string[]) => `SELECT count(*) FROM oceanbase.DBA_OB_SERVERS WHERE svr_ip IN (${addresses.map(obString).join(", ")})`,
  unitsMoving: (addresses: readonly string[]) => `SELECT count(*) FROM oceanbase.DBA_OB_UNITS WHERE migrate_from_svr_ip IN (${addresses.map(obString).join(", ")})`,
  /** What a step says of a source: never its password. */
  describeSource: (r: RestoreSource) => ("location" in r ? `LOCATION=${r.location}` : `SERVICE=${r.access.join(";")} USER=${r.user}@${r.tenant}`),
} as const;
