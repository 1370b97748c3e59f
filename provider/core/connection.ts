import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * How to reach a host over SSH. The field list, defaults and meanings are exactly those of
 * `@pulumi/command`'s `remote.ConnectionArgs` (v1.x), so users can pass the same object they
 * already give `command.remote.Command`. One addition of meaning, not of shape: `hostKey` is
 * enforced (the server's key must match) and, when absent, the key seen on first use is
 * reported back so that the resource can record it and refuse a later change.
 */

/** Fields shared by the target host and the jump host. */
const endpointFields = {
  /** The address of the host to connect to. */
  host: z.string().min(1, "host must not be empty"),
  /** The port to connect to. @default 22 */
  port: z.number().int().min(1).max(65535).default(22),
  /** The user to log in as. @default "root" */
  user: z.string().min(1).default("root"),
  /** Password for password (or keyboard-interactive) authentication. */
  password: z.string().optional(),
  /** OpenSSH or PEM private key text; takes preference over the password. */
  privateKey: z.string().optional(),
  /** Passphrase of an encrypted `privateKey`. */
  privateKeyPassword: z.string().optional(),
  /** SSH agent socket. @default the environment's SSH_AUTH_SOCK */
  agentSocketPath: z.string().optional(),
  /** Dial attempts before giving up; -1 means unlimited. @default 10 */
  dialErrorLimit: z.number().int().min(-1).default(10),
  /** Seconds allowed for each dial attempt (TCP connect + SSH handshake); 0 means no limit. @default 15 */
  perDialTimeout: z.number().min(0).default(15),
  /** Expected host key, OpenSSH text (`ssh-ed25519 AAAA... [comment]`). */
  hostKey: z.string().optional(),
};

/** The closest known field to a misspelt one: same letters ignoring case, or one edit away. */
function suggestion(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  return known.find((f) => f.toLowerCase() === k) ?? known.find((f) => editDistance(f.toLowerCase(), k) <= 2);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * A misspelt field (`privatekey`) is refused by name: silently ignored, it would leave the
 * connection without its credential and fail only at connect.
 */
function strictEndpoint<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== "unrecognized_keys") return undefined;
      return iss.keys
        .map((key) => {
          const near = suggestion(key, known);
          return `unknown field ${JSON.stringify(key)} (${near ? `did you mean ${near}?` : `a connection has ${known.join(", ")}`})`;
        })
        .join("; ");
    },
  });
}

/** The jump host (`ProxyConnectionArgs`): the same fields without a further proxy. */
export const ProxyConnectionSchema = strictEndpoint(endpointFields);

export const ConnectionSchema = strictEndpoint({
  ...endpointFields,
  /** A bastion to jump through (the target is reached with a direct-tcpip channel from it). */
  proxy: ProxyConnectionSchema.optional(),
});

/** What users write (defaults optional). */
export type ConnectionArgs = z.input<typeof ConnectionSchema>;
export type ProxyConnectionArgs = z.input<typeof ProxyConnectionSchema>;
/** After defaults were applied. */
export type Connection = z.output<typeof ConnectionSchema>;
export type ProxyConnection = z.output<typeof ProxyConnectionSchema>;

/** Applies defaults and validates; throws a zod error listing every problem. */
export function parseConnection(args: ConnectionArgs): Connection {
  return ConnectionSchema.parse(args);
}

function endpointOf(c: { user: string; host: string; port: number }): string {
  return `${c.user}@${c.host}:${c.port}`;
}

/**
 * Where a connection lands: `user@host:port[ via user@jump:port]`. What messages name, and what
 * a host key recorded on first use is filed under (a host's key does not depend on the
 * credential used to log in, so rotating a key or password keeps the record).
 */
export function endpointKey(conn: Connection | ProxyConnection): string {
  const own = endpointOf(conn);
  const proxy = "proxy" in conn ? conn.proxy : undefined;
  return proxy ? `${own} via ${endpointOf(proxy)}` : own;
}

/** Salt of the credential digests: keys never leave the process, and a digest says nothing outside it. */
const SALT = randomBytes(16);

/** The fields that decide who logs in and whom we accept, for the target and the jump host. */
function identityFields(c: ProxyConnection): (string | null)[] {
  return [c.password, c.privateKey, c.privateKeyPassword, c.agentSocketPath, c.hostKey].map((v) => v ?? null);
}

/**
 * The pool key: one SSH connection per identity, i.e. everything that decides who logs in where
 * and which server key is accepted: user, host, port, route, credential and pinned host key, for
 * the target and the jump host. Two resources share a connection only when either could have
 * dialed it; a rotated key or a new pin dials afresh. Printable: the credential part is a salted
 * digest, `user@host:port[ via ...] #<digest>`.
 */
export function connectionKey(conn: Connection | ProxyConnection): string {
  const proxy = "proxy" in conn ? conn.proxy : undefined;
  const digest = createHmac("sha256", SALT)
    .update(JSON.stringify([identityFields(conn), proxy ? identityFields(proxy) : null]))
    .digest("hex")
    .slice(0, 16);
  return `${endpointKey(conn)} #${digest}`;
}

/** The secret values of a connection and of its jump host, for the redactor. */
export function connectionSecrets(conn: ConnectionArgs): string[] {
  const ends: (ProxyConnectionArgs | undefined)[] = [conn, conn.proxy];
  return ends.flatMap((e) => (e ? [e.password, e.privateKey, e.privateKeyPassword] : [])).filter((s): s is string => typeof s === "string" && s.length > 0);
}

/** Field names whose values are secret, wherever they appear in inputs. */
export const CONNECTION_SECRET_FIELDS = ["password", "privateKey", "privateKeyPassword"] as const;
