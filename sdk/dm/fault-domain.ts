import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../internal/provider";
import { secretOutputs, withSecrets } from "../internal/secrets";
import type { MpLogin } from "./raft-group";

export interface FaultDomainArgs {
  /** Catalog name. Immutable. */
  readonly name: pulumi.Input<string>;
  /** DESCRIPTION. @default "" */
  readonly description?: pulumi.Input<string>;
  /** MP and BP instance names in this domain (an SP cannot be; two members of one RAFT group cannot share one). */
  readonly instances: pulumi.Input<pulumi.Input<string>[]>;
  /** MPs to log into. */
  readonly mp: pulumi.Input<pulumi.Input<MpLogin>[]>;
  /** SYSDBA's password. Pass it as a secret. */
  readonly sysdbaPassword: pulumi.Input<string>;
}

/** Inputs stored encrypted whatever the user passed (connections hold credentials). */
const SECRET_INPUTS = ["sysdbaPassword", "mp"] as const satisfies readonly (keyof FaultDomainArgs)[];

/** A fault domain and which instances are in it. */
export class FaultDomain extends pulumi.dynamic.Resource {
  declare readonly observed: pulumi.Output<{ domainId: number | null; instances: string[] }>;
  declare readonly inSync: pulumi.Output<boolean>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: FaultDomainArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("dm:FaultDomain"),
      name,
      { ...withSecrets(args, SECRET_INPUTS), observed: undefined, inSync: undefined, hostKeys: undefined },
      secretOutputs(SECRET_INPUTS, opts),
      "dm",
      "FaultDomain",
    );
  }
}
