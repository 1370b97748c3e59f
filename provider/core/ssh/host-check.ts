import { HostKeyMismatchError } from "../errors";
import { HostKey, hostKeyFromBlob, parseHostKey, sameHostKey } from "../hostkey";

/** What a caller accepts as the server's key: the pinned `hostKey`, else the one recorded on first use. */
export interface Expectation {
  readonly key: HostKey;
  readonly source: "pinned" | "recorded";
}

/** A pinned `hostKey` wins over the key recorded on first use; neither: the first key seen is taken. */
export function expectation(pinned: string | undefined, recorded: string | undefined): Expectation | undefined {
  if (pinned) return { key: parseHostKey(pinned), source: "pinned" };
  if (recorded) return { key: parseHostKey(recorded), source: "recorded" };
  return undefined;
}

/** The key a server presented during the handshake, and the refusal when it is not the expected one. */
export function checkPresented(endpoint: string, expected: Expectation | undefined, blob: Buffer): { seen: HostKey; mismatch?: HostKeyMismatchError } {
  const seen = hostKeyFromBlob(blob);
  if (expected && !sameHostKey(expected.key, seen)) return { seen, mismatch: new HostKeyMismatchError(endpoint, expected.source, expected.key, seen) };
  return { seen };
}

/**
 * A pooled connection was dialed by the first caller of its identity, and checked against that
 * caller's expectation; every later caller's (say, another resource's recorded key) is checked here.
 */
export function checkShared(endpoint: string, expected: Expectation | undefined, seen: HostKey | undefined): void {
  if (expected && seen && !sameHostKey(expected.key, seen)) throw new HostKeyMismatchError(endpoint, expected.source, expected.key, seen);
}
