/**
 * Reading a 4.x primary/standby pair of clusters (spec oceanbase-source-check.md §D): one probe
 * command per standby host (the observer build, whether it runs, the data directory, the ports),
 * and on each side one SQL session as root@sys, through its host's pooled SSH connection, one
 * query per view: the build, the cluster name, DBA_OB_TENANTS (role, switchover status, sync
 * SCN), DBA_OB_ACCESS_POINT (the tenants' SQL addresses, what a log restore source names),
 * V$OB_LS_LOG_RESTORE_STATUS (each standby tenant's source status), CDB_OB_ARCHIVELOG (each
 * tenant's log archive, what a LOCATION source names), CDB_OB_LOG_RESTORE_SOURCE (what each
 * tenant follows: its kind and address, never its password) and, on the standby, its servers,
 * zones and resource units (DBA_OB_SERVERS, DBA_OB_ZONES, DBA_OB_UNITS). Either side may be unreachable: that is
 * reported, not fatal.
 */
import type { RunContext } from "../../converge";
import { connectionKey, parseConnection } from "../../core/connection";
import { openSession, rows, type SqlSession } from "../read";
import { versionFrom } from "../sql";
import { probeHosts, reach, withSession, type HostProbe, type Reach } from "./read";
import type { StandbyClusterSpec } from "./schema";
import { parseSource, type SourceSeen } from "./restore-source";
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
  /** CDB_OB_LOG_RESTORE_SOURCE's row of the tenant: null when it has none (undefined: not read). */
  readonly source?: SourceSeen | null;
}

