/**
 * The pure planner of `oceanbase:StandbyCluster` (3.x), from what was read: prechecks first
 * (refused before any step, saying what to check), then in OceanBase's order (spec
 * oceanbase-source-check.md §C): ADD CLUSTER VERIFY on the primary, the observers started in
 * parallel, BOOTSTRAP CLUSTER STANDBY on the standby (REGISTERED), ADD CLUSTER on the primary
 * (VALID), each zone's IDC, a bounded wait until the full copy is done and redo follows.
 * Switchover: demote the primary, then promote the standby, each confirmed by reading the role.
 */
import { connectionKey, parseConnection } from "../../core/connection";
import type { Operation, Plan } from "../../core/operation";
import { sh } from "../../core/quote/sh";
import { sqlOp, waitOp, type SqlEndpoint, type Target } from "../commands";
import { PlanRefusal } from "../plan-common";
import { isV4, obString } from "../sql";
import { markerOf, type ClusterView, type HostProbe, type StandbyActual } from "./read";
import { primaryRules, sameVersion, type PrimaryFacts } from "./primary-rules";
import type { StandbyClusterSpec } from "./schema";
import { STANDBY_SQL } from "./sql";
import { DRIFT, refuseLeavingUnreachable, sqlHostOf } from "./unreachable";
import { resolveZones, type ResolvedZone } from "./validate";

export const STANDBY = "PHYSICAL STANDBY";

export { sameVersion } from "./primary-rules";

export interface Member {
  readonly zone: ResolvedZone;
  readonly address: string;
  readonly t: Target;
  readonly probe: HostProbe;
}

export function primaryTarget(s: StandbyClusterSpec): Target {
  const c = parseConnection(s.primary.connection);
  return { host: c.host, connKey: connectionKey(c) };
}

const primaryEp = (s: StandbyClusterSpec): SqlEndpoint => ({ host: s.primary.host, port: s.primary.port, password: s.primary.password });

export function membersOf(s: StandbyClusterSpec, a: StandbyActual): Member[] {
  const serving = new Map<string, string>();
  if (a.self?.ok && "view" in a.self) for (const x of a.self.view.servers) serving.set(x.address, x.zone);
  return resolveZones(s, serving).flatMap((zone) =>
    zone.hosts.map((h) => {
      const probe = a.hosts.find((p) => p.address === h.address)!;
      return { zone, address: h.address, t: { host: h.address, connKey: probe.connKey }, probe };
    }),
  );
}

export const selfView = (a: StandbyActual): ClusterView | undefined => (a.self?.ok && "view" in a.self ? a.self.view : undefined);

/** The cluster name: declared, else what the standby or the primary report. */
export function clusterNameOf(s: StandbyClusterSpec, a: StandbyActual): string | undefined {
  return s.clusterName ?? selfView(a)?.name ?? (a.peer.ok ? a.peer.view.name : undefined);
}

export function rsListOf(s: StandbyClusterSpec, members: Member[]): string {
  return members.filter((m) => m.zone.rootServer === m.address).map((m) => `${m.address}:${s.observer.rpcPort}:${s.observer.sqlPort}`).join(";");
}

function observerOptions(s: StandbyClusterSpec): string {
  const o = s.observer;
  const opts: [string, string][] = [];
  if (o.memoryLimit) opts.push(["memory_limit", o.memoryLimit]);
  if (o.cpuCount) opts.push(["cpu_count", String(o.cpuCount)]);
  for (const [k, v] of Object.entries(o.options)) opts.push([k, v]);
  return opts.map(([k, v]) => `${k}=${v}`).join(",");
}

