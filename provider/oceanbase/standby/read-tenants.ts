/**
 * Reading a 4.x primary/standby pair of clusters (spec oceanbase-source-check.md §D): on each
 * side one SQL session as root@sys, through its host's pooled SSH connection, one query per
 * view: the build, DBA_OB_TENANTS (role, switchover status, sync SCN), DBA_OB_ACCESS_POINT (the
 * tenants' SQL addresses, what a log restore source names) and V$OB_LS_LOG_RESTORE_STATUS (each
 * standby tenant's source status). Either side may be unreachable: that is reported, not fatal.
 */
import type { RunContext } from "../../converge";
import { connectionKey, parseConnection } from "../../core/connection";
import { openSession, rows, type SqlSession } from "../read";
import { versionFrom } from "../sql";
import type { Reach } from "./read";
import type { StandbyClusterSpec } from "./schema";
import { TENANT_READ } from "./sql-tenants";
import { candidateHosts } from "./validate";

export interface TenantView {
  readonly name: string;
  readonly id: number;
  /** PRIMARY | STANDBY | RESTORE */
  readonly role: string;
  readonly switchoverStatus: string;
  readonly syncScn: number;
  /** V$OB_LS_LOG_RESTORE_STATUS's SYNC_STATUS of a standby tenant ("" on a primary one). */
  readonly syncStatus: string;
  /** ip:port of each OBServer serving the tenant's SQL. */
  readonly access: string[];
}

export interface SideView {
  readonly version: string;
  readonly tenants: TenantView[];
}

export interface TenantsActual {
  readonly primary: Reach<SideView>;
  readonly standby: Reach<SideView>;
}

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const num = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));

export async function readSide(s: SqlSession): Promise<SideView> {
  const comment = str((await rows(s, TENANT_READ.version))[0]?.version_comment);
  const access = await rows(s, TENANT_READ.access);
  const restore = new Map((await rows(s, TENANT_READ.restore)).map((r) => [num(r.tenant_id), str(r.sync_status)]));
  const tenants = (await rows(s, TENANT_READ.tenants)).map((r): TenantView => ({
    name: str(r.tenant_name),
    id: num(r.tenant_id),
    role: str(r.tenant_role),
    switchoverStatus: str(r.switchover_status),
    syncScn: num(r.sync_scn),
    syncStatus: restore.get(num(r.tenant_id)) ?? "",
    access: access.filter((a) => num(a.tenant_id) === num(r.tenant_id)).map((a) => `${str(a.svr_ip)}:${num(a.sql_port)}`),
  }));
  return { version: versionFrom(comment) ?? comment, tenants };
}

async function reach<T>(work: () => Promise<T>): Promise<Reach<T>> {
  try {
    return { ok: true, view: await work() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

async function side(ctx: RunContext, connKey: string, ep: { host: string; port: number; password: string }): Promise<Reach<SideView>> {
  return reach(async () => {
    const s = await openSession(ctx, connKey, ep);
    try {
      return await readSide(s);
    } finally {
      await s.end().catch(() => undefined);
    }
  });
}

/** The standby cluster's sys: the first declared host's OBServer. */
export function standbyEndpoint(s: StandbyClusterSpec): { address: string; connKey: string; port: number; password: string } {
  const h = candidateHosts(s)[0];
  return { address: h.address, connKey: connectionKey(parseConnection(h.connection)), port: s.observer.sqlPort, password: s.standbyPassword ?? s.primary.password };
}

export async function readTenants(s: StandbyClusterSpec, ctx: RunContext): Promise<TenantsActual> {
  const sb = standbyEndpoint(s);
  const [primary, standby] = await Promise.all([
    side(ctx, connectionKey(parseConnection(s.primary.connection)), s.primary),
    side(ctx, sb.connKey, { host: sb.address, port: sb.port, password: sb.password }),
  ]);
  return { primary, standby };
}
