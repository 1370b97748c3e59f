import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../internal/provider";
import { secretOutputs, withSecrets } from "../internal/secrets";
import type { MpLogin } from "./raft-group";

export interface BpGroupArgs {
  /** Catalog name. Immutable. */
  readonly name: pulumi.Input<string>;
  /** DESCRIPTION. Immutable (DM has no procedure to change it). @default "" */
  readonly description?: pulumi.Input<string>;
  /** BP RAFT group names, in the order they are added. */
  readonly rafts: pulumi.Input<pulumi.Input<string>[]>;
  /** MPs to log into. */
  readonly mp: pulumi.Input<pulumi.Input<MpLogin>[]>;
  /** SYSDBA's password. Pass it as a secret. */
  readonly sysdbaPassword: pulumi.Input<string>;
}

/** Inputs stored encrypted whatever the user passed (connections hold credentials). */
const SECRET_INPUTS = ["sysdbaPassword", "mp"] as const satisfies readonly (keyof BpGroupArgs)[];

/** A BP group and which BP RAFT groups belong to it. */
export class BpGroup extends pulumi.dynamic.Resource {
  declare readonly observed: pulumi.Output<{ groupId: number | null; rafts: string[] }>;
  declare readonly inSync: pulumi.Output<boolean>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: BpGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("dm:BpGroup"),
      name,
      { ...withSecrets(args, SECRET_INPUTS), observed: undefined, inSync: undefined, hostKeys: undefined },
      secretOutputs(SECRET_INPUTS, opts),
      "dm",
      "BpGroup",
    );
  }
}