export function startOp(s: StandbyClusterSpec, name: string, m: Member, rsList: string, why: string): Operation {
  const o = s.observer;
  const { home, dataDir } = m.probe;
  const opts = observerOptions(s);
  const args = sh`-z ${m.zone.name} -p ${String(o.sqlPort)} -P ${String(o.rpcPort)} -n ${name} -c ${String(s.clusterId)} -d ${dataDir} -r ${rsList}` + (opts ? sh` -o ${opts}` : "");
  const command = sh`mkdir -p -- ${dataDir} ${`${home}/run`} ${`${home}/log`} && printf '%s\n' ${markerOf(s, name, dataDir)} > ${`${home}/.dbcluster-observer`} && cd ${home} && ./bin/observer ` + args;
  return { host: m.address, connKey: m.t.connKey, kind: "start", describe: `start observer ${m.address} (zone ${m.zone.name}, cluster ${name} ${s.clusterId})`, command, reason: why, timeoutMs: 120_000, hint: `see ${home}/log/observer.log on ${m.address}` };
}

/** Refuses to start an observer where it could overwrite data or would not come up. */
export function precheckHost(s: StandbyClusterSpec, name: string, m: Member): void {
  const p = m.probe;
  // Nothing is known of an unreachable host: no step runs there (unreachable.ts).
  if (p.unreachable !== undefined) return;
  if (!sameVersion(p.binaryVersion, s.version)) throw new PlanRefusal(`precheck: ${m.address}: ${p.home}/bin/observer is ${p.binaryVersion ? `build ${p.binaryVersion}` : "missing"}, not ${s.version}: install the primary's build on every standby host`);
  if (p.pid !== null) return;
  if (p.busy.length > 0) throw new PlanRefusal(`precheck: ${m.address}: port${p.busy.length > 1 ? "s" : ""} ${p.busy.join(", ")} already in use and no observer of this cluster runs there: free ${p.busy.length > 1 ? "them" : "it"} or choose observer.sqlPort/rpcPort`);
  if (p.data === "nonempty" && p.marker !== markerOf(s, name, p.dataDir)) {
    throw new PlanRefusal(`precheck: ${m.address}: the data directory ${p.dataDir} is not empty${p.marker ? ` (${p.marker})` : ""} and was not started by this standby: an existing data directory is never overwritten; check that it is disposable and empty it yourself, or choose another observer.dataDir`);
  }
}

/** What the primary must agree with, as check would have said it (check cannot always read the primary). */
export function refusePrimaryMismatch(s: StandbyClusterSpec, peer: PrimaryFacts): void {
  const wrong = primaryRules(s, peer);
  if (wrong.length > 0) throw new PlanRefusal(wrong.map((w) => `precheck: ${w.path} ${w.value} ${w.rule}`).join("\n"));
}

function precheckPrimary(s: StandbyClusterSpec, peer: ClusterView): void {
  refusePrimaryMismatch(s, peer);
  if (peer.role !== "PRIMARY") throw new PlanRefusal(`precheck: the cluster at primary (${s.primary.host}:${s.primary.port}) is ${peer.role}, not PRIMARY: point primary at the primary cluster`);
}

/**
 * The VALID wait's progress: the standby's status on the primary, and once the full copy is done
 * (CURRENT_SCN > 0) its lag behind the primary's CURRENT_SCN (both µs); a change of status is news.
 */
function validProgress(id: number): string {
  const q = `SELECT cluster_status, current_scn FROM oceanbase.V$OB_STANDBY_STATUS WHERE cluster_id = ${id}; SELECT current_scn FROM oceanbase.V$OB_CLUSTER`;
  return (
    sh`set -- $(ob -e ${q} 2>/dev/null); ` +
    `if [ $# -lt 3 ]; then k=absent; t="standby ${id} not in the primary's V\\$OB_STANDBY_STATUS yet"; ` +
    `elif [ "$2" = 0 ]; then k=$1; t="standby ${id} $1, full copy running"; ` +
    `else k=$1-copied; l=$((($3 - $2) / 1000000)); [ $l -lt 0 ] && l=0; t="standby ${id} $1, lag \${l}s"; fi`
  );
}

