/**
 * The pure planner of `oceanbase:StandbyCluster` on 4.x (spec oceanbase-source-check.md §D): the
 * standby cluster (running, sys tenant only) gets a standby tenant of each primary tenant named
 * (or of every user tenant), with the primary tenant's SQL access points as its net-service log
 * restore source, and a bounded wait until each has its first copy. `role` moves every tenant's
 * primary role: demote the side that has it, promote the other once it is in sync, then point
 * the demoted tenants' log restore source at the new primary (OceanBase's order; ob-operator's
 * too). Each round reads the roles back, so an interrupted switchover is finished by the next up.
 * Failover (ACTIVATE STANDBY TENANT) only when asked by `failover.confirm` and the primary is lost.
 */
import { connectionKey, parseConnection } from "../../core/connection";
import type { Operation, Plan } from "../../core/operation";
import { sqlOp, waitOp, type SqlEndpoint, type Target } from "../commands";
import { PlanRefusal } from "../plan-common";
import { isV4, obString } from "../sql";
import { bootOf, clusterName4, members4, planCluster4, startedHere, startObservers, type Phase } from "./plan-cluster4";
import { precheckHost, sameVersion, stopOp, type Member } from "./plan";
import { markerOf } from "./read";
import { standbyPasswordOf, standbyView, type SideView, type TenantsActual, type TenantView } from "./read-tenants";
import type { StandbyClusterSpec } from "./schema";
import { sourceDrift, type SourceWanted } from "./restore-source";
import { TENANT_SQL, type RestoreSource } from "./sql-tenants";

interface Side {
  readonly label: string;
  readonly t: Target;
  readonly ep: SqlEndpoint;
  readonly view: SideView;
}

function primarySide(s: StandbyClusterSpec, a: TenantsActual): Side {
  if (!a.primary.ok) {
    const name = clusterName4(s, a);
    const lost = s.role === "primary" && name ? `; if it is lost, declare failover: { confirm: "${name}" } (never implicit)` : "";
    throw new PlanRefusal(`precheck: cannot reach the primary at ${s.primary.host}:${s.primary.port}: ${a.primary.error.split("\n")[0]} (check primary.connection, host, port and password)${lost}`);
  }
  checkVersion(s, "primary", a.primary.view.version);
  const pc = parseConnection(s.primary.connection);
  return { label: "the primary", t: { host: pc.host, connKey: connectionKey(pc) }, ep: { host: s.primary.host, port: s.primary.port, password: s.primary.password }, view: a.primary.view };
}

function checkVersion(s: StandbyClusterSpec, label: string, version: string): void {
  if (!isV4(version)) throw new PlanRefusal(`precheck: the ${label} runs OceanBase ${version}, and version is ${s.version}: a 3.x pair is a standby cluster; declare version ${version}`);
  if (!sameVersion(version, s.version)) throw new PlanRefusal(`precheck: version ${s.version} differs from the ${label}'s ${version}: a standby runs the primary's version; to upgrade, upgrade the standby first, then the primary (OCP's rolling order)`);
}

function sourceFor(s: StandbyClusterSpec, from: Side, tenant: TenantView): RestoreSource {
  if (s.logRestoreFrom === "archive") {
    const a = tenant.archive;
    if (!a || a.status !== "DOING") throw new PlanRefusal(`logRestoreFrom: archive: tenant ${tenant.name} on ${from.label} is not archiving its log (CDB_OB_ARCHIVELOG ${a ? `status ${a.status}` : "has no round"}): turn on its log archive (e.g. an oceanbase.BackupPolicy on shared storage, ALTER SYSTEM ARCHIVELOG TENANT = ${tenant.name}) and run up again`);
    // The views show an OSS destination without its keys: only a file:// one can be named again.
    if (!a.path.startsWith("file://")) throw new PlanRefusal(`logRestoreFrom: archive: tenant ${tenant.name}'s archive is at ${a.path}; only file:// (NFS) archives are built as a log restore source: use logRestoreFrom: service`);
    return { location: a.path };
  }
  return serviceSource(s, from, tenant);
}

/** The primary tenant's SQL service as a source: what CREATE STANDBY TENANT takes (the only kind it checks). */
function serviceSource(s: StandbyClusterSpec, from: Side, tenant: TenantView): RestoreSource {
  const password = s.logRestoreSource?.password ?? s.primary.password;
  if (/[\s\0]/.test(password)) throw new PlanRefusal("logRestoreSource.password (default: primary.password) contains a blank: LOG_RESTORE_SOURCE separates its fields with blanks; give logRestoreSource a user whose password has none");
  if (tenant.access.length === 0) throw new PlanRefusal(`tenant ${tenant.name} on ${from.label} has no access point (DBA_OB_ACCESS_POINT): check that its OBServers run`);
  return { access: tenant.access, user: sourceUser(s), tenant: tenant.name, password };
}

