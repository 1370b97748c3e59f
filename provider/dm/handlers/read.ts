/**
 * Reading DM's actual state: one SSH command per instance host (directory, ini files, process),
 * one disql run per catalog read (every catalog table in one script), hosts in parallel.
 */
import { randomBytes } from "node:crypto";
import type { RunContext } from "../../converge";
import { parseCatalog, type Catalog } from "../catalog";
import { disqlCommand, hostStateCommand, parseHostState, type HostState, type InstanceLayout } from "../commands";
import { targetOf } from "../ops";
import type { ConnectionArgs, MpLogin } from "../schema";
import { catalogReadScript } from "../sql";

export async function readHost(ctx: RunContext, where: InstanceLayout & { connection: ConnectionArgs; name: string }): Promise<HostState> {
  const t = targetOf(where.connection);
  const marker = `--dbcluster-${randomBytes(12).toString("hex")}--`;
  const r = await ctx.exec(t.connKey, hostStateCommand(where, marker));
  if (r.code !== 0) throw new Error(`${t.host}: reading ${where.name}'s state failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return parseHostState(r.stdout, where, marker, t.host);
}

export async function readHosts<M extends InstanceLayout & { connection: ConnectionArgs; name: string }>(
  ctx: RunContext,
  members: readonly M[],
): Promise<Record<string, HostState>> {
  const states = await Promise.all(members.map((m) => readHost(ctx, m)));
  return Object.fromEntries(members.map((m, i) => [m.name, states[i]]));
}

export interface CatalogRead {
  readonly catalog: Catalog | null;
  /** The MP that answered. */
  readonly via?: string;
  /** Why no MP answered, per MP. */
  readonly errors: string[];
}

/**
 * Tries the MPs in order; the first that answers is the one logged into (with an MP RAFT group,
 * any OPEN member serves reads; catalog changes go to the one that answered).
 */
export async function readCatalog(ctx: RunContext, logins: readonly MpLogin[], password: string): Promise<CatalogRead> {
  const errors: string[] = [];
  for (const login of logins) {
    const t = targetOf(login.connection);
    try {
      const r = await ctx.exec(t.connKey, disqlCommand(login), catalogReadScript({ password, ip: login.ip, port: login.portNum }));
      if (r.code !== 0) {
        errors.push(`${login.name}@${t.host}: disql exit ${r.code}: ${(r.stdout + r.stderr).trim().split("\n").slice(-2).join(" | ")}`);
        continue;
      }
      return { catalog: parseCatalog(r.stdout), via: login.name, errors };
    } catch (err) {
      errors.push(`${login.name}@${t.host}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { catalog: null, errors };
}
