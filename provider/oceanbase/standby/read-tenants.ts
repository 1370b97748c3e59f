/**
 * Reading a 4.x primary/standby pair of clusters (spec oceanbase-source-check.md §D): one probe
 * command per standby host (the observer build, whether it runs, the data directory, the ports),
 * and on each side one SQL session as root@sys, through its host's pooled SSH connection, one
 * query per view: the build, the cluster name, DBA_OB_TENANTS (role, switchover status, sync
 * SCN), DBA_OB_ACCESS_POINT (the tenants' SQL addresses, what a log restore source names),
 * V$OB_LS_LOG_RESTORE_STATUS (each standby tenant's source status), CDB_OB_ARCHIVELOG (each
 * tenant's log archive, what a LOCATION source names) and, on the standby, its
 * servers and zones (DBA_OB_SERVERS, DBA_OB_ZONES). Either side may be unreachable: that is
 * reported, not fatal.
 */
import type { RunContext } from "../../converge";
import { connectionKey, parseConnection } from "../../core/connection";
import { openSession, rows, type SqlSession } from "../read";
import { versionFrom } from "../sql";
import { probeHosts, reach, withSession, type HostProbe, type Reach } from "./read";
import type { StandbyClusterSpec } from "./schema";
import { TENANT_READ } from "./sql-tenants";

export interface TenantView {
  readonly name: string;
  readonly id: number;
  /** PRIMARY | STANDBY | RESTORE */
  readonly role: string;
  readonly switchoverStatus: string;
  /** 4.x SCNs are nanosecond timestamps. */
  readonly syncScn: number;
  /** V$OB_LS_LOG_RESTORE_STATUS's SYNC_STATUS of a standby tenant ("" on a primary one). */
  readonly syncStatus: string;
  /** ip:port of each OBServer serving the tenant's SQL. */
  readonly access: string[];
  /** The tenant's log archive (CDB_OB_ARCHIVELOG), when it has a round. */
  readonly archive?: { status: string; path: string };
}

export interface SideView {
  readonly version: string;
  /** The `cluster` parameter. */
  readonly name: string;
  readonly tenants: TenantView[];
  /** The standby side's servers and zones (empty on the primary: not read there). */
  readonly servers: { address: string; rpcPort: number; sqlPort: number; zone: string; status: string }[];
  readonly zones: Record<string, { idc: string; region: string }>;
}

/**
 * The standby cluster: null while no observer runs; `bootstrapped: false` while its observers run
 * but wait for BOOTSTRAP; `noPassword` once bootstrapped with root@sys's password not set yet.
 */
export type StandbyReach = Reach<SideView> | { ok: true; bootstrapped: false } | { ok: true; view: SideView; noPassword: true } | null;

export interface TenantsActual {
  readonly primary: Reach<SideView>;
  readonly standby: StandbyReach;
  readonly hosts: HostProbe[];
}

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const num = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));

export async function readSide(s: SqlSession, cluster = false): Promise<SideView> {
  const comment = str((await rows(s, TENANT_READ.version))[0]?.version_comment);
  const name = str((await rows(s, TENANT_READ.name))[0]?.value);
  const access = await rows(s, TENANT_READ.access);
  const restore = new Map((await rows(s, TENANT_READ.restore)).map((r) => [num(r.tenant_id), str(r.sync_status)]));
  const archive = new Map((await rows(s, TENANT_READ.archive)).map((r) => [num(r.tenant_id), { status: str(r.status), path: str(r.path) }]));
  const tenants = (await rows(s, TENANT_READ.tenants)).map((r): TenantView => ({
    name: str(r.tenant_name),
    id: num(r.tenant_id),
    role: str(r.tenant_role),
    switchoverStatus: str(r.switchover_status),
    syncScn: num(r.sync_scn),
    syncStatus: restore.get(num(r.tenant_id)) ?? "",
    access: access.filter((a) => num(a.tenant_id) === num(r.tenant_id)).map((a) => `${str(a.svr_ip)}:${num(a.sql_port)}`),
    ...(archive.has(num(r.tenant_id)) ? { archive: archive.get(num(r.tenant_id)) } : {}),
  }));
  const servers = cluster ? (await rows(s, TENANT_READ.servers)).map((r) => ({ address: str(r.svr_ip), rpcPort: num(r.svr_port), sqlPort: num(r.sql_port), zone: str(r.zone), status: str(r.status).toUpperCase() })) : [];
  const zones: SideView["zones"] = {};
  if (cluster) for (const r of await rows(s, TENANT_READ.zones)) zones[str(r.zone)] = { idc: str(r.idc), region: str(r.region) };
  return { version: versionFrom(comment) ?? comment, name, tenants, servers, zones };
}

/** root@sys's password on the standby cluster. */
export const standbyPasswordOf = (s: StandbyClusterSpec) => s.standbyPassword ?? s.primary.password;

export async function readTenants(s: StandbyClusterSpec, ctx: RunContext, olds?: StandbyClusterSpec): Promise<TenantsActual> {
  const [primary, hosts] = await Promise.all([
    reach(() => withSession(ctx, connectionKey(parseConnection(s.primary.connection)), s.primary, (x) => readSide(x))),
    probeHosts(s, ctx, olds),
  ]);
  // The standby answers through any host whose observer runs (any OBServer answers for its cluster).
  const running = hosts.find((h) => h.pid !== null && candidateAddress(s, h.address));
  let standby: StandbyReach = null;
  if (running) {
    const ep = { host: running.address, port: s.observer.sqlPort };
    const withPassword = await reach(() => withSession(ctx, running.connKey, { ...ep, password: standbyPasswordOf(s) }, (x) => readSide(x, true)));
    if (withPassword.ok) standby = withPassword;
    else {
      // Before BOOTSTRAP, and after it until ALTER USER, root@sys has no password.
      const bare = await reach(async () => {
        const x = await openSession(ctx, running.connKey, { ...ep, password: "" });
        try {
          return await reach(() => readSide(x, true));
        } finally {
          await x.end().catch(() => undefined);
        }
      });
      standby = !bare.ok ? withPassword : bare.view.ok ? { ok: true, view: bare.view.view, noPassword: true } : { ok: true, bootstrapped: false };
    }
  }
  return { primary, standby, hosts };
}

const candidateAddress = (s: StandbyClusterSpec, address: string) => s.zones.some((z) => (Array.isArray(z.hosts) ? z.hosts : z.hosts.from).some((h) => h.address === address));

/** The standby's own view when it answers (bootstrapped). */
export const standbyView = (a: TenantsActual): SideView | undefined => (a.standby?.ok && "view" in a.standby ? a.standby.view : undefined);
