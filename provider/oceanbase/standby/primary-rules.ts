/**
 * What a standby's declared inputs must agree on with its primary (the version, its own
 * cluster_id, the cluster name), in one place: `check` reports these as field problems once it
 * has read the primary; the precheck refuses with the same words before any step when check
 * could not (an update, a primary not reachable then, inputs not known during a preview).
 */
import { isV4 } from "../sql";

export interface PrimaryFacts {
  readonly version: string;
  /** 3.x only: V$OB_CLUSTER's cluster_id and cluster_name. */
  readonly clusterId?: number;
  readonly name?: string;
}

export interface Declared {
  readonly version?: string;
  readonly clusterId?: number;
  readonly clusterName?: string;
}

export interface RuleFailure {
  readonly path: "version" | "clusterId" | "clusterName";
  readonly value: unknown;
  readonly rule: string;
}

/** "3.2.4" and "3.2.4.0" are one build. */
export const sameVersion = (a: string, b: string) => {
  const norm = (v: string) => [...v.split("."), "0", "0", "0", "0"].slice(0, 4).join(".");
  return norm(a) === norm(b);
};

const family = (v: string) => (isV4(v) ? "4.x: standby tenants of the primary's tenants" : "3.x: a standby cluster");

/** Every disagreement at once (none when the primary's facts are unknown). */
export function primaryRules(d: Declared, p: PrimaryFacts): RuleFailure[] {
  const out: RuleFailure[] = [];
  if (d.version !== undefined && isV4(d.version) !== isV4(p.version)) {
    out.push({ path: "version", value: d.version, rule: `is ${family(d.version)}, and the primary runs OceanBase ${p.version} (${family(p.version)}): declare the primary's version ${p.version}` });
  } else if (d.version !== undefined && !sameVersion(d.version, p.version)) {
    out.push({ path: "version", value: d.version, rule: `differs from the primary's ${p.version}: a standby runs the primary's version; to upgrade, upgrade the standby first, then the primary (OCP's rolling order)` });
  }
  if (isV4(p.version)) return out;
  if (d.clusterId !== undefined && p.clusterId !== undefined && d.clusterId === p.clusterId) {
    out.push({ path: "clusterId", value: d.clusterId, rule: "is the primary's own cluster_id: give the standby a cluster_id of its own" });
  }
  if (d.clusterName !== undefined && p.name !== undefined && d.clusterName !== p.name) {
    out.push({ path: "clusterName", value: d.clusterName, rule: `differs from the primary's ${p.name}: a standby has the primary's cluster name` });
  }
  return out;
}