function waitValid(s: StandbyClusterSpec): Operation {
  return waitOp(primaryTarget(s), primaryEp(s), `SELECT count(*) FROM oceanbase.V$OB_STANDBY_STATUS WHERE cluster_id = ${s.clusterId} AND cluster_status = 'VALID' AND current_scn > 0`, "1", s.timeoutSeconds, {
    describe: `wait until standby ${s.clusterId} is VALID and its full copy is done (at most ${s.timeoutSeconds}s)`,
    reason: "the standby copies the primary's latest major version, then follows its redo",
    hint: "the copy goes on in the servers; run up again to wait more (raise timeoutSeconds for big clusters)",
    show: validProgress(s.clusterId),
  });
}

/** Switchover: demote `from` (waiting until it may), then promote `to` once it says TO PRIMARY. */
function switchover(s: StandbyClusterSpec, from: { t: Target; ep: SqlEndpoint; label: string; demoted: boolean }, to: { t: Target; ep: SqlEndpoint; label: string }): Plan {
  const plan: { title: string; operations: Operation[] }[] = [];
  if (!from.demoted) {
    plan.push({ title: `demote ${from.label}`, operations: [
      waitOp(from.t, from.ep, "SELECT switchover_status FROM oceanbase.V$OB_CLUSTER", "TO STANDBY", s.timeoutSeconds, { describe: `wait until ${from.label} may switch to standby (every standby VALID and synced)`, watch: "switchover_status", reason: "a planned switchover loses nothing: the primary waits for its standbys", hint: "check V$OB_STANDBY_STATUS on the primary: a standby not VALID or lagging blocks the switchover" }),
      sqlOp(from.t, from.ep, [STANDBY_SQL.toStandby], { describe: STANDBY_SQL.toStandby, reason: `role: ${from.label} becomes the standby` }),
    ] });
  }
  plan.push({ title: `promote ${to.label}`, operations: [
    waitOp(to.t, to.ep, "SELECT switchover_status FROM oceanbase.V$OB_CLUSTER", "TO PRIMARY", s.timeoutSeconds, { describe: `wait until ${to.label} has all the redo (switchover_status TO PRIMARY)`, watch: "switchover_status", reason: "promote only once every change arrived" }),
    sqlOp(to.t, to.ep, [STANDBY_SQL.toPrimary], { describe: STANDBY_SQL.toPrimary, reason: `role: ${to.label} becomes the primary` }),
  ] });
  return plan;
}

