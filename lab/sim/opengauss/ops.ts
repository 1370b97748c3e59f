/** Cluster-wide operations CM performs: start and stop every DN of a cluster. */
import { OgCluster } from "./cluster";
import { startDn, stopDn, type PgResult } from "./dn";
import { clusterStatus, upstreamOf, type ClusterState } from "./status";

/** Starts every DN, the ones that stream from outside the cluster or from nobody first. */
export function startCluster(c: OgCluster): PgResult {
  const own = new Set(c.nodes.map((n) => n.address));
  const order = [...c.nodes].sort((a, b) => Number(own.has(upstreamOf(a) ?? "")) - Number(own.has(upstreamOf(b) ?? "")));
  const errors: string[] = [];
  for (const n of order) {
    const r = startDn(c, n);
    if (!r.ok) errors.push(`${n.host}: ${r.err || r.out}`);
  }
  return { ok: errors.length === 0, out: "", err: errors.join("\n") };
}

/** Stops the standbys first, then the DN they follow, so that none is left behind. */
export function stopCluster(c: OgCluster): PgResult {
  const own = new Set(c.nodes.map((n) => n.address));
  const order = [...c.nodes].sort((a, b) => Number(own.has(upstreamOf(b) ?? "")) - Number(own.has(upstreamOf(a) ?? "")));
  const errors: string[] = [];
  for (const n of order) {
    const r = stopDn(n);
    if (!r.ok) errors.push(`${n.host}: ${r.err || r.out}`);
  }
  return { ok: errors.length === 0, out: "", err: errors.join("\n") };
}

/** Polls until the cluster is in one of `states` or `timeoutS` passes. */
export async function waitClusterState(c: OgCluster, states: ClusterState[], timeoutS: number, everyMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    if (states.includes(clusterStatus(c).state)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
