/**
 * The 3.x cluster-level standby statements (spec oceanbase-source-check.md §C), run in a cluster's
 * sys tenant: on the primary ADD CLUSTER VERIFY, ADD CLUSTER, REMOVE CLUSTER, ENABLE/DISABLE
 * CLUSTER SYNCHRONIZATION, COMMIT TO SWITCHOVER TO PHYSICAL STANDBY; on a standby COMMIT TO
 * SWITCHOVER TO PRIMARY, FAILOVER TO, ACTIVATE PHYSICAL STANDBY CLUSTER; on either ALTER ZONE ...
 * SET IDC. Each returns false when the statement is not one of its own.
 */
import { deleteServer, isDeleting } from "./units";
import { ObError } from "../errors";
import { tokenize } from "../sql/select";
import { withState, type ClusterState } from "../state";
import { REPLICATION, keyOf, primarySwitchoverStatus, roleOf, standbyScn, standbySwitchoverStatus, tryRead } from "./model";
import { clusterAlive, serverAt } from "./registry";

const unquote = (s: string) => s.replace(/''/g, "'").replace(/\\(.)/g, "$1");
const nameId = new RegExp(`^(?:'((?:[^'\\\\]|\\\\.|'')*)'|([A-Za-z_][A-Za-z0-9_]*)) CLUSTER_ID(?: ?= ?| )(\\d+)( FORCE)?$`, "i");

function clusterRef(rest: string): { name: string; id: number; force: boolean } {
  const m = nameId.exec(rest.trim());
  if (!m) throw new ObError("parse", rest.slice(0, 40));
  return { name: m[1] !== undefined ? unquote(m[1]) : m[2], id: Number(m[3]), force: Boolean(m[4]) };
}

function mustBePrimary(s: ClusterState): void {
  if (roleOf(s) !== "PRIMARY" || s.replica?.disabled) throw new ObError("notPrimaryCluster");
}

function mustBeStandby(s: ClusterState): void {
  if (roleOf(s) !== "PHYSICAL STANDBY" || s.replica?.disabled) throw new ObError("notStandbyCluster");
}

