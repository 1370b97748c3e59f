/**
 * A cluster bootstrapped on bare OBServers as a normal (primary) cluster, what a 4.x standby
 * cluster is before its standby tenants are created (4.x has no cluster-level standby):
 * `ALTER SYSTEM BOOTSTRAP [REGION [=] 'r'] ZONE [=] 'z' SERVER [=] 'ip:rpc' [, ...]` (the grammar
 * of the ALTER SYSTEM BOOTSTRAP page; `CLUSTER PRIMARY` may precede the list), after which root@sys
 * has no password until `ALTER USER root IDENTIFIED BY '...'` (what obd and the manual deployment
 * guides run next). Also the 4.x views of its servers and zones: DBA_OB_SERVERS, DBA_OB_ZONES.
 */
import { ObError } from "../errors";
import { tokenize, type Row, type Table } from "../sql/select";
import { freshFields, stateFile, writeState, type ClusterState, type ObServerRecord } from "../state";
import { doubleSha1Hex } from "../wire";
import { zonesOf } from "./alter";
import type { BareServer } from "./bootstrap";
import { servers } from "./registry";
import { dbaUnitsView, initialUnits, isDeleting } from "./units";
import * as fs from "fs";

interface Parsed {
  readonly zones: { region: string; zone: string; server: string }[];
}

function parse(sql: string): Parsed | undefined {
  const t = tokenize(sql);
  let i = 0;
  const kw = (w: string) => (t[i]?.t === "id" && t[i].v.toUpperCase() === w ? (i++, true) : false);
  const near = () => t.slice(i, i + 4).map((x) => x.v).join(" ");
  const str = (): string => {
    if (t[i]?.t === "sym" && t[i].v === "=") i++;
    if (t[i]?.t !== "str") throw new ObError("parse", near());
    return t[i++].v;
  };
  if (!(kw("ALTER") && kw("SYSTEM") && kw("BOOTSTRAP"))) return undefined;
  // CLUSTER STANDBY is the 3.x standby bootstrap (bootstrap.ts); CLUSTER PRIMARY is the default spelled out.
  if (t[i]?.t === "id" && t[i].v.toUpperCase() === "CLUSTER") {
    if (t[i + 1]?.t !== "id" || t[i + 1].v.toUpperCase() !== "PRIMARY") return undefined;
    i += 2;
  }
  const zones: Parsed["zones"] = [];
  do {
    const region = kw("REGION") ? str() : "sys_region";
    if (!kw("ZONE")) throw new ObError("parse", near());
    const zone = str();
    if (!kw("SERVER")) throw new ObError("parse", near());
    zones.push({ region, zone, server: str() });
  } while (t[i]?.t === "sym" && t[i].v === "," && ++i);
  if (i !== t.length) throw new ObError("parse", near());
  return { zones };
}

/** Runs the statement on a bare server; returns false when it is not a plain bootstrap. */
export function bootstrapCluster(labDir: string, self: BareServer, sql: string, now: number): boolean {
  const b = parse(sql);
  if (!b) return false;
  const all = servers(labDir);
  const members = b.zones.map((z) => {
    const [address, port] = z.server.split(":");
    const e = all.find((x) => x.address === address && x.rpcPort === Number(port));
    if (!e || !e.alive) throw new ObError("serverNotAlive", z.server);
    if (e.cluster !== self.cluster || e.clusterId !== self.clusterId || e.zone !== z.zone) throw new ObError("serverMismatch", z.server, `${e.cluster} ${e.clusterId}`, e.zone);
    if (e.version !== self.version) throw new ObError("clusterVersionIncompatible");
    return { ...e, region: z.region };
  });
  // A cluster of the same name made before (a primary filed by name) leaves this one `name.id`.
  const key = fs.existsSync(stateFile(labDir, self.cluster)) ? `${self.cluster}.${self.clusterId}` : self.cluster;
  const merged = { frozenVersion: 1, lastMergedVersion: 1, status: "IDLE" as const, startedAt: now, lastMergedAt: now };
  const state: ClusterState = {
    name: self.cluster,
    version: self.version as ClusterState["version"],
    clusterId: self.clusterId,
    rootHash: doubleSha1Hex(""),
    servers: members.map((m): ObServerRecord => ({ host: m.host, zone: m.zone, address: m.address, sqlPort: m.sqlPort, rpcPort: m.rpcPort })),
    tenants: [{ id: 1, name: "sys" }],
    ...freshFields(),
    units: initialUnits([1], members),
    merge: { "0": merged, "1": { ...merged } },
    lastDataChangeAt: now,
    ...(key === self.cluster ? {} : { key }),
    zoneInfo: Object.fromEntries(members.map((m) => [m.zone, { idc: "", region: m.region }])),
    data: {},
  };
  writeState(labDir, state, key);
  return true;
}

