/**
 * What `check` can say only by reading the primary (one SQL session, nothing changed): the
 * declared version, clusterId and clusterName against the primary's, as field problems beside
 * the schema's. Only for a create: an update's check is not given the host keys recorded in
 * state, and dialing with none would trust whatever key answers; the precheck covers it then.
 * A primary that cannot be read is no problem here (a failover needs exactly that): the precheck
 * decides, and the line says so. A preview must not wait on it: one dial, a short handshake, and
 * the whole read bounded (the connection's own retries, even unlimited ones, are the up's).
 */
import type { RunContext, Validation } from "../../converge";
import { connectionKey, parseConnection } from "../../core/connection";
import { registerSecret } from "../../core/redact";
import type { SshTarget } from "../../core/ssh";
import { ClusterSchema } from "../schema";
import { primaryRules } from "./primary-rules";
import { readPrimaryFacts } from "./read";
import { StandbyClusterSchema } from "./schema";

/** One dial of at most this many seconds, and the whole read within READ_BOUND_MS. */
const DIAL_SECONDS = 5;
const READ_BOUND_MS = 10_000;

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
  const once = { dialErrorLimit: 1, perDialTimeout: DIAL_SECONDS };
  const conn = { ...p.connection, ...once, ...(p.connection.proxy ? { proxy: { ...p.connection.proxy, ...once } } : {}) };
  const ctx = open(new Map([[key, conn]]));
  let timer: NodeJS.Timeout | undefined;
  try {
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${READ_BOUND_MS / 1000}s`)), READ_BOUND_MS);
    });
    const facts = await Promise.race([readPrimaryFacts(ctx, key, p), bound]);
    return primaryRules(declared, facts).map((f) => ({ property: f.path, reason: `${f.rule} (got ${JSON.stringify(f.value)})` }));
  } catch (err) {
    ctx.log.info(`check: the primary at ${p.host}:${p.port} cannot be read (${(err instanceof Error ? err.message : String(err)).split("\n")[0]}): version, clusterId and clusterName are compared with it by the precheck, before any step`);
    return [];
  } finally {
    clearTimeout(timer);
    await ctx.log.flush();
  }
}