export function alterStandby(labDir: string, s: ClusterState, sql: string, raw: string, now: number): boolean {
  const body = sql.replace(/^ALTER SYSTEM /i, "");
  let m: RegExpExecArray | null;
  if (/^ADD CLUSTER VERIFY$/i.test(body)) {
    mustBePrimary(s);
    return true;
  }
  if ((m = /^ADD CLUSTER (.+)$/i.exec(body))) {
    mustBePrimary(s);
    const ref = clusterRef(m[1]);
    const link = (s.standbys ?? []).find((l) => l.clusterId === ref.id);
    if (!link) throw new ObError("addClusterNotAllowed", `BOOTSTRAP CLUSTER ${ref.id} AS STANDBY FIRST`);
    if (link.name !== ref.name) throw new ObError("clusterNameMismatch", ref.name, link.name);
    if (link.addedAt !== null) throw new ObError("entryExist");
    link.addedAt = now;
    return true;
  }
  if ((m = /^REMOVE CLUSTER (.+)$/i.exec(body))) {
    mustBePrimary(s);
    const ref = clusterRef(m[1]);
    const link = (s.standbys ?? []).find((l) => l.clusterId === ref.id && l.name === ref.name);
    if (!link) throw new ObError("entryNotExist");
    s.standbys = (s.standbys ?? []).filter((l) => l !== link);
    // A removed standby stops following and cannot rejoin (3.x docs): it keeps what it applied.
    const st = tryRead(labDir, link.key);
    if (st) withState(labDir, link.key, (x) => { if (x.replica) { x.replica.appliedScn = standbyScn(labDir, x, now); x.replica.disabled = true; } });
    return true;
  }
  if ((m = /^(ENABLE|DISABLE) CLUSTER SYNCHRONIZATION (.+)$/i.exec(body))) {
    mustBePrimary(s);
    const ref = clusterRef(m[2]);
    const link = (s.standbys ?? []).find((l) => l.clusterId === ref.id && l.name === ref.name);
    if (!link) throw new ObError("entryNotExist");
    if (m[1].toUpperCase() === "DISABLE") {
      // What arrived so far stays applied.
      withState(labDir, link.key, (x) => { if (x.replica) x.replica.appliedScn = standbyScn(labDir, x, now); });
      link.syncOff = true;
    } else delete link.syncOff;
    return true;
  }
  if (/^COMMIT TO SWITCHOVER TO PHYSICAL STANDBY$/i.test(body)) {
    mustBePrimary(s);
    if (primarySwitchoverStatus(labDir, s, now) !== "TO STANDBY") throw new ObError("switchoverNotAllowed", "physical standby (switchover_status is NOT ALLOWED: a standby is not VALID or not synced)");
    s.replica = { role: "PHYSICAL STANDBY", primaryKey: null, appliedScn: s.lastWriteScn ?? 0, awaitingPrimary: true, switchovers: (s.replica?.switchovers ?? 0) + 1 };
    return true;
  }
  if (/^COMMIT TO SWITCHOVER TO PRIMARY$/i.test(body)) {
    mustBeStandby(s);
    if (standbySwitchoverStatus(labDir, s, now) !== "TO PRIMARY") throw new ObError("switchoverNotAllowed", "primary (switchover_status is NOT ALLOWED: the primary has not committed to standby, or redo is still arriving)");
    promote(labDir, s, now, "switchover");
    return true;
  }
  if (/^ACTIVATE PHYSICAL STANDBY CLUSTER$/i.test(body) || /^ACTIVATE PHYSICAL STANDBY( FORCE)?$/i.test(body)) {
    mustBeStandby(s);
    const p = tryRead(labDir, s.replica!.primaryKey);
    // Lossy failover is for a primary that is gone (guess: the real server's check is not documented).
    if (p && clusterAlive(labDir, p) && !p.replica?.awaitingPrimary) throw new ObError("failoverNotAllowed");
    promote(labDir, s, now, "failover");
    return true;
  }
  if (/^FAILOVER TO /i.test(body)) {
    mustBeStandby(s);
    // Lossless failover needs MAXIMUM PROTECTION (3.x docs); the lab's pairs run MAXIMUM PERFORMANCE.
    throw new ObError("failoverNotAllowed");
  }
  if (/^(?:ALTER|CHANGE|MODIFY) ZONE /i.test(body)) {
    // From the statement as sent: a literal keeps its blanks (the normalized text collapses them).
    const t = tokenize(raw);
    let i = 4;
    const word = (w: string) => (t[i]?.t === "id" && t[i].v.toUpperCase() === w ? (i++, true) : false);
    if (t[i]?.t !== "str") throw new ObError("parse", body.slice(0, 40));
    const zone = t[i++].v;
    if (!zonesOf(s).includes(zone)) throw new ObError("entryNotExist");
    word("SET");
    const info = { ...(s.zoneInfo?.[zone] ?? { idc: "", region: "sys_region" }) };
    do {
      const key = t[i]?.t === "id" ? t[i++].v.toLowerCase() : "";
      if (key !== "idc" && key !== "region") throw new ObError("parse", t.slice(i - 1, i + 2).map((x) => x.v).join(" "));
      if (t[i]?.v === "=") i++;
      if (t[i]?.t !== "str") throw new ObError("parse", t.slice(i, i + 2).map((x) => x.v).join(" "));
      info[key] = t[i++].v;
    } while (t[i]?.v === "," && ++i);
    if (i !== t.length) throw new ObError("parse", t.slice(i, i + 3).map((x) => x.v).join(" "));
    s.zoneInfo = { ...(s.zoneInfo ?? {}), [zone]: info };
    return true;
  }
  if (/^ADD ZONE /i.test(body)) {
    // ALTER SYSTEM ADD ZONE 'z' [IDC [=] 'x'] [REGION [=] 'r'] (3.x; the zone starts INACTIVE).
    const t = tokenize(raw);
    let i = 4;
    if (t[i]?.t !== "str" && t[i]?.t !== "id") throw new ObError("parse", body.slice(0, 40));
    const zone = t[i++].v;
    if (zonesOf(s).includes(zone)) throw new ObError("entryExist");
    const info = { idc: "", region: "sys_region" };
    while (i < t.length) {
      if (t[i].v === ",") { i++; continue; }
      const key = t[i]?.t === "id" ? t[i++].v.toLowerCase() : "";
      if (key !== "idc" && key !== "region") throw new ObError("parse", t.slice(i - 1, i + 2).map((x) => x.v).join(" "));
      if (t[i]?.v === "=") i++;
      if (t[i]?.t !== "str") throw new ObError("parse", t.slice(i, i + 2).map((x) => x.v).join(" "));
      info[key] = t[i++].v;
    }
    s.zoneInfo = { ...(s.zoneInfo ?? {}), [zone]: info };
    return true;
  }
  if ((m = /^(START|STOP) ZONE '([^']*)'$/i.exec(body))) {
    if (!zonesOf(s).includes(m[2])) throw new ObError("entryNotExist");
    return true;
  }
  if ((m = /^ADD SERVER '([^':]+):(\d+)' ZONE ?=? ?'([^']*)'$/i.exec(body))) {
    // The server must run, bare, as a server of this cluster and zone, of the cluster's build.
    const [address, rpcPort, zone] = [m[1], Number(m[2]), m[3]];
    if (!zonesOf(s).includes(zone)) throw new ObError("entryNotExist");
    if (s.servers.some((x) => x.address === address && x.rpcPort === rpcPort)) throw new ObError("entryExist");
    const e = serverAt(labDir, address, rpcPort);
    if (!e?.alive) throw new ObError("serverNotAlive", `${address}:${rpcPort}`);
    if (e.cluster !== s.name || e.clusterId !== s.clusterId || e.zone !== zone) throw new ObError("serverMismatch", `${address}:${rpcPort}`, `${e.cluster} ${e.clusterId}`, e.zone);
    if (e.version !== s.version) throw new ObError("clusterVersionIncompatible");
    s.servers.push({ host: e.host, zone, address, sqlPort: e.sqlPort, rpcPort });
    return true;
  }
  if ((m = /^DELETE SERVER '([^':]+):(\d+)'(?: ZONE ?=? ?'([^']*)')?$/i.exec(body))) {
    const [address, rpcPort] = [m[1], Number(m[2])];
    const sv = s.servers.find((x) => x.address === address && x.rpcPort === rpcPort && (m![3] === undefined || x.zone === m![3]));
    if (!sv) throw new ObError("entryNotExist");
    // A cluster keeps a server (guess: the real server's check for the last one is not documented).
    if (s.servers.filter((x) => !isDeleting(s, x)).length === 1) throw new ObError("opNotAllow", "delete the last server");
    // Asynchronous, as OceanBase's: deleting while its units migrate within the zone (units.ts).
    deleteServer(labDir, s, sv, now);
    return true;
  }
  if ((m = /^DELETE ZONE '([^']*)'$/i.exec(body))) {
    if (!zonesOf(s).includes(m[1])) throw new ObError("entryNotExist");
    if (s.servers.some((x) => x.zone === m![1])) throw new ObError("opNotAllow", "delete a zone that still has servers");
    const { [m[1]]: _, ...rest } = s.zoneInfo ?? {};
    s.zoneInfo = rest;
    return true;
  }
  return false;
}

