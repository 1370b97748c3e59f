import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../internal/provider";
import type { Connection } from "../types";

export interface BackupArgs {
  /** Names the record of this backup on the cluster host. Changing it replaces the resource. */
  readonly name: pulumi.Input<string>;
  readonly cluster: pulumi.Input<{ connection: pulumi.Input<Connection>; host?: pulumi.Input<string>; port?: pulumi.Input<number>; password: pulumi.Input<string> }>;
  readonly mode: pulumi.Input<"full" | "incremental">;
  /** 4.x: the user tenants. @default every user tenant */
  readonly tenants?: pulumi.Input<pulumi.Input<string>[]>;
  /** Compact first when a full needs it; otherwise OCP's precheck refuses. @default false */
  readonly compactIfNeeded?: pulumi.Input<boolean>;
  /** Any value; a change runs the backup again. */
  readonly trigger?: pulumi.Input<string>;
  /** @default 3600 */
  readonly timeoutSeconds?: pulumi.Input<number>;
}

/** OCP's "backup now": one full or incremental backup, with OCP's prechecks; deleting it keeps the data. */
export class Backup extends pulumi.dynamic.Resource {
  declare readonly observed: pulumi.Output<{ setId: number | null; mode: string | null; status: string | null; start: string | null; end: string | null; bytes: number | null }>;
  declare readonly inSync: pulumi.Output<boolean>;

  constructor(name: string, args: BackupArgs, opts?: pulumi.CustomResourceOptions) {
    super(dynamicProvider("oceanbase:Backup"), name, { ...args, observed: undefined, inSync: undefined, hostKeys: undefined }, { ...opts, additionalSecretOutputs: ["cluster", ...(opts?.additionalSecretOutputs ?? [])] }, "oceanbase", "Backup");
  }
}
