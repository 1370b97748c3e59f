import type * as pulumi from "@pulumi/pulumi";

/**
 * How to reach a host over SSH: the same shape as @pulumi/command's `remote.ConnectionArgs`, so
 * one object can serve both packages.
 */
export interface Connection {
  /** The address of the host. */
  readonly host: pulumi.Input<string>;
  /** The SSH port. @default 22 */
  readonly port?: pulumi.Input<number>;
  /** The login user. @default "root" */
  readonly user?: pulumi.Input<string>;
  /** A password for the login (prefer a key). Pass it as a secret. */
  readonly password?: pulumi.Input<string>;
  /** The private key text (OpenSSH or PEM). Pass it as a secret. */
  readonly privateKey?: pulumi.Input<string>;
  /** The private key's passphrase. Pass it as a secret. */
  readonly privateKeyPassword?: pulumi.Input<string>;
  /** An ssh-agent socket to authenticate with. */
  readonly agentSocketPath?: pulumi.Input<string>;
  /** A jump host to connect through. */
  readonly proxy?: pulumi.Input<ProxyConnection>;
  /** How many times to try to dial before failing. @default 10 */
  readonly dialErrorLimit?: pulumi.Input<number>;
  /** Seconds each dial may take. @default 15 */
  readonly perDialTimeout?: pulumi.Input<number>;
  /**
   * The host's public key as OpenSSH prints it (`ssh-ed25519 AAAA...`). When set, any other key
   * is refused. When unset, the key seen first is recorded in the resource's state and a later
   * different key is refused (trust on first use).
   */
  readonly hostKey?: pulumi.Input<string>;
}

export type ProxyConnection = Omit<Connection, "proxy">;