/** Zones with servers, and zones added (ADD ZONE) that have none yet. */
export function zonesOf(s: ClusterState): string[] {
  return [...new Set([...s.servers.map((x) => x.zone), ...Object.keys(s.zoneInfo ?? {})])];
}

/** The standby becomes the primary: on a switchover its old primary follows it, on a failover the others are disabled. */
function promote(labDir: string, s: ClusterState, now: number, how: "switchover" | "failover"): void {
  const r = s.replica!;
  const applied = standbyScn(labDir, s, now);
  const oldKey = r.primaryKey!;
  const old = tryRead(labDir, oldKey);
  s.replica = { role: "PRIMARY", primaryKey: null, appliedScn: applied, switchovers: r.switchovers + 1 };
  s.lastWriteScn = applied;
  const others = (old?.standbys ?? []).filter((l) => l.clusterId !== s.clusterId);
  if (how === "switchover" && old) {
    s.standbys = [{ clusterId: old.clusterId, key: oldKey, name: old.name, addedAt: now - REPLICATION.copyMs, registeredAt: now, rsList: "" }, ...others];
    withState(labDir, oldKey, (x) => { x.replica = { role: "PHYSICAL STANDBY", primaryKey: keyOf(s), appliedScn: x.lastWriteScn ?? 0, switchovers: (x.replica?.switchovers ?? 0) + 1 }; x.standbys = []; });
    for (const l of others) withState(labDir, l.key, (x) => { if (x.replica) x.replica.primaryKey = keyOf(s); });
  } else {
    s.standbys = [];
    if (old) withState(labDir, oldKey, (x) => { x.replica = { role: roleOf(x), primaryKey: null, appliedScn: x.lastWriteScn ?? 0, disabled: true, switchovers: x.replica?.switchovers ?? 0 }; });
    for (const l of others) withState(labDir, l.key, (x) => { if (x.replica) x.replica.disabled = true; });
  }
}
