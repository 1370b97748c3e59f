/**
 * The 4.x standby cluster itself, before its standby tenants (plan-tenants.ts): on 4.x a standby
 * is a cluster of its own, deployed as a normal cluster (there is no cluster-level registration):
 * the same prechecks as 3.x (the observer build on every host, free ports, a data directory
 * absent or empty, never overwritten), the observers started in parallel (one step per host on
 * its one SSH connection), `ALTER SYSTEM BOOTSTRAP REGION .. ZONE .. SERVER ..` on the first
 * zone's RootServer with each zone's RootServer, `ALTER USER root IDENTIFIED BY ..` (root@sys has
 * no password after bootstrap), the other hosts by ADD SERVER, each zone's IDC. Scaling by
 * editing as on 3.x: ADD ZONE / START ZONE / ADD SERVER; DELETE SERVER, a bounded wait until the
 * server left DBA_OB_SERVERS (DELETING while its units move), STOP ZONE / DELETE ZONE of an emptied
 * zone, and the removed host's observer stopped with its data kept; emptying a zone that holds units
 * (DBA_OB_UNITS) refused before any step.
 */
import type { Operation } from "../../core/operation";
import { sqlOp, type SqlEndpoint, type Target } from "../commands";
import { PlanRefusal } from "../plan-common";
import { obString } from "../sql";
import { precheckHost, refuseEmptyingHeldZones, rsListOf, scaleInPhases, serversLeaving, startOp, type Member } from "./plan";
import { markerOf } from "./read";
import { standbyPasswordOf, standbyView, type SideView, type TenantsActual } from "./read-tenants";
import type { StandbyClusterSpec } from "./schema";
import { STANDBY_SQL } from "./sql";
import { TENANT_SQL } from "./sql-tenants";
import { DRIFT, sqlHostOf } from "./unreachable";
import { resolveZones } from "./validate";

export type Phase = { title: string; operations: Operation[] };

export interface Cluster4Plan {
  readonly phases: Phase[];
  /** Where the standby's sys is reached for the tenants' steps. */
  readonly t: Target;
  readonly ep: SqlEndpoint;
  /** What the tenants' planner sees of the standby (no tenants yet when this plan bootstraps it); undefined: known next round. */
  readonly view: SideView | undefined;
}

/** The standby cluster's name: declared, else the primary's (as OCP names a standby), else what its observers were started with. */
export function clusterName4(s: StandbyClusterSpec, a: TenantsActual): string | undefined {
  const marked = a.hosts.map((h) => /^(?:removed )?cluster=(\S+) id=(\d+) /.exec(h.marker)).find((m) => m && Number(m[2]) === s.clusterId)?.[1];
  return s.clusterName ?? (a.primary.ok ? a.primary.view.name : undefined) ?? (standbyView(a)?.name || undefined) ?? marked;
}

export function members4(s: StandbyClusterSpec, a: TenantsActual): Member[] {
  const serving = new Map((standbyView(a)?.servers ?? []).map((x) => [x.address, x.zone]));
  return resolveZones(s, serving).flatMap((zone) =>
    zone.hosts.map((h) => {
      const probe = a.hosts.find((p) => p.address === h.address)!;
      return { zone, address: h.address, t: { host: h.address, connKey: probe.connKey }, probe };
    }),
  );
}

/** The host the standby's SQL steps run on: the first zone's RootServer. */
export function bootOf(members: Member[]): Member {
  return members.find((m) => m.zone === members[0].zone && m.address === m.zone.rootServer) ?? members[0];
}

/** A member whose data directory holds what this resource's observer was started on. */
export const startedHere = (s: StandbyClusterSpec, name: string, m: Member): boolean => m.probe.data === "nonempty" && m.probe.marker === markerOf(s, name, m.probe.dataDir);

/**
 * The members' observers that do not run (and that `which` picks) started, one step per host on
 * its connection: a stopped observer of a bootstrapped cluster is drift (refresh shows it, up
 * starts it again over its data), in either mode, failover's included.
 */
export function startObservers(s: StandbyClusterSpec, name: string, members: Member[], which: (m: Member) => boolean, why: (m: Member) => string = () => DRIFT): Phase[] {
  const stopped = members.filter((m) => m.probe.pid === null && which(m));
  return stopped.length > 0 ? [{ title: "start observers", operations: stopped.map((m) => startOp(s, name, m, rsListOf(s, members), why(m))) }] : [];
}

