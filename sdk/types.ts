import type * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/command";

/**
 * How to reach a host over SSH: `@pulumi/command`'s `remote.ConnectionArgs` itself, so one object
 * serves `command.remote.Command` and this package's resources alike. Only `hostKey` means more
 * here (below). The provider validates the same fields at run time (`provider/core/connection.ts`).
 */
export interface Connection extends types.input.remote.ConnectionArgs {
  /**
   * The host's public key as OpenSSH prints it (`ssh-ed25519 AAAA...`). When set, any other key
   * is refused. When unset, this package records the key seen first in the resource's state and
   * refuses a later different key (trust on first use); `@pulumi/command` ignores the key then.
   */
  readonly hostKey?: pulumi.Input<string>;
}

/** The jump host (`connection.proxy`): `@pulumi/command`'s `remote.ProxyConnectionArgs`. */
export type ProxyConnection = types.input.remote.ProxyConnectionArgs;
