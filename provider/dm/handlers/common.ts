import type { SshTarget } from "../../core/ssh";
import type { Validation } from "../../converge";
import { connectionSecrets as secretsOf } from "../../core/connection";
import { targetOf } from "../ops";
import type { ConnectionArgs } from "../schema";
import { validate, type Kind } from "../validate";

/** The schema's failures in the shape Pulumi's check returns: field, value and rule in one line. */
export function validated<K extends Kind, S>(kind: K, inputs: unknown, olds?: unknown): { ok: true; spec: S } | { ok: false; failures: Validation[] } {
  const v = validate(kind, inputs, olds);
  if (v.ok) return { ok: true, spec: v.value as S };
  return {
    ok: false,
    failures: v.failures.map((f) => ({ property: f.path, reason: `${f.rule} (got ${JSON.stringify(f.value)})` })),
  };
}

/**
 * Connections by identity key (core/connection.ts), for every object that names one. Keys differ
 * whenever user, port, route, credential or pinned key do, so an update holds the new connection
 * and the old one side by side: steps for what the inputs still name use the new one (a rotated
 * key, a new pin take effect at once), steps for what only the old inputs named use the old one.
 */
export function connectionsOf(items: ReadonlyArray<{ connection: ConnectionArgs }>): Map<string, SshTarget["conn"]> {
  const out = new Map<string, SshTarget["conn"]>();
  for (const i of items) out.set(targetOf(i.connection).connKey, i.connection);
  return out;
}

/** Every secret value of these objects' connections (their jump hosts' included). */
export function connectionSecrets(items: ReadonlyArray<{ connection: ConnectionArgs }>): string[] {
  return items.flatMap((i) => secretsOf(i.connection));
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Fields that differ between two specs, split into replacing and in-place ones. */
export function diffFields(olds: object, news: object, immutable: readonly string[]): { replaces: string[]; changes: string[] } {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  const replaces: string[] = [];
  const changes: string[] = [];
  for (const k of keys) {
    if (sameJson((olds as Record<string, unknown>)[k], (news as Record<string, unknown>)[k])) continue;
    (immutable.includes(k) ? replaces : changes).push(k);
  }
  return { replaces: replaces.sort(), changes: changes.sort() };
}