const sourceUser = (s: StandbyClusterSpec) => s.logRestoreSource?.user ?? "root";

/** What the inputs declare a tenant follows, without building it (sourceFor refuses what cannot be built). */
function wantedSource(s: StandbyClusterSpec, tenant: TenantView): SourceWanted {
  if (s.logRestoreFrom === "archive") return { kind: "archive", location: tenant.archive?.path };
  return { kind: "service", access: tenant.access, user: `${sourceUser(s)}@${tenant.name}` };
}

const names = (ts: readonly TenantView[]) => ts.map((t) => obString(t.name)).join(", ");

/** Waits until each named tenant on `side` is a standby tenant with its first copy done (SYNC_SCN > 0). */
function waitSynced(s: StandbyClusterSpec, side: Side, ts: readonly TenantView[], why: string): Operation {
  return waitOp(side.t, side.ep, `SELECT count(*) FROM oceanbase.DBA_OB_TENANTS WHERE tenant_name IN (${names(ts)}) AND tenant_role = 'STANDBY' AND sync_scn > 0`, String(ts.length), s.timeoutSeconds, {
    describe: `wait until ${ts.map((t) => t.name).join(", ")} on ${side.label} ${ts.length === 1 ? "is a standby tenant" : "are standby tenants"} in sync (at most ${s.timeoutSeconds}s)`,
    reason: why,
    hint: "check V$OB_LS_LOG_RESTORE_STATUS on that side (SYNC_STATUS names what blocks: CHECK USER OR PASSWORD, CHECK NETWORK, ...); run up again to wait more",
  });
}

export function planTenants(s: StandbyClusterSpec, a: TenantsActual): Plan {
  if (s.failover) return failover(s, a);
  const primary = primarySide(s, a);
  const cluster = planCluster4(s, a);
  // Observers started again over their data: the tenants are planned once the cluster answers.
  if (!cluster.view) return cluster.phases;
  checkVersion(s, `standby cluster ${s.clusterId}`, cluster.view.version);
  const standby: Side = { label: `standby cluster ${s.clusterId}`, t: cluster.t, ep: cluster.ep, view: cluster.view };
  return [...cluster.phases, ...planTenantSteps(s, primary, standby)];
}