/** `ALTER USER root IDENTIFIED BY 'p'` in sys (the lab has root only); returns false for any other statement. */
export function alterUser(s: ClusterState, raw: string): boolean {
  const t = tokenize(raw.trim().replace(/;\s*$/, ""));
  if (!(t[0]?.t === "id" && t[0].v.toUpperCase() === "ALTER" && t[1]?.t === "id" && t[1].v.toUpperCase() === "USER")) return false;
  const user = t[2];
  if (!user || (user.t !== "id" && user.t !== "str")) throw new ObError("parse", raw.slice(0, 40));
  const kw = (j: number, w: string) => t[j]?.t === "id" && t[j].v.toUpperCase() === w;
  if (!kw(3, "IDENTIFIED") || !kw(4, "BY") || t[5]?.t !== "str" || t.length !== 6) throw new ObError("parse", t.slice(3, 6).map((x) => (x.t === "str" ? "'***'" : x.v)).join(" "));
  if (user.v !== "root") throw new ObError("userNotExist", user.v);
  (s as { rootHash: string }).rootHash = doubleSha1Hex(t[5].v);
  return true;
}

/** 4.x DBA_OB_SERVERS and DBA_OB_ZONES (column names of the 4.x system view reference). */
export const CLUSTER4_VIEWS: Record<string, (s: ClusterState, labDir: string) => Table> = {
  DBA_OB_SERVERS: (s, labDir) => {
    const live = servers(labDir);
    const rows = s.servers.map((x, i): Row => {
      const e = live.find((l) => l.address === x.address && l.rpcPort === x.rpcPort && l.cluster === s.name && l.clusterId === s.clusterId);
      return { SVR_IP: x.address, SVR_PORT: x.rpcPort, ID: i + 1, ZONE: x.zone, SQL_PORT: x.sqlPort, WITH_ROOTSERVER: i === 0 ? "YES" : "NO", STATUS: isDeleting(s, x) ? "DELETING" : e?.alive ? "ACTIVE" : "INACTIVE", BUILD_VERSION: `${e?.version ?? s.version}_1-lab`, START_SERVICE_TIME: e?.alive ? new Date(e.startedAt).toISOString().slice(0, 19).replace("T", " ") : null };
    });
    return { columns: ["SVR_IP", "SVR_PORT", "ID", "ZONE", "SQL_PORT", "WITH_ROOTSERVER", "STATUS", "BUILD_VERSION", "START_SERVICE_TIME"], rows };
  },
  DBA_OB_UNITS: (s) => dbaUnitsView(s),
  DBA_OB_ZONES: (s) => ({
    columns: ["ZONE", "STATUS", "IDC", "REGION", "TYPE"],
    rows: zonesOf(s).map((z): Row => ({ ZONE: z, STATUS: "ACTIVE", IDC: s.zoneInfo?.[z]?.idc ?? "", REGION: s.zoneInfo?.[z]?.region ?? "sys_region", TYPE: "ReadWrite" })),
  }),
};