export function planStandby(s: StandbyClusterSpec, a: StandbyActual): Plan {
  const self = selfView(a);
  const peer = a.peer.ok ? a.peer.view : undefined;
  // A 4.x primary has no V$OB_CLUSTER (its view has the version only): say so before anything needs its name.
  if (peer && isV4(peer.version)) refusePrimaryMismatch(s, { version: peer.version });
  const name = clusterNameOf(s, a);
  if (!name) throw new PlanRefusal(`cannot reach the primary at ${s.primary.host}:${s.primary.port}: ${a.peer.ok ? "" : a.peer.error} (check primary.connection, host, port and password)`);
  const members = membersOf(s, a);
  const pt = primaryTarget(s);
  const pep = primaryEp(s);
  const boot = members.find((m) => m.zone === members[0].zone && m.address === m.zone.rootServer) ?? members[0];
  const registered = peer?.standbys.find((x) => x.clusterId === s.clusterId);
  // A bootstrapped standby takes SQL on any running member: another one while boot's host is unreachable.
  const at = self !== undefined || registered !== undefined ? sqlHostOf(members, boot) : boot;
  const sqlT: Target = { host: at.address, connKey: at.t.connKey };
  const sep: SqlEndpoint = { host: at.address, port: s.observer.sqlPort, password: s.primary.password };

  if (self && self.clusterId !== s.clusterId) throw new PlanRefusal(`the observers on ${boot.address} serve cluster ${self.name} ${self.clusterId}, not ${s.clusterId}: check the hosts and observer.sqlPort`);
  if (self?.status === "DISABLED") throw new PlanRefusal(`standby ${name} ${s.clusterId} is DISABLED (removed from its primary's registry, or given up by a failover): it cannot rejoin; delete it (deleteData: true once its data is disposable) and create a new standby with an unused clusterId`);

  // Scale-out: hosts and zones the running standby does not have yet. Removing or moving is not built.
  const have = new Map((self?.servers ?? []).map((x) => [x.address, x.zone]));
  // Scale-in: servers the inputs no longer have leave (DELETE SERVER, then their observer stops).
  const gone = self ? serversLeaving(self.servers, members, a.hosts, "the standby") : [];
  // What an up cut after DELETE SERVER's wait (or whose wait timed out) left: observers of ours
  // no longer in __all_server, zones no member declares and no server uses.
  const leftOver = self ? a.hosts.filter((h) => h.pid !== null && h.marker === markerOf(s, name, h.dataDir) && !members.some((m) => m.address === h.address) && !self.servers.some((x) => x.address === h.address)) : [];
  const orphanZones = self ? Object.keys(self.zones).filter((z) => !members.some((m) => m.zone.name === z) && !self.servers.some((x) => x.zone === z)) : [];
  const added = self ? members.filter((m) => !have.has(m.address)) : [];
  const newZones = added.filter((m, i) => added.findIndex((x) => x.zone.name === m.zone.name) === i && self!.zones[m.zone.name] === undefined).map((m) => m.zone);
  const phases: { title: string; operations: Operation[] }[] = [];
  const known = self !== undefined || registered !== undefined;
  if (!known) {
    if (!peer) throw new PlanRefusal(`precheck: cannot reach the primary at ${s.primary.host}:${s.primary.port}: ${a.peer.ok ? "" : a.peer.error} (check primary.connection, host, port and password)`);
    precheckPrimary(s, peer);
  }
  for (const m of members) precheckHost(s, name, m);
  const stopped = members.filter((m) => m.probe.pid === null);
  const bootstrapped = self !== undefined || registered !== undefined;
  // Steps on different hosts share a phase (they run at once): the primary's check beside the starts.
  const verify = !bootstrapped && peer ? [sqlOp(pt, pep, [STANDBY_SQL.addClusterVerify], { describe: STANDBY_SQL.addClusterVerify, reason: "the primary must accept a new standby", hint: "4709 names what to do first (e.g. a major freeze on the primary)" })] : [];
  const starts = stopped.length > 0 ? stopped.map((m) => startOp(s, name, m, rsListOf(s, members), added.includes(m) ? `a host added to zone ${m.zone.name}` : bootstrapped ? DRIFT : "the standby's observers")) : [];
  if (verify.length + starts.length > 0) phases.push({ title: [verify.length > 0 ? "check the primary" : "", starts.length > 0 ? "start observers" : ""].filter((x) => x !== "").join(", "), operations: [...verify, ...starts] });
  if (!bootstrapped && peer) {
    const statement = STANDBY_SQL.bootstrap(members.map((m) => ({ region: m.zone.region, zone: m.zone.name, address: m.address, rpcPort: s.observer.rpcPort })), peer.clusterId, peer.servers.map((x) => `${x.address}:${x.rpcPort}:${x.sqlPort}`).join(";"));
    phases.push({ title: "bootstrap the standby", operations: [sqlOp({ host: boot.address, connKey: boot.t.connKey }, { host: boot.address, port: s.observer.sqlPort, password: "" }, [statement], { describe: `BOOTSTRAP CLUSTER STANDBY (${members.length} server${members.length === 1 ? "" : "s"}, primary ${peer.clusterId})`, reason: "the standby is not bootstrapped", hint: "the observers' log says why; run up again once fixed", timeoutMs: 300_000 })] });
  }
  if (newZones.length > 0) phases.push({ title: "add zones", operations: [sqlOp(sqlT, sep, newZones.flatMap((z) => [STANDBY_SQL.addZone(z.name, z.idc, z.region), STANDBY_SQL.startZone(z.name)]), { describe: newZones.map((z) => `ADD ZONE ${z.name} (IDC ${obString(z.idc)}, region ${obString(z.region)}) and START ZONE`).join("; "), reason: "zones declared that the standby does not have" })] });
  if (added.length > 0) phases.push({ title: "add servers", operations: [sqlOp(sqlT, sep, added.map((m) => STANDBY_SQL.addServer(m.address, s.observer.rpcPort, m.zone.name)), { describe: added.map((m) => `ADD SERVER ${m.address}:${s.observer.rpcPort} ZONE ${m.zone.name}`).join("; "), reason: "hosts declared that the standby does not have" })] });
  if (gone.length + leftOver.length + orphanZones.length > 0) phases.push(...scaleIn(s, name, self!, { gone, leftOver, orphanZones }, members, a, sqlT, sep));
  const selfRole = self?.role;
  const wantPrimary = s.role === "primary";
  const standbySide = { t: sqlT, ep: sep, label: `standby ${s.clusterId}` };
  const primarySide = { t: pt, ep: pep, label: `the primary ${peer?.clusterId ?? ""}`.trim() };

  // Registration (on the primary) and the zones' IDC (on the standby) run at once.
  const register: Operation[] = [];
  // Registration: only while this cluster is the standby of a reachable primary.
  if (peer && peer.role === "PRIMARY" && selfRole !== "PRIMARY") {
    if (!bootstrapped || registered?.status === "REGISTERED") register.push(...[sqlOp(pt, pep, [STANDBY_SQL.addCluster(name, s.clusterId)], { describe: STANDBY_SQL.addCluster(name, s.clusterId), reason: "the standby is REGISTERED, not yet added" })]);
    else if (!registered) throw new PlanRefusal(`standby ${s.clusterId} is not in the primary's registry (V$OB_STANDBY_STATUS): it was removed, and a removed standby cannot rejoin; delete it and create a new one with an unused clusterId`);
  }
  // Bootstrap gives each zone its region; the IDC (and a changed region) come after.
  const zonesToSet = members.filter((m, i) => members.findIndex((x) => x.zone.name === m.zone.name) === i && !newZones.includes(m.zone)).filter((m) => (self?.zones[m.zone.name]?.idc ?? "") !== m.zone.idc || (self !== undefined && (self.zones[m.zone.name]?.region ?? "") !== m.zone.region));
  if (zonesToSet.length > 0) register.push(...[sqlOp(standbySide.t, sep, zonesToSet.map((m) => STANDBY_SQL.setZone(m.zone.name, m.zone.idc, m.zone.region)), { describe: zonesToSet.map((m) => `zone ${m.zone.name} IDC ${obString(m.zone.idc)} region ${obString(m.zone.region)}`).join(", "), reason: "each zone sits in its declared IDC and region" })]);
  if (register.length > 0) phases.push({ title: [register.some((o) => o.connKey === pt.connKey) ? "register on the primary" : "", zonesToSet.length > 0 ? "set the zones' IDC" : ""].filter((x) => x !== "").join(", "), operations: register });

  if (s.failover && wantPrimary && selfRole !== "PRIMARY" && (self || bootstrapped)) {
    if (s.failover.confirm !== name) throw new PlanRefusal(`failover.confirm is ${JSON.stringify(s.failover.confirm)}, not the primary being given up (${name}): failover is never implicit`);
    if (peer && peer.role === "PRIMARY" && peer.status === "VALID") throw new PlanRefusal(`the primary ${name} ${peer.clusterId} answers and serves: failover is for a lost primary; for a planned role change remove failover and keep role: "primary" (a switchover loses nothing)`);
    phases.push({ title: "failover", operations: [sqlOp(standbySide.t, sep, [STANDBY_SQL.activate], { describe: `${STANDBY_SQL.activate} (the old primary ${name}${peer ? ` ${peer.clusterId}` : ""} is given up: it must be rebuilt as a new standby)`, reason: `failover confirmed for ${s.failover.confirm}: its primary is lost; changes it made after the standby's last applied redo are lost`, timeoutMs: 300_000 })] });
    return phases;
  }
  if (self && peer) {
    if (wantPrimary && selfRole === STANDBY) return [...phases, ...switchover(s, { ...primarySide, demoted: peer.role !== "PRIMARY" }, standbySide)];
    if (!wantPrimary && selfRole === "PRIMARY") return [...phases, ...switchover(s, { ...standbySide, demoted: false }, primarySide)];
    if (!wantPrimary && selfRole === STANDBY && peer.role === STANDBY) return [...phases, ...switchover(s, { ...standbySide, demoted: true }, primarySide)];
  } else if (self && wantPrimary && selfRole === STANDBY && !s.failover) {
    throw new PlanRefusal(`role: "primary" needs a switchover, and the primary at ${s.primary.host}:${s.primary.port} cannot be reached (${a.peer.ok ? "" : a.peer.error}); if it is lost, declare failover: { confirm: "${name}" } (never implicit)`);
  }
  const copying = !bootstrapped || registered?.status !== "VALID" || (registered?.currentScn ?? 0) === 0;
  if (peer && peer.role === "PRIMARY" && selfRole !== "PRIMARY" && copying) phases.push({ title: "wait for the standby", operations: [waitValid(s)] });
  return phases;
}

