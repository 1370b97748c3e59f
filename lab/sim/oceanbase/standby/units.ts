/**
 * 3.x resource units and what DELETE SERVER does with them (OceanBase's "Delete a node"): each
 * tenant (sys included) has one unit in each zone it was created in, on one server of the zone.
 * `ALTER SYSTEM DELETE SERVER` is asynchronous: the server turns `deleting` in `__all_server`,
 * its units migrate to another server of the same zone (`__all_unit` shows MIGRATE_FROM_SVR_IP
 * meanwhile), which takes lab time, and the server's row goes once none is left on it. Units move
 * only within a zone: with no other live server there to hold them the statement is refused (4.x:
 * 4734, or 4733 when the others are not active).
 * Zones added later (ADD ZONE) and servers added later (ADD SERVER) hold no units: OceanBase's
 * rebalancing is not modelled. 4.x the same (DBA_OB_UNITS, DBA_OB_SERVERS DELETING): sys's units
 * from the bootstrap, a standby tenant's from its CREATE, each on its zone's first server.
 */
import * as fs from "fs";
import { readLabJson } from "../../../hosts/lab-json";
import { migrationHoldFile } from "../../common/faults";
import type { Row, Table } from "../sql/select";
import { isV4, type ClusterState, type ObServerRecord } from "../state";
import { ObError } from "../errors";
import { servers as liveServers } from "./registry";

export interface UnitRecord {
  readonly id: number;
  readonly tenantId: number;
  readonly zone: string;
  address: string;
  rpcPort: number;
  /** While migrating: where from, and when it is done (lab ms). */
  migrateFrom?: { address: string; rpcPort: number; until: number };
}

export interface UnitFields {
  units?: UnitRecord[];
  /** Servers being deleted (address:rpcPort → since, lab ms). */
  deleting?: Record<string, number>;
}

/** A unit's migration: a fixed part plus a part per unit moved off the same server. */
export const MIGRATION = { baseMs: 3000, perUnitMs: 1000 };

const key = (x: { address: string; rpcPort: number }) => `${x.address}:${x.rpcPort}`;

/** One unit per tenant in each zone, on the zone's first server: what bootstrap (and create) leave. */
export function initialUnits(tenantIds: readonly number[], members: readonly ObServerRecord[]): UnitRecord[] {
  const zones = [...new Set(members.map((m) => m.zone))];
  let id = 1000;
  return zones.flatMap((z) => {
    const first = members.find((m) => m.zone === z)!;
    return tenantIds.map((tenantId): UnitRecord => ({ id: id++, tenantId, zone: z, address: first.address, rpcPort: first.rpcPort }));
  });
}

/** A tenant created later (4.x CREATE STANDBY TENANT): one unit in each zone, on the zone's first server. */
export function addTenantUnits(s: ClusterState, tenantId: number): void {
  if (!s.units) return;
  const next = Math.max(999, ...s.units.map((u) => u.id)) + 1;
  s.units.push(...initialUnits([tenantId], s.servers.filter((x) => !isDeleting(s, x))).map((u, i) => ({ ...u, id: next + i })));
}

export const isDeleting = (s: ClusterState, x: { address: string; rpcPort: number }) => s.deleting?.[key(x)] !== undefined;

/** Whether a lab host's migrations are held (`lab fault --host H hold-migration`); lab.json is read only when a server is deleting. */
export function migrationHeld(labDir: string): (host: string) => boolean {
  let dirs: Map<string, string> | undefined;
  return (host) => {
    dirs ??= new Map(readLabJson(labDir).hosts.map((h) => [h.name, h.hostDir]));
    const dir = dirs.get(host);
    return dir !== undefined && fs.existsSync(migrationHoldFile(dir));
  };
}

