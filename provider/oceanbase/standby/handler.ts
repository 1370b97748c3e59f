/**
 * The `Logic` of `oceanbase:StandbyCluster` for the converge loop: check, connections, read,
 * plan, outputs, and which edits replace the standby (another cluster id, name or data directory
 * is another standby cluster).
 */
import type { Logic } from "../../converge";
import { connectionSecrets } from "../../core/connection";
import type { SshTarget } from "../../core/ssh";
import { PlanRefusal } from "../plan-common";
import { clusterNameOf, planStandby, planStandbyDelete, primaryTarget, refusePrimaryMismatch, selfView } from "./plan";
import { hostConnKey, readPrimaryFacts, readStandby, type StandbyActual } from "./read";
import { isV4 } from "../sql";
import { REFUSED_READ } from "../read";
import { failoverLeftStopped, planTenants, planTenantsDelete } from "./plan-tenants";
import { observeTenants } from "./observe-tenants";
import { readTenants, type TenantsActual } from "./read-tenants";
import type { StandbyClusterSpec } from "./schema";
import { candidateHosts, validateStandby } from "./validate";
import { checkAgainstPrimary } from "./check";
import { refuseDeleteUnreachable, unreachableOf, withoutUnreachable } from "./unreachable";

const refusing = <T>(s: StandbyClusterSpec, work: () => T): T => {
  try {
    return work();
  } catch (err) {
    if (err instanceof PlanRefusal) throw new Error(`oceanbase:StandbyCluster ${s.clusterId}: ${err.message}`);
    throw err;
  }
};

/** Lag in seconds: the primary's SCN (µs) minus the standby's, as V$OB_CLUSTER / V$OB_STANDBY_STATUS report them. */
function lagSeconds(a: StandbyActual): number | null {
  const self = selfView(a);
  if (!self || !a.peer.ok) return null;
  const [p, st] = self.role === "PRIMARY" ? [self, a.peer.view] : [a.peer.view, self];
  if (st.currentScn === 0) return null;
  return Math.max(0, Math.round((p.currentScn - st.currentScn) / 1e5) / 10);
}

/** 3.x: a standby cluster; 4.x: standby tenants in a standby cluster (the declared version decides). */
type Actual = { v4: false; a: StandbyActual } | { v4: true; a: TenantsActual; primaryVersion?: string };

/** The outputs (`observed`) on either major version; the unreachable hosts are added beside them. */
function observeOf(s: StandbyClusterSpec, x: Actual): Record<string, unknown> {
  if (x.v4) return observeTenants(s, x.a);
  const a = x.a;
  const self = selfView(a);
  return {
    clusterName: clusterNameOf(s, a) ?? null,
    clusterId: s.clusterId,
    role: self?.role ?? null,
    status: self?.status ?? null,
    switchoverStatus: self?.switchoverStatus ?? null,
    statusOnPrimary: a.peer.ok ? (a.peer.view.standbys.find((x) => x.clusterId === s.clusterId)?.status ?? null) : null,
    lagSeconds: lagSeconds(a),
    primary: a.peer.ok ? { clusterId: a.peer.view.clusterId, role: a.peer.view.role, status: a.peer.view.status } : { unreachable: a.peer.error.split("\n")[0] },
    servers: (self?.servers ?? []).map((x) => ({ address: x.address, zone: x.zone, status: x.status })),
    zones: Object.entries(self?.zones ?? {}).map(([name, z]) => ({ name, idc: z.idc, region: z.region })),
  };
}

export const standbyClusterLogic: Logic<StandbyClusterSpec, Actual> = {
  kind: "oceanbase:StandbyCluster",
  validate: (inputs) => {
    const v = validateStandby(inputs);
    if (v.ok) return v;
    return { ok: false, failures: v.failures.map((f) => ({ property: f.path, reason: `${f.rule} (got ${JSON.stringify(f.value)})` })) };
  },
  checkRemote: checkAgainstPrimary,
  name: (s) => String(s.clusterId),
  secrets: (s) => [s.primary.password, ...(s.standbyPassword ? [s.standbyPassword] : []), ...(s.logRestoreSource ? [s.logRestoreSource.password] : []), ...connectionSecrets(s.primary.connection), ...candidateHosts(s).flatMap((h) => connectionSecrets(h.connection))],
  connections: (s, olds) => {
    const out = new Map<string, SshTarget["conn"]>();
    for (const spec of olds ? [olds, s] : [s]) {
      out.set(primaryTarget(spec).connKey, spec.primary.connection);
      for (const h of candidateHosts(spec)) out.set(hostConnKey(h), h.connection);
    }
    return out;
  },
  read: async (s, ctx, olds): Promise<Actual> => {
    if (!isV4(s.version)) return { v4: false, a: await readStandby(s, ctx, olds) };
    const a = await readTenants(s, ctx, olds);
    // A 3.x primary answers and refuses the 4.x views: its version says why, rather than "cannot
    // be reached". A primary that did not answer is not dialed again.
    if (a.primary.ok || !a.primary.error.startsWith(REFUSED_READ)) return { v4: true, a };
    const facts = await readPrimaryFacts(ctx, primaryTarget(s).connKey, s.primary).catch(() => undefined);
    return { v4: true, a, primaryVersion: facts?.version };
  },
  plan: (s, x) =>
    refusing(s, () => {
      if (x.v4 && x.primaryVersion !== undefined && !isV4(x.primaryVersion)) refusePrimaryMismatch(s, { version: x.primaryVersion });
      return withoutUnreachable(x.v4 ? planTenants(s, x.a) : planStandby(s, x.a), x.a.hosts);
    }),
  leftAlone: (s, x) => (x.v4 ? failoverLeftStopped(s, x.a) : []),
  planDelete: (s, x) =>
    refusing(s, () => {
      refuseDeleteUnreachable(x.a.hosts);
      return x.v4 ? planTenantsDelete(s, x.a) : planStandbyDelete(s, x.a);
    }),
  observe: (s, x) => ({ ...observeOf(s, x), hostsUnreachable: unreachableOf(x.a.hosts).map((h) => ({ address: h.address, reason: h.unreachable })) }),
  diff: (olds, news) => {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    const changes = [...keys].filter((k) => JSON.stringify((olds as any)[k]) !== JSON.stringify((news as any)[k])).sort();
    // Another cluster id, name or data directory is another standby cluster.
    const replaces = changes.filter((k) => k === "clusterId" || k === "clusterName" || (k === "observer" && olds.observer.dataDir !== news.observer.dataDir));
    return { replaces, changes: changes.filter((k) => !replaces.includes(k)) };
  },
};