/**
 * The servers the inputs no longer have (3.x `__all_server`, 4.x DBA_OB_SERVERS), after the
 * refusals both versions share: a host moved to another zone, no server left, a leaving server
 * whose connection is unknown.
 */
export function serversLeaving<T extends { address: string; zone: string }>(servers: readonly T[], members: readonly Member[], hosts: readonly HostProbe[], what: string): T[] {
  const gone = servers.filter((x) => !members.some((m) => m.address === x.address));
  const moved = servers.filter((x) => members.some((m) => m.address === x.address && m.zone.name !== x.zone));
  if (moved.length > 0) throw new PlanRefusal(`moving a host to another zone is not built: ${moved.map((x) => `${x.address} (zone ${x.zone})`).join(", ")}; remove it in one up, add it to the other zone in the next. Nothing was changed`);
  if (gone.length > 0 && gone.length === servers.length) throw new PlanRefusal(`the inputs leave ${what} no server: delete the resource instead. Nothing was changed`);
  const unknown = gone.filter((x) => !hosts.some((h) => h.address === x.address));
  const one = unknown.length === 1;
  if (unknown.length > 0) throw new PlanRefusal(`${unknown.map((x) => x.address).join(", ")} serve${one ? "s" : ""} ${what} but no connection to ${one ? "it" : "them"} is known (not in these inputs nor the last applied ones): declare ${one ? "it" : "them"} again, or remove ${one ? "it" : "them"} by hand. Nothing was changed`);
  refuseLeavingUnreachable(gone, hosts, what);
  return gone;
}

