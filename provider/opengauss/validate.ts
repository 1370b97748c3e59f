/**
 * `validateDr(inputs)`: every problem at once, each naming the field path, the value (secrets
 * masked) and the rule. Field rules come from schema.ts; the rules across fields are here.
 */
import type { Validation } from "../converge";
import { formatPath, valueAt } from "../core/failures";
import { DisasterRecoverySchema, SECRET_KEYS, type DrSpec } from "./schema";

export interface Failure {
  readonly path: string;
  readonly value: unknown;
  readonly rule: string;
}


type Raw = Record<string, any>;

/** Rules that span fields, checked on whatever shape the inputs have. */
function crossFieldRules(raw: Raw): Failure[] {
  const out: Failure[] = [];
  const clusters: Raw[] = Array.isArray(raw.clusters) ? raw.clusters : [];
  const names = clusters.map((c) => c?.name);
  if (names.length === 2 && names[0] === names[1]) out.push({ path: "clusters[1].name", value: names[1], rule: "the two clusters need different names" });
  if (typeof raw.primary === "string" && names.length === 2 && !names.includes(raw.primary)) {
    out.push({ path: "primary", value: raw.primary, rule: `must name one of the clusters (${names.join(", ")})` });
  }
  const seen = new Map<string, string>();
  clusters.forEach((c, ci) => {
    (Array.isArray(c?.nodes) ? c.nodes : []).forEach((n: Raw, ni: number) => {
      const where = `clusters[${ci}].nodes[${ni}]`;
      const user = n?.connection?.user ?? "root";
      if (user === "root") out.push({ path: `${where}.connection.user`, value: user, rule: "gs_ddr refuses to run as root: log in as the cluster's OS user (omm)" });
      for (const k of ["ip", "dataIp"] as const) {
        const v = n?.[k];
        if (typeof v !== "string") continue;
        const key = `${k}:${v}`;
        if (seen.has(key)) out.push({ path: `${where}.${k}`, value: v, rule: `already used by ${seen.get(key)}` });
        else seen.set(key, `${where}.${k}`);
      }
    });
  });
  if (raw.type === "dorado") {
    const cmd = raw.storageReplication !== undefined;
    const confirmed = raw.storageReplicationConfirmed === true;
    if (cmd === confirmed) {
      out.push({
        path: "storageReplication",
        value: valueAt(raw, ["storageReplication"], [...SECRET_KEYS]),
        rule: "dorado needs the array's remote replication pair handled at each 'Ready to move on' stop: set either storageReplication (a command run with the step) or storageReplicationConfirmed: true (done by hand), not both",
      });
    }
  } else if (raw.type === "stream" && (raw.storageReplication !== undefined || raw.storageReplicationConfirmed !== undefined)) {
    out.push({ path: "storageReplication", value: valueAt(raw, [raw.storageReplication !== undefined ? "storageReplication" : "storageReplicationConfirmed"], [...SECRET_KEYS]), rule: "only for type dorado: stream mode replicates over the network and never stops for the array" });
  }
  if (raw.failover !== undefined && typeof raw.failover?.confirm === "string" && names.length === 2) {
    const standby = names.find((n) => n !== raw.primary);
    if (raw.failover.confirm !== standby) {
      out.push({ path: "failover.confirm", value: raw.failover.confirm, rule: `must be the DR standby's name (${standby}): failover promotes the standby cluster` });
    }
  }
  return out;
}

/**
 * Changes gs_ddr forbids while the pair exists, refused in check so that nothing is recorded:
 * the disaster type, the DR user or password, a DN port, a replica count. An existing resource is a pair unless it
 * was failed over; allowRebuild turns the change into dissolve and rebuild (planned in plan.ts).
 */
function whilePaired(raw: Raw, olds: Raw | undefined): Failure[] {
  if (!olds || olds.failover !== undefined || raw.allowRebuild === true) return [];
  const out: Failure[] = [];
  const rule = "cannot change while the DR pair exists (gs_ddr): dissolve it first (delete the resource), or set allowRebuild: true to have it dissolved and rebuilt";
  if (olds.type !== undefined && raw.type !== olds.type) out.push({ path: "type", value: raw.type, rule: `the disaster type (${olds.type} → ${raw.type}) is chosen at gs_ddr start only: it ${rule}` });
  if (olds.drUser !== undefined && raw.drUser !== olds.drUser) out.push({ path: "drUser", value: raw.drUser, rule });
  if (olds.drPassword !== undefined && raw.drPassword !== olds.drPassword) out.push({ path: "drPassword", value: "[secret]", rule });
  const oldClusters: Raw[] = Array.isArray(olds.clusters) ? olds.clusters : [];
  (Array.isArray(raw.clusters) ? raw.clusters : []).forEach((c: Raw, i: number) => {
    const o = oldClusters.find((x) => x?.name === c?.name);
    if (!o) return;
    if (o.port !== c.port) out.push({ path: `clusters[${i}].port`, value: c.port, rule: `a DN port change (${o.port} → ${c.port}) ${rule}` });
    const [n0, n1] = [o.nodes?.length, c.nodes?.length];
    if (n0 !== n1) out.push({ path: `clusters[${i}].nodes`, value: `${n1} nodes`, rule: `a replica count change (${n0} → ${n1}) ${rule}` });
  });
  return out;
}

export function validateDr(inputs: unknown, olds?: unknown): { ok: true; spec: DrSpec } | { ok: false; failures: Validation[] } {
  const parsed = DisasterRecoverySchema.safeParse(inputs);
  const failures: Failure[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: formatPath(i.path), value: valueAt(inputs, i.path, [...SECRET_KEYS]), rule: i.message }));
  failures.push(...crossFieldRules((inputs ?? {}) as Raw), ...whilePaired((inputs ?? {}) as Raw, olds as Raw | undefined));
  if (failures.length === 0 && parsed.success) return { ok: true, spec: parsed.data };
  return { ok: false, failures: failures.map((f) => ({ property: f.path, reason: `${f.rule} (got ${JSON.stringify(f.value)})` })) };
}
