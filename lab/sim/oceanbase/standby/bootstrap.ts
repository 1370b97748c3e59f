/**
 * `ALTER SYSTEM BOOTSTRAP CLUSTER STANDBY ... PRIMARY_CLUSTER_ID n PRIMARY_ROOTSERVICE_LIST '..'`
 * on an OBServer that runs but was never bootstrapped (spec oceanbase-source-check.md §C, the form
 * ob-operator 1.2.0 sends). The real server's refusals: a listed server that does not run or is
 * not of this cluster, a primary of another id (4700), another version (4696), another name or a
 * cluster id already in use (guesses, see errors.ts). Success files the standby's state and
 * registers it on the primary (V$OB_STANDBY_STATUS: REGISTERED).
 */
import { initialUnits } from "./units";
import { ObError } from "../errors";
import { tokenize } from "../sql/select";
import { freshFields, isV4, withState, writeState, type ClusterState, type ObServerRecord } from "../state";
import { keyOf, roleOf, stateKeyFor, tryRead } from "./model";
import { clusterAlive, servers, type ServerEntry } from "./registry";

export interface BareServer {
  readonly cluster: string;
  readonly clusterId: number;
  readonly version: string;
}

interface Parsed {
  readonly zones: { region: string; zone: string; server: string }[];
  readonly primaryId: number;
  readonly rsList: string;
}

function parse(sql: string): Parsed | undefined {
  const t = tokenize(sql);
  let i = 0;
  const kw = (w: string) => (t[i]?.t === "id" && t[i].v.toUpperCase() === w ? (i++, true) : false);
  const str = (): string => {
    if (t[i]?.t === "sym" && t[i].v === "=") i++;
    if (t[i]?.t !== "str") throw new ObError("parse", t.slice(i, i + 4).map((x) => x.v).join(" "));
    return t[i++].v;
  };
  if (!(kw("ALTER") && kw("SYSTEM") && kw("BOOTSTRAP"))) return undefined;
  if (!(kw("CLUSTER") && kw("STANDBY"))) return undefined;
  const zones: Parsed["zones"] = [];
  do {
    const region = kw("REGION") ? str() : "sys_region";
    if (!kw("ZONE")) throw new ObError("parse", t.slice(i, i + 4).map((x) => x.v).join(" "));
    const zone = str();
    if (!kw("SERVER")) throw new ObError("parse", t.slice(i, i + 4).map((x) => x.v).join(" "));
    zones.push({ region, zone, server: str() });
  } while (t[i]?.t === "sym" && t[i].v === "," && ++i);
  // STANDBY without the primary's list is OB_ERR_PARSE_SQL in the 3.x resolver.
  if (!kw("PRIMARY_CLUSTER_ID") || t[i]?.t !== "num") throw new ObError("parse", t.slice(i, i + 4).map((x) => x.v).join(" "));
  const primaryId = Number(t[i++].v);
  if (!kw("PRIMARY_ROOTSERVICE_LIST")) throw new ObError("parse", t.slice(i, i + 4).map((x) => x.v).join(" "));
  const rsList = str();
  if (i !== t.length) throw new ObError("parse", t.slice(i, i + 4).map((x) => x.v).join(" "));
  return { zones, primaryId, rsList };
}

/** Runs the statement; returns false when it is not a standby bootstrap. */
export function bootstrapStandby(labDir: string, self: BareServer, sql: string, now: number): boolean {
  const b = parse(sql);
  if (!b) return false;
  const all = servers(labDir);
  const members: (ServerEntry & { alive: boolean; region: string })[] = b.zones.map((z) => {
    const [address, port] = z.server.split(":");
    const e = all.find((x) => x.address === address && x.rpcPort === Number(port));
    if (!e || !e.alive) throw new ObError("serverNotAlive", z.server);
    if (e.cluster !== self.cluster || e.clusterId !== self.clusterId || e.zone !== z.zone) throw new ObError("serverMismatch", z.server, `${e.cluster} ${e.clusterId}`, e.zone);
    return { ...e, region: z.region };
  });
  // The primary: whichever cluster an OBServer of the list serves.
  const primaryKey = b.rsList.split(";").map((rs) => {
    const [address, rpc] = rs.split(":");
    const e = all.find((x) => x.address === address && x.rpcPort === Number(rpc) && x.alive);
    return e && stateKeyFor(labDir, e.cluster, e.clusterId);
  }).find((k) => k !== undefined);
  const p = tryRead(labDir, primaryKey);
  if (!p || !clusterAlive(labDir, p) || roleOf(p) !== "PRIMARY") throw new ObError("notPrimaryCluster");
  // 4.x has no standby clusters (standby tenants instead): the statement is not supported there.
  if (isV4(p)) throw new ObError("notSupported", "bootstrap standby cluster");
  if (p.clusterId !== b.primaryId) throw new ObError("clusterIdMismatch");
  if (p.name !== self.cluster) throw new ObError("clusterNameMismatch", self.cluster, p.name);
  if (members.some((m) => m.version !== p.version)) throw new ObError("clusterVersionIncompatible");
  if (self.clusterId === p.clusterId || (p.standbys ?? []).some((l) => l.clusterId === self.clusterId)) throw new ObError("clusterIdInUse", String(self.clusterId));
  const key = `${self.cluster}.${self.clusterId}`;
  const state: ClusterState = {
    name: p.name,
    version: p.version,
    clusterId: self.clusterId,
    rootHash: p.rootHash,
    servers: members.map((m): ObServerRecord => ({ host: m.host, zone: m.zone, address: m.address, sqlPort: m.sqlPort, rpcPort: m.rpcPort })),
    tenants: p.tenants.slice(),
    ...freshFields(),
    units: initialUnits(p.tenants.map((t) => t.id), members),
    merge: p.merge,
    lastDataChangeAt: now,
    key,
    replica: { role: "PHYSICAL STANDBY", primaryKey: keyOf(p), appliedScn: 0, switchovers: 0 },
    zoneInfo: Object.fromEntries(members.map((m) => [m.zone, { idc: "", region: m.region }])),
    data: {},
  };
  writeState(labDir, state, key);
  const rsList = members.map((m) => `${m.address}:${m.rpcPort}:${m.sqlPort}`).join(";");
  withState(labDir, keyOf(p), (x) => {
    x.standbys = [...(x.standbys ?? []).filter((l) => l.clusterId !== self.clusterId), { clusterId: self.clusterId, key, name: self.cluster, addedAt: null, registeredAt: now, rsList }];
  });
  return true;
}