/**
 * Scale-in, as OceanBase has it: DELETE SERVER is asynchronous (the server is `deleting` while
 * its units migrate to another server of its zone), so a bounded wait, with progress, until the
 * servers are gone from `__all_server`; then a zone left empty is stopped and deleted, then the
 * observers stop. Units move only within a zone: emptying a zone that holds units is refused
 * (its tenants' locality would have to change first, which this resource does not do). What an
 * earlier up's servers left once gone (`leftOver` observers, `orphanZones`) is finished the same way.
 */
function scaleIn(s: StandbyClusterSpec, name: string, self: ClusterView, left: { gone: ClusterView["servers"]; leftOver: HostProbe[]; orphanZones: string[] }, members: Member[], a: StandbyActual, t: Target, sep: SqlEndpoint): { title: string; operations: Operation[] }[] {
  const { gone, leftOver, orphanZones } = left;
  const emptied = [...new Set([...gone.map((x) => x.zone), ...orphanZones])].filter((z) => !members.some((m) => m.zone.name === z));
  refuseEmptyingHeldZones(emptied, self.units, "__all_unit");
  return scaleInPhases(s, name, gone, emptied, a.hosts, t, sep, { view: "__all_server", serversLeft: STANDBY_SQL.serversLeft, unitsMoving: STANDBY_SQL.unitsMoving, units: "__all_unit" }, leftOver);
}

