import { createHash } from "node:crypto";

/**
 * Host keys as OpenSSH prints them. Verification compares the raw public-key blobs, never the
 * text, so comments, spacing and a leading known_hosts host pattern do not matter.
 */

export interface HostKey {
  /** Algorithm name inside the blob, e.g. `ssh-ed25519`. */
  readonly type: string;
  /** The SSH wire-format public key. */
  readonly blob: Buffer;
}

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+|ssh-ed448)$/;

function typeInBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > blob.length) return undefined;
  return blob.subarray(4, 4 + len).toString("latin1");
}

/** Parses `ssh-ed25519 AAAA... comment` (optionally preceded by a known_hosts host field). */
export function parseHostKey(text: string): HostKey {
  const tokens = text.trim().split(/\s+/);
  const at = tokens.findIndex((t) => KEY_TYPE.test(t));
  if (at < 0 || at + 1 >= tokens.length) {
    throw new Error(
      `hostKey is not an OpenSSH public key (expected "ssh-ed25519 AAAA..." as printed by ` +
        `ssh-keyscan or found in /etc/ssh/ssh_host_*_key.pub); got ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
  const type = tokens[at];
  const b64 = tokens[at + 1];
  const blob = Buffer.from(b64, "base64");
  if (blob.toString("base64").replace(/=+$/, "") !== b64.replace(/=+$/, "") || typeInBlob(blob) !== type) {
    throw new Error(`hostKey's base64 part does not encode a ${type} key`);
  }
  return { type, blob };
}

/** Builds a key from the blob the server presented during the handshake. */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  return { type: typeInBlob(blob) ?? "unknown", blob: Buffer.from(blob) };
}

/** OpenSSH text without comment: what gets recorded in state and what users paste into `hostKey`. */
export function formatHostKey(key: HostKey): string {
  return `${key.type} ${key.blob.toString("base64")}`;
}

/** `SHA256:...` exactly as `ssh-keygen -lf` and OpenSSH's warnings print it. */
export function fingerprint(key: HostKey): string {
  return "SHA256:" + createHash("sha256").update(key.blob).digest("base64").replace(/=+$/, "");
}

export function sameHostKey(a: HostKey, b: HostKey): boolean {
  return a.blob.equals(b.blob);
}