/** Finished migrations done, deleted servers with nothing left on them gone; a held host's stay as they are. */
export function settleUnits(s: ClusterState, now: number, held: (host: string) => boolean = () => false): void {
  const heldKeys = new Set(Object.keys(s.deleting ?? {}).filter((k) => held(s.servers.find((x) => key(x) === k)?.host ?? "")));
  for (const u of s.units ?? []) if (u.migrateFrom && u.migrateFrom.until <= now && !heldKeys.has(key(u.migrateFrom))) delete u.migrateFrom;
  for (const k of Object.keys(s.deleting ?? {})) {
    if (heldKeys.has(k) || (s.units ?? []).some((u) => u.migrateFrom && key(u.migrateFrom) === k)) continue;
    const i = s.servers.findIndex((x) => key(x) === k);
    if (i >= 0) s.servers.splice(i, 1);
    delete s.deleting![k];
  }
}

/** `DELETE SERVER`: marks it deleting and starts moving its units within its zone. */
export function deleteServer(labDir: string, s: ClusterState, sv: ObServerRecord, now: number): void {
  if (isDeleting(s, sv)) throw new ObError("serverAlreadyDeleted");
  const mine = (s.units ?? []).filter((u) => key(u) === key(sv));
  if (mine.length > 0) {
    const live = liveServers(labDir);
    const others = s.servers.filter((x) => x.zone === sv.zone && key(x) !== key(sv) && !isDeleting(s, x));
    const targets = others.filter((x) => live.some((l) => l.address === x.address && l.rpcPort === x.rpcPort && l.alive));
    if (targets.length === 0) {
      if (!isV4(s)) throw new ObError("machineResourceNotEnough", `zone ${sv.zone}`);
      // 4.x names the first unit that cannot move, or the servers that cannot take it.
      if (others.length === 0) throw new ObError("zoneServerNotEnough", String(mine[0].id), sv.zone);
      throw new ObError("zoneResourceNotEnough", sv.zone, others.map((x) => `server '${x.address}:${x.rpcPort}' is not active`).join("\n"));
    }
    const load = (x: ObServerRecord) => (s.units ?? []).filter((u) => key(u) === key(x)).length;
    mine.forEach((u, i) => {
      const to = targets.reduce((a, b) => (load(b) < load(a) ? b : a));
      u.migrateFrom = { address: u.address, rpcPort: u.rpcPort, until: now + MIGRATION.baseMs + (i + 1) * MIGRATION.perUnitMs };
      u.address = to.address;
      u.rpcPort = to.rpcPort;
    });
  }
  (s.deleting ??= {})[key(sv)] = now;
  settleUnits(s, now, migrationHeld(labDir));
}

/** 4.x DBA_OB_UNITS (the columns this lab models): where each unit is, and where it migrates from. */
export function dbaUnitsView(s: ClusterState): Table {
  const rows = (s.units ?? []).map((u): Row => ({ UNIT_ID: u.id, TENANT_ID: u.tenantId, STATUS: "ACTIVE", RESOURCE_POOL_ID: u.tenantId, ZONE: u.zone, SVR_IP: u.address, SVR_PORT: u.rpcPort, MIGRATE_FROM_SVR_IP: u.migrateFrom?.address ?? null, MIGRATE_FROM_SVR_PORT: u.migrateFrom?.rpcPort ?? null }));
  return { columns: ["UNIT_ID", "TENANT_ID", "STATUS", "RESOURCE_POOL_ID", "ZONE", "SVR_IP", "SVR_PORT", "MIGRATE_FROM_SVR_IP", "MIGRATE_FROM_SVR_PORT"], rows };
}

/** `__all_unit` (3.x): where each unit is, and where it migrates from. */
export function allUnitView(s: ClusterState): Table {
  const rows = (s.units ?? []).map((u): Row => ({ UNIT_ID: u.id, RESOURCE_POOL_ID: u.tenantId, GROUP_ID: 0, ZONE: u.zone, SVR_IP: u.address, SVR_PORT: u.rpcPort, MIGRATE_FROM_SVR_IP: u.migrateFrom?.address ?? "", MIGRATE_FROM_SVR_PORT: u.migrateFrom?.rpcPort ?? 0, STATUS: "ACTIVE" }));
  return { columns: ["UNIT_ID", "RESOURCE_POOL_ID", "GROUP_ID", "ZONE", "SVR_IP", "SVR_PORT", "MIGRATE_FROM_SVR_IP", "MIGRATE_FROM_SVR_PORT", "STATUS"], rows };
}
