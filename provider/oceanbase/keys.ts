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

/**
 * Whether `target` holds other keys than declared: known only once the policy recorded what it
 * applied (a destination it finds already set, with no record, is taken as it is and recorded).
 */
export function keysRotated(applied: ReadonlyMap<string, string>, target: string, oss: Oss | undefined, dest: string): boolean {
  const fp = applied.get(target);
  return oss !== undefined && fp !== undefined && fp !== keysFingerprint(oss, dest);
}
