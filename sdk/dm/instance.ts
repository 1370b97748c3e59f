import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../internal/provider";
import { secretOutputs, withSecrets } from "../internal/secrets";
import type { Connection } from "../types";

export interface MpNode {
  /** The MP's address as the others reach it (mp.ini `mp_host`). */
  readonly host: pulumi.Input<string>;
  /** The MP's `mp_port`; must not collide with any instance's AP_PORT_NUM. */
  readonly port: pulumi.Input<number>;
}

/** Where an instance is and how it was initialised: what `dm.Instance` and a `dm.RaftGroup` member share. */
export interface InstancePlacement {
  /** INSTANCE_NAME, also the name registered in the MP: at most 16 characters. Immutable. */
  readonly name: pulumi.Input<string>;
  /** DPC_MODE: "MP", "SP" or "BP". Immutable. */
  readonly mode: pulumi.Input<"MP" | "SP" | "BP">;
  /** How to reach the instance's host. */
  readonly connection: pulumi.Input<Connection>;
  /** Base directory, the `dminit PATH=`; the database lives in `path/dbName`. Immutable. */
  readonly path: pulumi.Input<string>;
  /** DB_NAME. Immutable. @default "DAMENG" */
  readonly dbName?: pulumi.Input<string>;
  /** The address other nodes use (IP_INTERNAL). */
  readonly ip: pulumi.Input<string>;
  /** IP_EXTERNAL; "" is allowed (seed 7.3). @default ip */
  readonly ipExternal?: pulumi.Input<string>;
  /** PORT_NUM (SQL). @default 5236 */
  readonly portNum?: pulumi.Input<number>;
  /** AP_PORT_NUM (inter-node; the catalog's XMAL_PORT). */
  readonly apPortNum: pulumi.Input<number>;
  /** Directory holding DM's `bin/`. @default the tools on the host's PATH */
  readonly dmHome?: pulumi.Input<string>;
  /** PAGE_SIZE in KiB (4, 8, 16, 32). Immutable. @default 8 */
  readonly pageSize?: pulumi.Input<4 | 8 | 16 | 32>;
  /** EXTENT_SIZE in pages (16, 32, 64). Immutable. @default 16 */
  readonly extentSize?: pulumi.Input<16 | 32 | 64>;
  /** CHARSET: 0 GB18030, 1 UTF-8, 2 EUC-KR. Immutable. @default 0 */
  readonly charset?: pulumi.Input<0 | 1 | 2>;
  /** CASE_SENSITIVE. Immutable. @default true */
  readonly caseSensitive?: pulumi.Input<boolean>;
}

/** One DM instance on one host, on disk: its database directory (`dminit`), dm.ini, mp.ini. */
export interface InstanceArgs extends InstancePlacement {
  /** For an MP: its `mp_port`. @default 9000 */
  readonly mpPort?: pulumi.Input<number>;
  /** SYSDBA_PWD, 9 to 48 characters; reaches dminit through a 0600 file. Pass it as a secret. */
  readonly sysdbaPassword: pulumi.Input<string>;
  /** The MPs this instance's mp.ini names: one entry writes `mp_host`/`mp_port`, several `[MPn]` sections. */
  readonly mpNodes: pulumi.Input<pulumi.Input<MpNode>[]>;
  /** Extra dm.ini parameters, edited in place; the rest of dm.ini is kept. @default {} */
  readonly dmIni?: pulumi.Input<Record<string, pulumi.Input<string | number>>>;
  /** Remove the database directory when the resource is deleted. @default false */
  readonly deleteData?: pulumi.Input<boolean>;
  /** Take over an existing database directory instead of refusing to touch it. @default false */
  readonly adopt?: pulumi.Input<boolean>;
}

/** Inputs stored encrypted whatever the user passed (connections hold credentials). */
const SECRET_INPUTS = ["sysdbaPassword", "connection"] as const satisfies readonly (keyof InstanceArgs)[];

/**
 * A DM instance's database on its host. Its process and its registration belong to its
 * `RaftGroup` (see provider/dm/DESIGN.md); deleting it keeps the directory unless `deleteData`.
 */
export class Instance extends pulumi.dynamic.Resource {
  /**
   * What the Instance owns, as read: whether the database directory exists and its ini values.
   * Whether the process runs is its RaftGroup's to report (`observed.members[].running`).
   */
  declare readonly observed: pulumi.Output<{
    databaseExists: boolean;
    dmIni: { INSTANCE_NAME: string | null; PORT_NUM: string | null; AP_PORT_NUM: string | null; DPC_MODE: string | null } | null;
    mpIni: string | null;
  }>;
  /** False when the last refresh found the host differing from the inputs (the next up repairs it). */
  declare readonly inSync: pulumi.Output<boolean>;
  /** Host keys seen, by connection (trust on first use). */
  declare readonly hostKeys: pulumi.Output<Record<string, string>>;
  declare readonly name: pulumi.Output<string>;
  declare readonly ip: pulumi.Output<string>;
  declare readonly portNum: pulumi.Output<number>;

  constructor(name: string, args: InstanceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("dm:Instance"),
      name,
      { ...withSecrets(args, SECRET_INPUTS), observed: undefined, inSync: undefined, hostKeys: undefined },
      secretOutputs(SECRET_INPUTS, opts),
      "dm",
      "Instance",
    );
  }
}