/**
 * Units move only to another server of their zone: OceanBase refuses the DELETE SERVER that would
 * leave a zone's units no server (4.x OB_ZONE_SERVER_NOT_ENOUGH, 4734), and with it the DELETE ZONE.
 * So emptying a zone that holds units (3.x `__all_unit`, 4.x DBA_OB_UNITS) is refused before any
 * step, naming the tenants whose units are there when the read knows them.
 */
export function refuseEmptyingHeldZones(emptied: readonly string[], units: readonly { zone: string; tenant?: string }[], view: string): void {
  const held = emptied.filter((z) => units.some((u) => u.zone === z));
  if (held.length === 0) return;
  const many = held.length > 1;
  const zones = held.join(", ");
  const tenants = [...new Set(units.filter((u) => held.includes(u.zone) && u.tenant).map((u) => u.tenant!))];
  const whose = tenants.length > 0 ? `of ${tenants.join(", ")} (their units in ${zones}, ${view})` : `of the tenants whose units are in ${zones} (${view})`;
  throw new PlanRefusal(
    `zone${many ? "s" : ""} ${zones} hold${many ? "" : "s"} tenants' resource units, and OceanBase moves a unit only to another server of its zone: removing every server of ${many ? "them" : "it"} needs the tenants' locality changed first, which this resource does not do: ` +
      `first leave ${zones} out of the locality and the resource pools' ZONE_LIST ${whose} (ALTER TENANT … LOCALITY, ALTER RESOURCE POOL … ZONE_LIST), or keep a server in ${zones}. Nothing was changed`,
  );
}

/**
 * The scale-in steps on either major version (3.x `__all_server`, 4.x DBA_OB_SERVERS, where a
 * deleted server shows DELETING until its units have moved): DELETE SERVER for those not deleting
 * yet, the bounded wait until they left the view, the emptied zones' STOP ZONE and DELETE ZONE
 * (OceanBase deletes only a stopped zone with no server), then the observers stop. The data
 * directory always stays on scale-in (marked as a removed standby's): deleteData is the resource
 * delete's option, not a server's.
 */
export function scaleInPhases(
  s: StandbyClusterSpec,
  name: string,
  gone: readonly { address: string; rpcPort: number; zone: string; status: string }[],
  emptied: readonly string[],
  hosts: readonly HostProbe[],
  t: Target,
  sep: SqlEndpoint,
  sql: { view: string; units: string; serversLeft: (a: readonly string[]) => string; unitsMoving: (a: readonly string[]) => string },
  leftOver: readonly HostProbe[] = [],
): { title: string; operations: Operation[] }[] {
  const addresses = gone.map((x) => x.address);
  // One that an interrupted up already deleted is only waited for (a second DELETE SERVER is refused).
  const toDelete = gone.filter((x) => x.status !== "DELETING");
  const phases: { title: string; operations: Operation[] }[] = [];
  if (toDelete.length > 0) {
    const statements = toDelete.map((x) => STANDBY_SQL.deleteServer(x.address, x.rpcPort, x.zone));
    phases.push({ title: "delete servers", operations: [sqlOp(t, sep, statements, { describe: statements.map((x) => x.replace(/^ALTER SYSTEM /, "")).join("; "), reason: "hosts the inputs no longer have" })] });
  }
  if (addresses.length > 0) phases.push({ title: "wait for unit migration", operations: [waitOp(t, sep, sql.serversLeft(addresses), "0", s.timeoutSeconds, {
    describe: `wait until ${addresses.join(", ")} ${addresses.length === 1 ? "is" : "are"} gone from ${sql.view} (units migrated within the zone, at most ${s.timeoutSeconds}s)`,
    reason: "DELETE SERVER is asynchronous: its observer stops only once its units have moved",
    hint: `see ${sql.units} (MIGRATE_FROM_SVR_IP) and ${sql.view} on the standby; the migration goes on in the servers: run up again to wait more`,
    show: sh`set -- $(ob -e ${`${sql.serversLeft(addresses)}; ${sql.unitsMoving(addresses)}`} 2>/dev/null); ` + `k="$1 $2"; t="$1 of ${addresses.length} server(s) still deleting, $2 unit(s) migrating"`,
  })] });
  if (emptied.length > 0) {
    const statements = emptied.flatMap((z) => [STANDBY_SQL.stopZone(z), STANDBY_SQL.deleteZone(z)]);
    phases.push({ title: "delete zones", operations: [sqlOp(t, sep, statements, { describe: statements.map((x) => x.replace(/^ALTER SYSTEM /, "")).join("; "), reason: "zones the inputs no longer have (their servers are gone)" })] });
  }
  const stops = [...gone.map((x) => hosts.find((h) => h.address === x.address)!), ...leftOver];
  if (stops.length > 0) phases.push({ title: "stop removed observers", operations: stops.map((h) => stopOp({ ...s, deleteData: false }, name, h, `${h.address} left the standby (DELETE SERVER)`)) });
  return phases;
}