function planTenantSteps(s: StandbyClusterSpec, primary: Side, standby: Side): Plan {
  const wanted = s.tenants ?? primary.view.tenants.map((t) => t.name);
  const missing = wanted.filter((n) => !primary.view.tenants.some((t) => t.name === n));
  if (missing.length > 0) throw new PlanRefusal(`tenants: ${missing.join(", ")} ${missing.length === 1 ? "is not a user tenant" : "are not user tenants"} of the primary (DBA_OB_TENANTS has ${primary.view.tenants.map((t) => t.name).join(", ") || "none"})`);
  const pair = wanted.map((n) => ({ p: primary.view.tenants.find((t) => t.name === n)!, sb: standby.view.tenants.find((t) => t.name === n) }));
  const wrong = pair.filter((x) => x.sb && x.sb.role === "PRIMARY" && x.p.role === "PRIMARY");
  if (wrong.length > 0) throw new PlanRefusal(`tenant${wrong.length === 1 ? "" : "s"} ${wrong.map((x) => x.p.name).join(", ")} ${wrong.length === 1 ? "is" : "are"} PRIMARY on both clusters (a tenant of that name was made on the standby cluster, or one side was activated): an existing tenant is never overwritten; check which holds the data, drop the other by hand, then run up again. Nothing was changed`);

  const phases: Phase[] = [];
  const create = pair.filter((x) => !x.sb);
  if (create.length > 0) {
    // From an archive: created on the service (CREATE STANDBY TENANT accepts no LOCATION), then switched to the archive.
    const statements = create.flatMap((x) => [TENANT_SQL.createStandby(x.p.name, serviceSource(s, primary, x.p)), ...(s.logRestoreFrom === "archive" ? [TENANT_SQL.setSource(x.p.name, sourceFor(s, primary, x.p))] : [])]);
    const described = (x: (typeof create)[number]) => `CREATE STANDBY TENANT ${x.p.name} (log restore source ${TENANT_SQL.describeSource(serviceSource(s, primary, x.p))})${s.logRestoreFrom === "archive" ? `, then SET LOG_RESTORE_SOURCE TENANT = ${x.p.name} (${TENANT_SQL.describeSource(sourceFor(s, primary, x.p))})` : ""}`;
    phases.push({ title: "create standby tenants", operations: [sqlOp(standby.t, standby.ep, statements, {
      describe: create.map(described).join("; "),
      reason: "the primary's tenant has no standby tenant on this cluster",
      hint: `1045: check logRestoreSource's user and password in the primary tenant; 4179 check network: the standby cluster must reach the primary's SQL port${s.logRestoreFrom === "archive" ? " (a tenant is created on the service, then switched to the archive); 4002: the standby cluster's hosts must see the primary tenant's archive directory at the same path (mount it)" : ""}`,
      timeoutMs: 300_000,
    })] });
    phases.push({ title: "wait for the standby tenants", operations: [waitSynced(s, standby, create.map((x) => x.p), "a new standby tenant copies its primary tenant, then follows its log")] });
    return phases;
  }

  // The side that should hold the primary role, and the other.
  const [to, from] = s.role === "primary" ? [standby, primary] : [primary, standby];
  const of = (side: Side, n: string) => side.view.tenants.find((t) => t.name === n)!;
  const moving = wanted.filter((n) => of(to, n).role !== "PRIMARY");
  const demote = moving.filter((n) => of(from, n).role === "PRIMARY");
  // Standby tenants with no source: the old primary after a switchover (or one interrupted before its source was set).
  // The tenants this plan demotes too: the whole switchover shows in one plan (and its preview).
  const sourceless = wanted.filter((n) => demote.includes(n) || (of(from, n).role === "STANDBY" && (moving.includes(n) || of(from, n).syncStatus === "NOT AVAILABLE")));
  if (demote.length > 0) {
    phases.push({ title: `check ${to.label} is in sync`, operations: [waitSynced(s, to, demote.map((n) => of(to, n)), "a planned switchover loses nothing: the standby tenants must follow before the primary is demoted")] });
    phases.push({ title: `demote ${from.label}`, operations: [sqlOp(from.t, from.ep, demote.map(TENANT_SQL.toStandby), { describe: demote.map(TENANT_SQL.toStandby).join("; "), reason: `role: ${s.role}: ${from.label} gives up the primary role (demoted first)` })] });
  }
  if (moving.length > 0) {
    phases.push({ title: `promote ${to.label}`, operations: [sqlOp(to.t, to.ep, moving.map(TENANT_SQL.toPrimary), { describe: moving.map(TENANT_SQL.toPrimary).join("; "), reason: `role: ${s.role}: ${to.label} takes the primary role once it has all the log`, hint: "4179: the standby tenant has not received all of the old primary's log yet; run up again" })] });
  }
  if (sourceless.length > 0) {
    const statements = sourceless.map((n) => TENANT_SQL.setSource(n, sourceFor(s, to, of(to, n))));
    phases.push({ title: `point ${from.label}'s tenants at ${to.label}`, operations: [sqlOp(from.t, from.ep, statements, { describe: sourceless.map((n) => `SET LOG_RESTORE_SOURCE TENANT = ${n} (${TENANT_SQL.describeSource(sourceFor(s, to, of(to, n)))})`).join("; "), reason: "a demoted tenant follows the new primary once its log restore source names it" })] });
  }
  // A standby tenant following another source than the declared one: an up cut between CREATE
  // STANDBY TENANT (service) and the switch to the archive, or a source changed by hand.
  const drift = wanted
    .filter((n) => !moving.includes(n) && !sourceless.includes(n) && of(from, n).role === "STANDBY")
    .map((n) => ({ n, why: sourceDrift(of(from, n).source, wantedSource(s, of(to, n))) }))
    .filter((x): x is { n: string; why: string } => x.why !== undefined);
  if (drift.length > 0) {
    const set = drift.map((x) => ({ ...x, src: sourceFor(s, to, of(to, x.n)) }));
    phases.push({ title: `repair ${from.label}'s log restore sources`, operations: [sqlOp(from.t, from.ep, set.map((x) => TENANT_SQL.setSource(x.n, x.src)), {
      describe: set.map((x) => `SET LOG_RESTORE_SOURCE TENANT = ${x.n} (${TENANT_SQL.describeSource(x.src)}): ${x.why}`).join("; "),
      reason: "a standby tenant follows the declared source (CDB_OB_LOG_RESTORE_SOURCE shows another)",
    })] });
  }
  // An up interrupted after CREATE STANDBY TENANT (or a source just set) waits for the first copy here.
  const copying = wanted.filter((n) => !moving.includes(n) && !sourceless.includes(n) && of(from, n).role === "STANDBY" && of(from, n).syncScn === 0);
  if (copying.length > 0) phases.push({ title: "wait for the standby tenants", operations: [waitSynced(s, from, copying.map((n) => of(from, n)), "a standby tenant copies its primary tenant before it follows its log")] });
  return phases;
}

