/** opengauss:DisasterRecovery: validate, read both sides (in parallel, one round trip each), plan, apply. */
import { connectionKey, parseConnection } from "../core/connection";
import type { SshTarget } from "../core/ssh";
import type { Logic, RunContext } from "../converge";
import { DDR_RUNNING_COMMAND, readStateCommand } from "./commands";
import { planDr, planDrDelete, primaryOf, standbyOf, type DrActual } from "./plan";
import type { ClusterSpec, DrSpec } from "./schema";
import { drRole, parseSide, type Side } from "./state";
import { validateDr } from "./validate";

function secretsOf(conn: { password?: string; privateKey?: string; privateKeyPassword?: string; proxy?: { password?: string; privateKey?: string } }): string[] {
  return [conn.password, conn.privateKey, conn.privateKeyPassword, conn.proxy?.password, conn.proxy?.privateKey].filter((s): s is string => typeof s === "string" && s.length > 0);
}

function allConnections(spec: DrSpec) {
  return [...spec.clusters.flatMap((c) => c.nodes.map((n) => n.connection)), ...(spec.storageReplication ? [spec.storageReplication.connection] : [])];
}

async function readSide(spec: DrSpec, c: ClusterSpec, ctx: RunContext): Promise<Side> {
  const key = connectionKey(parseConnection(c.nodes[0].connection));
  try {
    const r = await ctx.exec(key, readStateCommand(spec, c), undefined, 120_000);
    const side = parseSide(r.stdout);
    if (side.locks.length === 0) return side;
    // A lock is stale only if no gs_ddr runs there: one more command, only in this rare case.
    const running = await ctx.exec(key, DDR_RUNNING_COMMAND, undefined, 30_000);
    const processes = running.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    return { ...side, ddrRunning: processes.length > 0, ddrProcesses: processes };
  } catch (e) {
    // A lost cluster is a state to plan from (failover), not a crash of the read.
    const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
    if (/host key/i.test(message)) throw e;
    return { reachable: false, error: message };
  }
}

export const disasterRecoveryLogic: Logic<DrSpec, DrActual> = {
  kind: "opengauss:DisasterRecovery",
  validate: (inputs, olds) => validateDr(inputs, olds),
  name: (s) => `${s.clusters[0].name}+${s.clusters[1].name}`,
  secrets: (s) => [s.drPassword, ...allConnections(s).flatMap(secretsOf)],
  connections: (s, olds) => {
    const out = new Map<string, SshTarget["conn"]>();
    // The last program's array host too: dissolving a dorado pair for another type runs its step there.
    for (const c of [...(olds?.storageReplication ? [olds.storageReplication.connection] : []), ...allConnections(s)]) {
      const conn = parseConnection(c);
      out.set(connectionKey(conn), conn);
    }
    return out;
  },
  async read(s, ctx) {
    const sides = await Promise.all(s.clusters.map((c) => readSide(s, c, ctx)));
    return { sides: Object.fromEntries(s.clusters.map((c, i) => [c.name, sides[i]])) };
  },
  plan: (s, a, how) => planDr(s, a, how),
  planDelete: (s, a) => planDrDelete(s, a),
  observe(s, a) {
    const side = (c: ClusterSpec) => {
      const x = a.sides[c.name];
      if (!x?.reachable) return { reachable: false, error: x?.error ?? "not read" };
      return {
        reachable: true,
        role: drRole(x),
        drState: x.drState ?? null,
        failoverProgress: x.failoverProgress,
        switchoverProgress: x.switchoverProgress,
        clusterState: x.clusterState ?? null,
        dnRoles: Object.fromEntries(x.dns.map((d) => [d.host, d.role])),
        stepFiles: x.stepFiles,
        mostAvailableSync: x.gucs.most_available_sync?.[0] ?? null,
        synchronousCommit: x.gucs.synchronous_commit?.[0] ?? null,
      };
    };
    const p = a.sides[primaryOf(s).name];
    const st = a.sides[standbyOf(s).name];
    const paired = !!p?.reachable && !!st?.reachable && drRole(p) === "primary" && drRole(st) === "standby";
    const failedOver = !!s.failover && !!st?.reachable && drRole(st) !== "standby";
    return {
      paired,
      primary: paired ? primaryOf(s).name : null,
      sides: Object.fromEntries(s.clusters.map((c) => [c.name, side(c)])),
      mustRebuild: failedOver,
      note: failedOver ? `${standbyOf(s).name} was promoted by failover: the DR pair is gone and must be rebuilt (remove failover, then up)` : null,
    };
  },
  diff(olds, news) {
    const changes = Object.keys({ ...olds, ...news }).filter((k) => JSON.stringify((olds as any)[k]) !== JSON.stringify((news as any)[k]));
    return { replaces: [], changes: changes.sort() };
  },
};