/** Stops the observer on a host; its data stays (marked as a removed standby's) unless deleteData. */
export function stopOp(s: StandbyClusterSpec, name: string, h: HostProbe, why: string): Operation {
  return {
    host: h.address,
    connKey: h.connKey,
    kind: "stop",
    describe: `stop observer ${h.address}${s.deleteData ? ` and remove ${h.dataDir}` : ` (data kept in ${h.dataDir})`}`,
    command:
      // Gone once no process or only a zombie (not reaped yet) has the pid.
      `alive() { st=$(ps -o stat= -p "$1" 2>/dev/null); case "$st" in ""|Z*) return 1;; esac; }; ` +
      sh`pid=$(cat ${`${h.home}/run/observer.pid`} 2>/dev/null); if [ -n "$pid" ] && alive "$pid"; then kill "$pid"; i=0; while alive "$pid"; do i=$((i + 1)); if [ $i -gt 240 ]; then echo "observer $pid did not stop within 60s" >&2; exit 1; fi; sleep 0.25; done; fi` +
      // Kept data is marked as a removed standby's, so that no later create starts over it.
      (s.deleteData ? sh`; rm -rf -- ${h.dataDir} ${`${h.home}/.dbcluster-observer`}` : sh`; printf '%s\n' ${`removed ${markerOf(s, name, h.dataDir)}`} > ${`${h.home}/.dbcluster-observer`}`),
    reason: s.deleteData ? `${why}; deleteData: true` : `${why}; its data is kept (deleteData: false)`,
    timeoutMs: 120_000,
  };
}

export function planStandbyDelete(s: StandbyClusterSpec, a: StandbyActual): Plan {
  const self = selfView(a);
  const peer = a.peer.ok ? a.peer.view : undefined;
  const name = clusterNameOf(s, a) ?? "";
  if (self?.role === "PRIMARY" && self.status !== "DISABLED") throw new PlanRefusal(`cluster ${name} ${s.clusterId} is the primary now${peer ? ` (${peer.clusterId} follows it)` : ""}: deleting it would take the primary away; switch back first (role: "standby"), then delete`);
  const phases: { title: string; operations: Operation[] }[] = [];
  if (peer && peer.role === "PRIMARY" && peer.standbys.some((x) => x.clusterId === s.clusterId)) {
    phases.push({ title: "remove from the primary", operations: [sqlOp(primaryTarget(s), primaryEp(s), [STANDBY_SQL.removeCluster(name, s.clusterId)], { describe: STANDBY_SQL.removeCluster(name, s.clusterId), reason: "the standby is deleted; the primary keeps serving" })] });
  }
  const ours = a.hosts.filter((h) => h.marker === markerOf(s, name, h.dataDir) || (s.deleteData && h.marker === `removed ${markerOf(s, name, h.dataDir)}`));
  if (ours.length > 0) phases.push({ title: "stop observers", operations: ours.map((h) => stopOp(s, name, h, "the standby is deleted")) });
  return phases;
}
