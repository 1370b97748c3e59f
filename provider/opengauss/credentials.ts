/**
 * Which DR user and password a pair was built with, kept on the hosts so that a change is read
 * from the actual state (not from the previous program): `scrypt$<salt>$<hash>` of the user and
 * password, in a 0600 file beside the DR config on each cluster's first node. The salt is fixed
 * per pair (its cluster names), so the planner stays a pure function.
 */
import { createHash, scryptSync, timingSafeEqual } from "node:crypto";
import type { DrSpec } from "./schema";

function salt(spec: DrSpec): Buffer {
  const names = spec.clusters.map((c) => c.name).sort().join("\0");
  return createHash("sha256").update(`pulumi-dbcluster ddr\0${names}`).digest().subarray(0, 16);
}

function hash(spec: DrSpec, s: Buffer): Buffer {
  return scryptSync(`${spec.drUser}\0${spec.drPassword}`, s, 32);
}

export function credentialsRecord(spec: DrSpec): string {
  const s = salt(spec);
  return `scrypt$${s.toString("hex")}$${hash(spec, s).toString("hex")}\n`;
}

/** True/false when a record is there to compare with, undefined when there is none. */
export function credentialsMatch(spec: DrSpec, record: string | undefined): boolean | undefined {
  const m = record ? /^scrypt\$([0-9a-f]{32})\$([0-9a-f]{64})$/.exec(record.trim()) : null;
  if (!m) return undefined;
  return timingSafeEqual(hash(spec, Buffer.from(m[1], "hex")), Buffer.from(m[2], "hex"));
}