/**
 * Lossy failover: the standby tenants take the primary role with the log they have (ACTIVATE
 * STANDBY TENANT). Stopped observers are started again, but never before the ACTIVATE nor in its
 * way: a round that promotes plans the ACTIVATE alone (the next round, after it, starts them), and
 * a host damaged with the primary (its build gone, a port taken) is left out of the starts, never
 * a refusal: named in the ACTIVATE's step, then by `failoverLeftStopped` (the up's warnings).
 */
function failover(s: StandbyClusterSpec, a: TenantsActual): Plan {
  const name = clusterName4(s, a);
  if (!name) throw new PlanRefusal(`failover: the standby cluster ${s.clusterId} was never started by this resource and the primary cannot be reached: nothing to promote`);
  if (s.failover!.confirm !== name) throw new PlanRefusal(`failover.confirm is ${JSON.stringify(s.failover!.confirm)}, not the primary being given up (${name}, its cluster name): failover is never implicit`);
  if (a.primary.ok) throw new PlanRefusal(`the primary ${name} at ${s.primary.host}:${s.primary.port} answers: failover is for a lost primary; for a planned role change remove failover and keep role: "primary" (a switchover loses nothing)`);
  // Observers stopped over the data they were started on are drift here too: started again, which
  // promotes nothing; the tenants are planned once sys answers (none running, or too few for sys's majority).
  const members = members4(s, a);
  const { startable, unstartable } = failoverStarts(s, name, members);
  const starts = startObservers(s, name, members, (m) => startable.includes(m));
  const view = standbyView(a);
  if (!view && starts.length > 0) return starts;
  const skipped = unstartable.map((x) => x.why).join("; ");
  if (!view) throw new PlanRefusal(`failover: the standby cluster's sys at ${bootOf(members).address}:${s.observer.sqlPort} does not answer (${a.standby && !a.standby.ok ? a.standby.error.split("\n")[0] : "no observer runs"}): start its observers first${skipped ? `; none stopped can be started here: ${skipped}` : ""}`);
  const standby: Side = { label: `standby cluster ${s.clusterId}`, ...sysOf(s, a, "failover"), view };
  const mine = standby.view.tenants.filter((t) => s.tenants === undefined || s.tenants.includes(t.name));
  const absent = (s.tenants ?? []).filter((n) => !mine.some((t) => t.name === n));
  if (absent.length > 0) throw new PlanRefusal(`tenants: ${absent.join(", ")} ${absent.length === 1 ? "has" : "have"} no standby tenant on ${standby.label}: nothing to promote. Nothing was changed`);
  const promote = mine.filter((t) => t.role === "STANDBY");
  if (promote.length === 0) return starts;
  const statements = promote.map((t) => TENANT_SQL.activate(t.name));
  const stopped = [...startable, ...unstartable.map((x) => x.m)].map((m) => m.address);
  const later = stopped.length > 0 ? `; stopped observers (${stopped.join(", ")}) are started after it${skipped ? `, except where they cannot be (${skipped})` : ""}` : "";
  return [{ title: "failover", operations: [sqlOp(standby.t, standby.ep, statements, {
    describe: `${statements.join("; ")} (the primary ${name} is given up: its tenants must be rebuilt as standby tenants of these)`,
    reason: `failover confirmed for ${name}: the primary is lost; what it wrote after the standby tenants' last applied log is lost${later}`,
    timeoutMs: 300_000,
  })] }];
}

/** With the failover inputs: the observers left stopped as they cannot be started here, each with why and what to do. */
export function failoverLeftStopped(s: StandbyClusterSpec, a: TenantsActual): string[] {
  const name = clusterName4(s, a);
  if (!s.failover || !name) return [];
  return failoverStarts(s, name, members4(s, a)).unstartable.map((x) => `failover: the observer on ${x.m.address} is left stopped (it cannot be started here): ${x.why}; fix that host (the next up starts it) or leave it out of zones`);
}

