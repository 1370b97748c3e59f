/**
 * `validateStandby(inputs)`: every problem at once, each naming field, value (secrets masked) and
 * rule; OCP's rules across fields: a zone in one IDC, a host in one zone, the RootServer inside
 * its zone, `count` within its pool, ports that do not collide, failover only towards primary.
 * Also the zones' hosts as the plan uses them (`resolveZones`).
 */
import { z } from "zod";
import { formatPath, valueAt } from "../../core/failures";
import { SECRET_KEYS } from "../schema";
import { StandbyClusterSchema, type StandbyClusterSpec, type StandbyHost, type ZoneSpec } from "./schema";

export interface Failure {
  readonly path: string;
  readonly value: unknown;
  readonly rule: string;
}

export function validateStandby(inputs: unknown): { ok: true; spec: StandbyClusterSpec } | { ok: false; failures: Failure[] } {
  const list: Failure[] = [];
  const add = (path: PropertyKey[], rule: string) => list.push({ path: formatPath(path), value: valueAt(inputs, path, [...SECRET_KEYS]), rule });
  const parsed = StandbyClusterSchema.safeParse(inputs);
  if (!parsed.success) for (const i of (parsed.error as z.ZodError).issues) add(i.path as PropertyKey[], i.message);
  const raw = (inputs ?? {}) as Record<string, any>;
  const zones: any[] = Array.isArray(raw.zones) ? raw.zones : [];

  const idcOf = new Map<string, string>();
  zones.forEach((z, i) => {
    if (typeof z?.name !== "string") return;
    const seen = idcOf.get(z.name);
    if (seen !== undefined && seen !== z.idc) add(["zones", i, "idc"], `zone ${z.name} is already in IDC ${JSON.stringify(seen)}: a zone sits in one IDC`);
    else if (seen !== undefined) add(["zones", i, "name"], `zone ${z.name} is declared twice`);
    idcOf.set(z.name, z.idc);
  });

  const zoneOfHost = new Map<string, string>();
  zones.forEach((z, i) => {
    const hosts: any[] = Array.isArray(z?.hosts) ? z.hosts : [];
    hosts.forEach((h, j) => {
      if (typeof h?.address !== "string") return;
      const other = zoneOfHost.get(h.address);
      if (other !== undefined) add(["zones", i, "hosts", j, "address"], `host ${h.address} is already in zone ${other}: a host is in one zone`);
      zoneOfHost.set(h.address, z.name);
    });
  });
  // Pools may be shared between zones; what they must hold is every pick, without a host twice.
  const poolDemand = new Map<string, { eligible: Set<string>; count: number; at: PropertyKey[] }>();
  zones.forEach((z, i) => {
    const p = z?.hosts;
    if (!p || Array.isArray(p) || !Array.isArray(p.from) || typeof p.count !== "number") return;
    const eligible = p.from.filter((h: any) => typeof h?.address === "string" && !zoneOfHost.has(h.address) && (p.machineType === undefined || h.machineType === p.machineType)).map((h: any) => h.address as string);
    if (p.count > eligible.length) add(["zones", i, "hosts", "count"], `the pool has ${eligible.length} host${eligible.length === 1 ? "" : "s"}${p.machineType !== undefined ? ` of machine type ${JSON.stringify(p.machineType)}` : ""} not taken by another zone: count cannot be larger`);
    const key = [...eligible].sort().join(",");
    const d = poolDemand.get(key) ?? { eligible: new Set(eligible), count: 0, at: ["zones", i, "hosts", "count"] };
    d.count += p.count;
    poolDemand.set(key, d);
  });
  for (const d of poolDemand.values()) {
    if (d.count > d.eligible.size && !list.some((f) => f.path === formatPath(d.at))) add(d.at, `zones sharing this pool ask for ${d.count} hosts; it has ${d.eligible.size}`);
  }

  zones.forEach((z, i) => {
    if (typeof z?.rootServer !== "string") return;
    const hosts: any[] = Array.isArray(z.hosts) ? z.hosts : Array.isArray(z.hosts?.from) ? z.hosts.from : [];
    if (!hosts.some((h) => h?.address === z.rootServer)) add(["zones", i, "rootServer"], `${z.rootServer} is not one of zone ${z.name}'s hosts: the RootServer is one of the zone's hosts`);
  });

  const ob = raw.observer ?? {};
  const sql = ob.sqlPort ?? 2881, rpc = ob.rpcPort ?? 2882;
  if (sql === rpc) add(["observer", "rpcPort"], `the RPC port equals the SQL port (${sql}): give two ports`);
  if (typeof ob.home === "string" && typeof ob.dataDir === "string" && (ob.dataDir === ob.home || ob.home.startsWith(`${ob.dataDir}/`))) add(["observer", "dataDir"], "the data directory cannot be the home or hold it (bin/ and run/ live in the home)");
  if (raw.failover !== undefined && raw.role !== "primary") add(["role"], 'a failover makes this cluster the primary: declare role: "primary" with it');
  if (list.length > 0 || !parsed.success) return { ok: false, failures: list };
  return { ok: true, spec: parsed.data };
}

export interface ResolvedZone {
  readonly name: string;
  readonly idc: string;
  readonly region: string;
  readonly hosts: StandbyHost[];
  readonly rootServer: string;
}

/** Every host any zone may use (hand-picked, and whole pools): what the read probes. */
export function candidateHosts(spec: StandbyClusterSpec): StandbyHost[] {
  const out = new Map<string, StandbyHost>();
  for (const z of spec.zones) for (const h of Array.isArray(z.hosts) ? z.hosts : z.hosts.from) if (!out.has(h.address)) out.set(h.address, h);
  return [...out.values()];
}

const byAddress = (a: StandbyHost, b: StandbyHost) => a.address.localeCompare(b.address, "en", { numeric: true });

/**
 * The zones' hosts. A `{count, from}` zone takes the pool hosts already serving that zone first
 * (so a pick is stable across ups, whatever the pool gains), then the rest by address.
 */
export function resolveZones(spec: StandbyClusterSpec, servingZone: ReadonlyMap<string, string>): ResolvedZone[] {
  const taken = new Set<string>();
  for (const z of spec.zones) if (Array.isArray(z.hosts)) for (const h of z.hosts) taken.add(h.address);
  return spec.zones.map((z: ZoneSpec) => {
    let hosts: StandbyHost[];
    if (Array.isArray(z.hosts)) hosts = z.hosts;
    else {
      const mt = z.hosts.machineType;
      const pool = z.hosts.from.filter((h) => !taken.has(h.address) && (mt === undefined || h.machineType === mt)).sort(byAddress);
      // A host serving another zone is never taken: a host is in one zone.
      hosts = [...pool.filter((h) => servingZone.get(h.address) === z.name), ...pool.filter((h) => !servingZone.has(h.address))].slice(0, z.hosts.count);
      for (const h of hosts) taken.add(h.address);
    }
    return { name: z.name, idc: z.idc, region: z.region, hosts, rootServer: z.rootServer ?? hosts[0].address };
  });
}
