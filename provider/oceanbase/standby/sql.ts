/**
 * The 3.x standby statements and reads (spec oceanbase-source-check.md §C), in one place. String
 * values go through `obString`; identifiers are names the schema restricted to letters, digits
 * and _.
 */
import { obString, plainIdent } from "../sql";

export const STANDBY_READ = {
  version: "SELECT @@version_comment AS version_comment",
  cluster: "SELECT cluster_id, cluster_name, cluster_role, cluster_status, switchover_status, current_scn FROM oceanbase.V$OB_CLUSTER",
  standbys: "SELECT cluster_id, cluster_name, cluster_status, current_scn, rootservice_list FROM oceanbase.V$OB_STANDBY_STATUS",
  servers: "SELECT svr_ip, svr_port, inner_port, zone, status, build_version FROM oceanbase.__all_server",
  zones: "SELECT zone, name, info FROM oceanbase.__all_zone WHERE zone <> '' AND name IN ('idc', 'region')",
  units: "SELECT zone, svr_ip, svr_port, migrate_from_svr_ip FROM oceanbase.__all_unit",
} as const;

export interface BootstrapMember {
  readonly region: string;
  readonly zone: string;
  readonly address: string;
  readonly rpcPort: number;
}

export const STANDBY_SQL = {
  addClusterVerify: "ALTER SYSTEM ADD CLUSTER VERIFY",
  bootstrap: (members: readonly BootstrapMember[], primaryId: number, primaryRsList: string) =>
    `ALTER SYSTEM BOOTSTRAP CLUSTER STANDBY ${members.map((m) => `REGION ${obString(m.region)} ZONE ${obString(m.zone)} SERVER ${obString(`${m.address}:${m.rpcPort}`)}`).join(", ")} PRIMARY_CLUSTER_ID ${primaryId} PRIMARY_ROOTSERVICE_LIST ${obString(primaryRsList)}`,
  // The name may come from what the primary reports (no clusterName declared): never unchecked into SQL.
  addCluster: (name: string, id: number) => `ALTER SYSTEM ADD CLUSTER ${plainIdent("cluster name", name)} CLUSTER_ID ${id}`,
  removeCluster: (name: string, id: number) => `ALTER SYSTEM REMOVE CLUSTER ${plainIdent("cluster name", name)} CLUSTER_ID ${id}`,
  setZone: (zone: string, idc: string, region: string) => `ALTER SYSTEM ALTER ZONE ${obString(zone)} SET IDC = ${obString(idc)}, REGION = ${obString(region)}`,
  addZone: (zone: string, idc: string, region: string) => `ALTER SYSTEM ADD ZONE ${obString(zone)} IDC ${obString(idc)}, REGION ${obString(region)}`,
  startZone: (zone: string) => `ALTER SYSTEM START ZONE ${obString(zone)}`,
  addServer: (address: string, rpcPort: number, zone: string) => `ALTER SYSTEM ADD SERVER ${obString(`${address}:${rpcPort}`)} ZONE ${obString(zone)}`,
  /** Servers of these addresses still in `__all_server` (deleting until their units have moved). */
  serversLeft: (addresses: readonly string[]) => `SELECT count(*) FROM oceanbase.__all_server WHERE svr_ip IN (${addresses.map(obString).join(", ")})`,
  /** Units still migrating off these addresses. */
  unitsMoving: (addresses: readonly string[]) => `SELECT count(*) FROM oceanbase.__all_unit WHERE migrate_from_svr_ip IN (${addresses.map(obString).join(", ")})`,
  deleteServer: (address: string, rpcPort: number, zone: string) => `ALTER SYSTEM DELETE SERVER ${obString(`${address}:${rpcPort}`)} ZONE ${obString(zone)}`,
  stopZone: (zone: string) => `ALTER SYSTEM STOP ZONE ${obString(zone)}`,
  deleteZone: (zone: string) => `ALTER SYSTEM DELETE ZONE ${obString(zone)}`,
  toStandby: "ALTER SYSTEM COMMIT TO SWITCHOVER TO PHYSICAL STANDBY",
  toPrimary: "ALTER SYSTEM COMMIT TO SWITCHOVER TO PRIMARY",
  /** Lossy failover: the only kind in MAXIMUM PERFORMANCE mode (3.x docs). */
  activate: "ALTER SYSTEM ACTIVATE PHYSICAL STANDBY CLUSTER",
} as const;