/** The stopped members over this resource's data, split by the precheck: a failing one is left stopped with its reason, never a refusal of the failover. */
function failoverStarts(s: StandbyClusterSpec, name: string, members: Member[]): { startable: Member[]; unstartable: { m: Member; why: string }[] } {
  const startable: Member[] = [];
  const unstartable: { m: Member; why: string }[] = [];
  for (const m of members.filter((x) => x.probe.pid === null && startedHere(s, name, x))) {
    try {
      precheckHost(s, name, m);
      startable.push(m);
    } catch (err) {
      if (!(err instanceof PlanRefusal)) throw err;
      unstartable.push({ m, why: err.message.replace(/^precheck: /, "") });
    }
  }
  return { startable, unstartable };
}

/**
 * Delete on 4.x: the standby tenants stop following the primary (their log restore source
 * cleared: the primary keeps serving, it never knew them), then the observers this resource
 * started stop; the data stays unless deleteData. Refused while any tenant here is a primary one,
 * and while observers run but the standby's sys cannot be read (it might serve one).
 */
export function planTenantsDelete(s: StandbyClusterSpec, a: TenantsActual): Plan {
  const name = clusterName4(s, a) ?? "";
  const view = standbyView(a);
  const ours = a.hosts.filter((h) => h.marker === markerOf(s, name, h.dataDir) || (s.deleteData && h.marker === `removed ${markerOf(s, name, h.dataDir)}`));
  // Observers that run but whose sys cannot be read may serve a primary tenant: never stopped blind.
  const runningHosts = ours.filter((h) => h.pid !== null);
  if (!view && runningHosts.length > 0 && !(a.standby?.ok && "bootstrapped" in a.standby)) {
    const why = a.standby && !a.standby.ok ? a.standby.error.split("\n")[0] : "no answer";
    throw new PlanRefusal(`delete: the observers run on ${runningHosts.map((h) => h.address).join(", ")} but the standby cluster's sys does not answer (${why}): whether a tenant there is PRIMARY cannot be read, so nothing is stopped; check standbyPassword (default: primary.password) and that the observers answer on port ${s.observer.sqlPort}, then delete again. Nothing was changed`);
  }
  // Every tenant the cluster shows, named in tenants or not: a PRIMARY one serves somebody.
  const primaryHere = (view?.tenants ?? []).filter((t) => t.role === "PRIMARY");
  if (primaryHere.length > 0) {
    const which = `tenant${primaryHere.length === 1 ? "" : "s"} ${primaryHere.map((t) => t.name).join(", ")} on standby cluster ${s.clusterId} ${primaryHere.length === 1 ? "is" : "are"} PRIMARY`;
    // A primary that answers and has the tenant as a standby: a switchover, undone by switching back.
    const back = a.primary.ok && primaryHere.every((t) => a.primary.ok && a.primary.view.tenants.some((p) => p.name === t.name && p.role === "STANDBY"));
    throw new PlanRefusal(
      back
        ? `${which} (switched over): deleting would take the primary away; switch back first (role: "standby"), then delete. Nothing was changed`
        : `${which} (failed over, or made here): this cluster now serves them, and delete never stops a primary; keep it (drop the resource from the stack only: pulumi state delete), or once its data is disposable drop those tenants or stop its observers by hand, then delete again. Nothing was changed`,
    );
  }
  const phases: Phase[] = [];
  const mine = (view?.tenants ?? []).filter((t) => s.tenants === undefined || s.tenants.includes(t.name));
  const following = mine.filter((t) => t.role === "STANDBY" && t.syncStatus !== "NOT AVAILABLE");
  if (view && following.length > 0) {
    const sys = sysOf(s, a, "delete");
    const statements = following.map((t) => TENANT_SQL.clearSource(t.name));
    phases.push({ title: "stop following the primary", operations: [sqlOp(sys.t, sys.ep, statements, { describe: statements.join("; "), reason: "the standby cluster is deleted; the primary keeps serving" })] });
  }
  if (ours.length > 0) phases.push({ title: "stop observers", operations: ours.map((h) => stopOp(s, name, h, "the standby cluster is deleted")) });
  return phases;
}

/** Where the standby's sys takes SQL outside an up's cluster steps: the first zone's RootServer if its observer runs, else any member whose observer runs. */
function sysOf(s: StandbyClusterSpec, a: TenantsActual, what: string): { t: Target; ep: SqlEndpoint } {
  const members = members4(s, a);
  const boot = bootOf(members);
  const m = boot.probe.pid !== null ? boot : members.find((x) => x.probe.pid !== null);
  if (!m) throw new PlanRefusal(`${what}: no observer of standby cluster ${s.clusterId} runs on ${members.map((x) => x.address).join(", ")}: start its observers first`);
  return { t: { host: m.address, connKey: m.t.connKey }, ep: { host: m.address, port: s.observer.sqlPort, password: standbyPasswordOf(s) } };
}