export interface SideView {
  readonly version: string;
  /** The `cluster` parameter. */
  readonly name: string;
  readonly tenants: TenantView[];
  /** The standby side's servers and zones (empty on the primary: not read there). */
  readonly servers: { address: string; rpcPort: number; sqlPort: number; zone: string; status: string }[];
  readonly zones: Record<string, { idc: string; region: string }>;
  /** The standby side's resource units: zone and tenant name (empty on the primary). */
  readonly units: { zone: string; tenant: string }[];
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

/** `before`: what DBA_OB_TENANTS waits for (the primary's is read after the standby's, so the lag is not understated). */
export async function readSide(s: SqlSession, cluster = false, before?: Promise<unknown>): Promise<SideView> {
  const comment = str((await rows(s, TENANT_READ.version))[0]?.version_comment);
  const name = str((await rows(s, TENANT_READ.name))[0]?.value);
  const access = await rows(s, TENANT_READ.access);
  const restore = new Map((await rows(s, TENANT_READ.restore)).map((r) => [num(r.tenant_id), str(r.sync_status)]));
  const archive = new Map((await rows(s, TENANT_READ.archive)).map((r) => [num(r.tenant_id), { status: str(r.status), path: str(r.path) }]));
  const sources = new Map((await rows(s, TENANT_READ.source)).map((r) => [num(r.tenant_id), parseSource(str(r.type), str(r.value))]));
  await before;
  const tenants = (await rows(s, TENANT_READ.tenants)).map((r): TenantView => ({
    name: str(r.tenant_name),
    id: num(r.tenant_id),
    role: str(r.tenant_role),
    switchoverStatus: str(r.switchover_status),
    syncScn: num(r.sync_scn),
    syncStatus: restore.get(num(r.tenant_id)) ?? "",
    access: access.filter((a) => num(a.tenant_id) === num(r.tenant_id)).map((a) => `${str(a.svr_ip)}:${num(a.sql_port)}`),
    ...(archive.has(num(r.tenant_id)) ? { archive: archive.get(num(r.tenant_id)) } : {}),
    // A TYPE this product does not know stays undefined: not taken for "no source".
    source: sources.has(num(r.tenant_id)) ? sources.get(num(r.tenant_id)) : null,
  }));
  const servers = cluster ? (await rows(s, TENANT_READ.servers)).map((r) => ({ address: str(r.svr_ip), rpcPort: num(r.svr_port), sqlPort: num(r.sql_port), zone: str(r.zone), status: str(r.status).toUpperCase() })) : [];
  const zones: SideView["zones"] = {};
  if (cluster) for (const r of await rows(s, TENANT_READ.zones)) zones[str(r.zone)] = { idc: str(r.idc), region: str(r.region) };
  // The tenants read are the user ones; sys is OceanBase's tenant 1.
  const tenantName = (id: number) => (id === 1 ? "sys" : (tenants.find((t) => t.id === id)?.name ?? `tenant ${id}`));
  const units = cluster ? (await rows(s, TENANT_READ.units)).map((r) => ({ zone: str(r.zone), tenant: tenantName(num(r.tenant_id)) })) : [];
  return { version: versionFrom(comment) ?? comment, name, tenants, servers, zones, units };
}

/** root@sys's password on the standby cluster. */
export const standbyPasswordOf = (s: StandbyClusterSpec) => s.standbyPassword ?? s.primary.password;

export async function readTenants(s: StandbyClusterSpec, ctx: RunContext, olds?: StandbyClusterSpec): Promise<TenantsActual> {
  // The primary's session runs beside the probes and the standby's read, but takes its SYNC_SCNs
  // only after the standby's: the lag (primary minus standby) includes the read, never less.
  let standbyRead!: () => void;
  const gate = new Promise<void>((r) => (standbyRead = r));
  const reading = reach(() => withSession(ctx, connectionKey(parseConnection(s.primary.connection)), s.primary, (x) => readSide(x, false, gate)));
  try {
    const hosts = await probeHosts(s, ctx, olds);
    const standby = await readStandby4(s, ctx, hosts);
    standbyRead();
    return { primary: await reading, standby, hosts };
  } finally {
    standbyRead();
    await reading;
  }
}

async function readStandby4(s: StandbyClusterSpec, ctx: RunContext, hosts: HostProbe[]): Promise<StandbyReach> {
  // The standby answers through any host whose observer runs (any OBServer answers for its cluster).
  const running = hosts.find((h) => h.pid !== null && candidateAddress(s, h.address));
  if (!running) return null;
  const ep = { host: running.address, port: s.observer.sqlPort };
  const withPassword = await reach(() => withSession(ctx, running.connKey, { ...ep, password: standbyPasswordOf(s) }, (x) => readSide(x, true)));
  if (withPassword.ok) return withPassword;
  // Before BOOTSTRAP, and after it until ALTER USER, root@sys has no password.
  const readBare = () =>
    reach(async () => {
      const x = await openSession(ctx, running.connKey, { ...ep, password: "" });
      try {
        return await reach(() => readSide(x, true));
      } finally {
        await x.end().catch(() => undefined);
      }
    });
  // Only OceanBase's not-bootstrapped error (OB_NOT_INIT) says "not bootstrapped"; another one from
  // a server that lets root@sys in bare is one still starting: read again, bounded.
  const end = Date.now() + SETTLE_MS;
  for (;;) {
    const bare = await readBare();
    if (!bare.ok) return withPassword;
    if (bare.view.ok) return { ok: true, view: bare.view.view, noPassword: true };
    if (NOT_BOOTSTRAPPED.test(bare.view.error)) return { ok: true, bootstrapped: false };
    if (Date.now() >= end) return { ok: false, error: `${bare.view.error} (root@sys has no password there, and its views did not answer within ${SETTLE_MS / 1000}s)` };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** OB_NOT_INIT: what a server not bootstrapped answers to a read. */
const NOT_BOOTSTRAPPED = /\bERROR 4006\b/;
const SETTLE_MS = 60_000;

const candidateAddress = (s: StandbyClusterSpec, address: string) => s.zones.some((z) => (Array.isArray(z.hosts) ? z.hosts : z.hosts.from).some((h) => h.address === address));

/** The standby's own view when it answers (bootstrapped). */
export const standbyView = (a: TenantsActual): SideView | undefined => (a.standby?.ok && "view" in a.standby ? a.standby.view : undefined);
