/**
 * OSS key rotation. The server never shows a destination's keys (4.x keeps them apart, encrypted;
 * 3.x hides them in SHOW PARAMETERS), so what keys it holds is recorded where the policy applied
 * them: `keys.fp` in the job directory, one line per destination (`backup_dest`,
 * `backup_backup_dest`, or a 4.x tenant's name) with a fingerprint of the id and key. The
 * fingerprint is an HMAC keyed by the access key itself over the id and the destination: it
 * proves which pair was applied to whoever knows the pair, and tells nobody else anything.
 */
import { createHmac } from "node:crypto";
import type { BackupPolicySpec } from "./schema";
import { withoutKeys } from "./storage";

type Oss = NonNullable<BackupPolicySpec["storage"]["oss"]>;

export const KEYS_FILE = "keys.fp";

export function keysFingerprint(oss: Oss, dest: string): string {
  return createHmac("sha256", oss.accessKey).update(`pulumi-dbcluster oss keys\n${oss.accessId}\n${withoutKeys(dest)}`).digest("hex");
}

/** `target fingerprint` lines, sorted: the file's content. */
export function keysFile(entries: readonly { target: string; oss: Oss | undefined; dest: string }[]): string {
  const lines = entries.filter((e) => e.oss).map((e) => `${e.target} ${keysFingerprint(e.oss!, e.dest)}`).sort();
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

export function parseKeysFile(text: string): Map<string, string> {
  return new Map(text.split("\n").filter((l) => l.includes(" ")).map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1)] as [string, string]));
}

/** A destination the policy gives OSS keys, as the server has it now. */
export interface KeyTarget {
  readonly target: string;
  readonly oss: Oss | undefined;
  readonly dest: string;
  /** The server's destination is the declared one (keys aside). */
  readonly set: boolean;
  /** It may be set again now: archiving STOP and no backup running (else OceanBase refuses). */
  readonly settable: boolean;
}

/**
 * What is known of a destination's keys: `recorded` (keys.fp has the declared pair), `rotated`
 * (it has another), `none` (not OSS, or not set yet: set with the declared pair, then recorded).
 * A destination already set with no record (a policy from before rotation existed, or an up cut
 * between the SQL and the record) proves nothing: `reapply` when it may be set again now (the
 * declared pair is then applied, after the storage test, and recorded), else `unverified`: not
 * recorded, and said in refresh (`unverifiedKeys`).
 */
export type KeysVerdict = "none" | "recorded" | "rotated" | "reapply" | "unverified";

export function keysVerdict(applied: ReadonlyMap<string, string>, k: KeyTarget): KeysVerdict {
  if (!k.oss) return "none";
  const fp = applied.get(k.target);
  if (fp !== undefined) return fp === keysFingerprint(k.oss, k.dest) ? "recorded" : "rotated";
  if (!k.set) return "none";
  return k.settable ? "reapply" : "unverified";
}

/** What refresh says of a destination whose keys cannot be verified, and what to do. */
export function unverifiedText(target: string, stop: string): string {
  return `${target}: the OSS keys the server holds are not known (the destination was set before this policy recorded keys in ${KEYS_FILE}) and it cannot be set again while archiving runs or a backup runs: to give it the declared keys, ${stop}, wait for STOP, then run up again`;
}
