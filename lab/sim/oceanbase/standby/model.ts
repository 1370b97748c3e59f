/**
 * What a 3.x primary/standby pair keeps on top of a cluster's state (spec oceanbase-source-check.md
 * §C): the role, the primary a standby follows, the primary's registry of standbys, the user
 * tables whose redo travels, and each zone's IDC. Replication is computed from lab time: the full
 * copy takes `copyMs` after ADD CLUSTER, then redo arrives `lagMs` behind the primary, but only
 * while the primary has a live OBServer and synchronization is on.
 */
import type { UnitFields } from "./units";
import * as fs from "fs";
import type { Cell } from "../sql/select";
import { readState, stateFile, type ClusterState } from "../state";
import { clusterAlive } from "./registry";
import type { Tenant4Fields } from "./tenant4";

export const REPLICATION = { copyMs: 1500, lagMs: 1000 } as const;

export type ClusterRole = "PRIMARY" | "PHYSICAL STANDBY";

export interface StandbyLink {
  readonly clusterId: number;
  readonly key: string;
  readonly name: string;
  /** REGISTERED after BOOTSTRAP CLUSTER STANDBY; ADD CLUSTER records `addedAt` (VALID once copied). */
  addedAt: number | null;
  readonly registeredAt: number;
  readonly rsList: string;
  syncOff?: boolean;
}

export interface ReplicaInfo {
  role: ClusterRole;
  /** The state key of the primary a standby follows. */
  primaryKey: string | null;
  /** SCN (µs) up to which a standby has applied the primary's redo. */
  appliedScn: number;
  /** Removed from its primary, or given up by a failover. */
  disabled?: boolean;
  /** A primary that committed to standby and waits for a standby to take over. */
  awaitingPrimary?: boolean;
  switchovers: number;
}

export interface UserTable {
  readonly name: string;
  readonly columns: string[];
  readonly createdScn: number;
  rows: { scn: number; values: Cell[] }[];
}

export interface StandbyFields extends Tenant4Fields, UnitFields {
  replica?: ReplicaInfo;
  standbys?: StandbyLink[];
  /** User tables by tenant id, then lower-case table name. */
  data?: Record<string, Record<string, UserTable>>;
  lastWriteScn?: number;
  zoneInfo?: Record<string, { idc: string; region: string }>;
  /** The state file's key when it is not the cluster name (a standby shares its primary's name). */
  key?: string;
}

export const scnOf = (ms: number): number => ms * 1000;

export const roleOf = (s: ClusterState): ClusterRole => s.replica?.role ?? "PRIMARY";
export const keyOf = (s: ClusterState): string => s.key ?? s.name;

/** The state key of cluster `name` with id `id`: the lab-made primary is filed by name, a standby by `name.id`. */
export function stateKeyFor(labDir: string, name: string, id: number): string | undefined {
  for (const key of [name, `${name}.${id}`]) {
    if (!fs.existsSync(stateFile(labDir, key))) continue;
    try {
      if (readState(labDir, key).clusterId === id) return key;
    } catch { /* being written */ }
  }
  return undefined;
}

export function tryRead(labDir: string, key: string | null | undefined): ClusterState | undefined {
  if (!key) return undefined;
  try {
    return readState(labDir, key);
  } catch {
    return undefined;
  }
}

/** Where a standby's redo apply stands now (µs), without writing anything. */
export function standbyScn(labDir: string, s: ClusterState, now: number): number {
  const r = s.replica;
  if (!r || r.role !== "PHYSICAL STANDBY" || r.disabled) return r?.appliedScn ?? 0;
  const p = tryRead(labDir, r.primaryKey);
  const link = p?.standbys?.find((l) => l.clusterId === s.clusterId);
  if (!p || !link || link.addedAt === null || link.syncOff || now < link.addedAt + REPLICATION.copyMs) return r.appliedScn;
  if (!clusterAlive(labDir, p) || !clusterAlive(labDir, s)) return r.appliedScn;
  // A primary that stopped writing (committed to standby) has nothing newer than its last write.
  const reach = p.replica?.awaitingPrimary ? Math.max(p.lastWriteScn ?? 0, r.appliedScn) : scnOf(now - REPLICATION.lagMs);
  return Math.max(r.appliedScn, reach);
}

/** REGISTERED after the standby's bootstrap, VALID from ADD CLUSTER on (the copy then runs; CURRENT_SCN stays 0 until it is done). */
export function linkStatus(l: StandbyLink, _now: number): "REGISTERED" | "VALID" {
  return l.addedAt !== null ? "VALID" : "REGISTERED";
}

/** Applies the primary's redo to a standby's state: its tables become the primary's as of the applied SCN. */
export function settleReplica(labDir: string, s: ClusterState, now: number): void {
  const r = s.replica;
  if (!r || r.role !== "PHYSICAL STANDBY" || r.disabled) return;
  const applied = standbyScn(labDir, s, now);
  if (applied === r.appliedScn && s.data !== undefined) return;
  const p = tryRead(labDir, r.primaryKey);
  if (!p) return;
  r.appliedScn = applied;
  s.data = snapshot(p, applied);
  s.tenants.splice(0, s.tenants.length, ...p.tenants);
}

/** The primary's user tables as of `scn`. */
export function snapshot(p: ClusterState, scn: number): NonNullable<StandbyFields["data"]> {
  const out: NonNullable<StandbyFields["data"]> = {};
  for (const [tenant, tables] of Object.entries(p.data ?? {})) {
    out[tenant] = {};
    for (const [k, t] of Object.entries(tables)) {
      if (t.createdScn > scn) continue;
      out[tenant][k] = { ...t, rows: t.rows.filter((x) => x.scn <= scn) };
    }
  }
  return out;
}

/** The primary's V$OB_CLUSTER switchover_status: TO STANDBY once every standby is VALID and has all its redo. */
export function primarySwitchoverStatus(labDir: string, s: ClusterState, now: number): string {
  const links = s.standbys ?? [];
  if (links.length === 0) return "NOT ALLOWED";
  const synced = links.every((l) => {
    const st = tryRead(labDir, l.key);
    return linkStatus(l, now) === "VALID" && st !== undefined && standbyScn(labDir, st, now) >= (s.lastWriteScn ?? 0);
  });
  return synced ? "TO STANDBY" : "NOT ALLOWED";
}

/** A standby's switchover_status: TO PRIMARY once its primary committed to standby and everything arrived. */
export function standbySwitchoverStatus(labDir: string, s: ClusterState, now: number): string {
  const p = tryRead(labDir, s.replica?.primaryKey);
  if (!p?.replica?.awaitingPrimary) return "NOT ALLOWED";
  return standbyScn(labDir, s, now) >= (p.lastWriteScn ?? 0) ? "TO PRIMARY" : "NOT ALLOWED";
}
