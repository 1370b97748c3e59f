/**
 * What `check` can say only by reading the primary (one SQL session, nothing changed): the
 * declared version, clusterId and clusterName against the primary's, as field problems beside
 * the schema's. Only for a create: an update's check is not given the host keys recorded in
 * state, and dialing with none would trust whatever key answers; the precheck covers it then.
 * A primary that cannot be read is no problem here (a failover needs exactly that): the precheck
 * decides, and the line says so.
 */
import type { RunContext, Validation } from "../../converge";
import { connectionKey, parseConnection } from "../../core/connection";
import { registerSecret } from "../../core/redact";
import type { SshTarget } from "../../core/ssh";
import { ClusterSchema } from "../schema";
import { primaryRules } from "./primary-rules";
import { readPrimaryFacts } from "./read";
import { StandbyClusterSchema } from "./schema";

const fields = StandbyClusterSchema.pick({ version: true, clusterId: true, clusterName: true }).partial();

export async function checkAgainstPrimary(inputs: Record<string, unknown>, open: (conns: Map<string, SshTarget["conn"]>) => RunContext): Promise<Validation[]> {
  const primary = ClusterSchema.safeParse(inputs.primary);
  if (!primary.success) return [];
  const p = primary.data;
  registerSecret(p.password);
  // Each field on its own: a bad zone elsewhere does not keep the version from being compared.
  const one = <K extends "version" | "clusterId" | "clusterName">(k: K) => {
    const r = fields.shape[k].safeParse(inputs[k]);
    return r.success ? r.data : undefined;
  };
  const declared = { version: one("version") as string | undefined, clusterId: one("clusterId") as number | undefined, clusterName: one("clusterName") as string | undefined };
  if (declared.version === undefined && declared.clusterId === undefined && declared.clusterName === undefined) return [];
  const key = connectionKey(parseConnection(p.connection));
  const ctx = open(new Map([[key, p.connection]]));
  try {
    const facts = await readPrimaryFacts(ctx, key, p);
    return primaryRules(declared, facts).map((f) => ({ property: f.path, reason: `${f.rule} (got ${JSON.stringify(f.value)})` }));
  } catch (err) {
    ctx.log.info(`check: the primary at ${p.host}:${p.port} cannot be read (${(err instanceof Error ? err.message : String(err)).split("\n")[0]}): version, clusterId and clusterName are compared with it by the precheck, before any step`);
    return [];
  } finally {
    await ctx.log.flush();
  }
}