export function planCluster4(s: StandbyClusterSpec, a: TenantsActual): Cluster4Plan {
  const name = clusterName4(s, a);
  if (!name) throw new PlanRefusal(`precheck: cannot reach the primary at ${s.primary.host}:${s.primary.port} (${a.primary.ok ? "" : a.primary.error.split("\n")[0]}) and no observer of standby ${s.clusterId} was started yet: check primary.connection, host, port and password`);
  if (a.primary.ok && s.clusterName !== undefined && s.clusterName !== a.primary.view.name) throw new PlanRefusal(`precheck: clusterName ${s.clusterName} differs from the primary's ${a.primary.view.name}: the standby cluster takes the primary's name (what failover.confirm names)`);
  const members = members4(s, a);
  const boot = bootOf(members);
  // A cluster that answers takes SQL on any running member: another one while boot's host is unreachable.
  const at = standbyView(a) ? sqlHostOf(members, boot) : boot;
  const t: Target = { host: at.address, connKey: at.t.connKey };
  const password = standbyPasswordOf(s);
  const ep: SqlEndpoint = { host: at.address, port: s.observer.sqlPort, password };
  const bare: SqlEndpoint = { ...ep, password: "" };
  // A running observer that refuses both our password and none is never bootstrapped over.
  if (a.standby && !a.standby.ok) {
    const error = a.standby.error.split("\n")[0];
    if (/\bERROR 1045\b/.test(error)) throw new PlanRefusal(`the standby cluster's sys at ${boot.address}:${s.observer.sqlPort} refuses root@sys (${error}): check standbyPassword (default: primary.password)`);
    // Some observers run but sys has no majority: those stopped over data they were started on
    // are started again; the tenants are planned once sys answers. Unlike failover mode (which
    // leaves a host that fails the precheck stopped and warns, so the confirmed ACTIVATE is never
    // held up), nothing is urgent here: a failed precheck refuses, naming the host.
    const stopped = members.filter((m) => m.probe.pid === null && startedHere(s, name, m));
    for (const m of stopped) precheckHost(s, name, m);
    const starts = startObservers(s, name, members, (m) => stopped.includes(m));
    if (starts.length > 0) return { phases: starts, t, ep, view: undefined };
    throw new PlanRefusal(`the standby cluster's sys at ${boot.address}:${s.observer.sqlPort} does not answer (${error}): an observer just started may still be loading (run up again), else its log (${s.observer.home}/log/observer.log) says why. Nothing was changed`);
  }
  const self = standbyView(a);
  // Observers all stopped over data they were started on (a host restart, a delete undone): started again, never bootstrapped again.
  const restarting = self === undefined && a.standby === null && members.some((m) => startedHere(s, name, m));
  const bootstrapped = self !== undefined || restarting;
  const phases: Phase[] = [];

  const have = new Map((self?.servers ?? []).map((x) => [x.address, x.zone]));
  const gone = self ? serversLeaving(self.servers, members, a.hosts, "the standby cluster") : [];
  const emptied = [...new Set(gone.map((x) => x.zone))].filter((z) => !members.some((m) => m.zone.name === z));
  refuseEmptyingHeldZones(emptied, self?.units ?? [], "DBA_OB_UNITS");
  for (const m of members) precheckHost(s, name, m);

  const rootServers = members.filter((m) => m.address === m.zone.rootServer);
  // Servers the cluster does not have: on a fresh one all but the RootServers the bootstrap names.
  const added = bootstrapped ? members.filter((m) => !have.has(m.address)) : members.filter((m) => !rootServers.includes(m));
  const newZones = bootstrapped ? added.filter((m, i) => added.findIndex((x) => x.zone.name === m.zone.name) === i && self!.zones[m.zone.name] === undefined).map((m) => m.zone) : [];
  phases.push(...startObservers(s, name, members, () => true, (m) => (bootstrapped && added.includes(m) ? `a host added to zone ${m.zone.name}` : bootstrapped ? DRIFT : "the standby cluster's observers")));
  const zoneSetting = (zs: Member[]) => ({ statements: zs.map((m) => STANDBY_SQL.setZone(m.zone.name, m.zone.idc, m.zone.region)), describe: zs.map((m) => `zone ${m.zone.name} IDC ${obString(m.zone.idc)} region ${obString(m.zone.region)}`).join(", ") });
  const firstOfZone = members.filter((m, i) => members.findIndex((x) => x.zone.name === m.zone.name) === i);
  if (!bootstrapped) {
    // A fresh cluster in one obclient session (fewer round trips on the create's chain): the
    // bootstrap, root@sys's password, the zones' other hosts, each zone's IDC. Interrupted, the
    // next round reads what was done (bootstrapped, password set or not, servers, zones).
    const rs = rootServers.map((m) => ({ region: m.zone.region, zone: m.zone.name, address: m.address, rpcPort: s.observer.rpcPort }));
    const zs = zoneSetting(firstOfZone);
    const statements = [TENANT_SQL.bootstrap(rs), TENANT_SQL.setRootPassword(password), ...added.map((m) => STANDBY_SQL.addServer(m.address, s.observer.rpcPort, m.zone.name)), ...zs.statements];
    const describe = [`BOOTSTRAP (${rootServers.map((m) => `zone ${m.zone.name} ${m.address}:${s.observer.rpcPort}`).join(", ")})`, "ALTER USER root IDENTIFIED BY (standbyPassword, default primary.password)", ...added.map((m) => `ADD SERVER ${m.address}:${s.observer.rpcPort} ZONE ${m.zone.name}`), zs.describe].join("; ");
    phases.push({ title: "bootstrap the standby cluster", operations: [sqlOp(t, bare, statements, { describe, reason: "the standby cluster is not bootstrapped (4.x: a standby cluster is a normal cluster; its tenants are the standbys)", hint: "the observers' log says why; run up again once fixed", timeoutMs: 300_000 })] });
    return { phases, t, ep, view: { version: s.version, name, tenants: [], servers: [], zones: {}, units: [] } };
  }
  if (restarting) return { phases, t, ep, view: undefined };
  if (a.standby && "noPassword" in a.standby) {
    phases.push({ title: "set root@sys's password", operations: [sqlOp(t, bare, [TENANT_SQL.setRootPassword(password)], { describe: "ALTER USER root IDENTIFIED BY (standbyPassword, default primary.password)", reason: "root@sys has no password after bootstrap" })] });
  }
  if (newZones.length > 0) phases.push({ title: "add zones", operations: [sqlOp(t, ep, newZones.flatMap((z) => [STANDBY_SQL.addZone(z.name, z.idc, z.region), STANDBY_SQL.startZone(z.name)]), { describe: newZones.map((z) => `ADD ZONE ${z.name} (IDC ${obString(z.idc)}, region ${obString(z.region)}) and START ZONE`).join("; "), reason: "zones declared that the standby cluster does not have" })] });
  if (added.length > 0) phases.push({ title: "add servers", operations: [sqlOp(t, ep, added.map((m) => STANDBY_SQL.addServer(m.address, s.observer.rpcPort, m.zone.name)), { describe: added.map((m) => `ADD SERVER ${m.address}:${s.observer.rpcPort} ZONE ${m.zone.name}`).join("; "), reason: "hosts declared that the standby cluster does not have" })] });
  if (gone.length > 0) {
    phases.push(...scaleInPhases(s, name, gone, emptied, a.hosts, t, ep, { view: "DBA_OB_SERVERS", units: "DBA_OB_UNITS", serversLeft: TENANT_SQL.serversLeft, unitsMoving: TENANT_SQL.unitsMoving }));
  }
  const zonesToSet = firstOfZone.filter((m) => !newZones.includes(m.zone) && ((self?.zones[m.zone.name]?.idc ?? "") !== m.zone.idc || (self?.zones[m.zone.name]?.region ?? "") !== m.zone.region));
  if (zonesToSet.length > 0) {
    const zs = zoneSetting(zonesToSet);
    phases.push({ title: "set the zones' IDC", operations: [sqlOp(t, ep, zs.statements, { describe: zs.describe, reason: "each zone sits in its declared IDC and region" })] });
  }
  return { phases, t, ep, view: self };
}
