import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../internal/provider";
import { secretOutputs, withSecrets } from "../internal/secrets";
import type { Connection } from "../types";
import type { InstancePlacement } from "./instance";

/**
 * A member of a RAFT group: where the instance is (as its `dm.Instance`; `mode` is the group's
 * role) and how it is registered. The dminit parameters are used when the group re-initialises a
 * member it converts between RAFT and shadow replica.
 */
export interface RaftMember extends InstancePlacement {
  /** Registration DESCRIPTION. @default "<mode> instance" */
  readonly description?: pulumi.Input<string>;
  /** A shadow replica (seed 7.5): holds no data files but votes and commits like every member (DM8 §5.20); at most half of a group's nodes. @default false */
  readonly shadow?: pulumi.Input<boolean>;
}

/** An MP to log into for catalog work. */
export interface MpLogin {
  readonly name: pulumi.Input<string>;
  readonly connection: pulumi.Input<Connection>;
  readonly ip: pulumi.Input<string>;
  readonly portNum: pulumi.Input<number>;
  readonly dmHome?: pulumi.Input<string>;
}

export interface RaftGroupArgs {
  /** Catalog name; the MP group is always "MP_RAFT". Immutable. */
  readonly name: pulumi.Input<string>;
  /** "MP", "SP" or "BP". Immutable. */
  readonly role: pulumi.Input<"MP" | "SP" | "BP">;
  /** Members in order: the first seeds a multi-replica group. 1 member = single replica; else an odd number up to 9. */
  readonly members: pulumi.Input<pulumi.Input<RaftMember>[]>;
  /** MPs to log into (SP and BP groups). @default [] (the MP group uses its members) */
  readonly mp?: pulumi.Input<pulumi.Input<MpLogin>[]>;
  /** SYSDBA's password. Pass it as a secret. */
  readonly sysdbaPassword: pulumi.Input<string>;
  /** dmarch.ini timings and archive sizes. @default the seed's (5, 150, 1500 + 500 per member, 128 MB, no limit) */
  readonly archive?: pulumi.Input<{
    xmalHbInterval?: number;
    raftHbInterval?: number;
    voteIntervalBase?: number;
    voteIntervalStep?: number;
    fileSizeMb?: number;
    spaceLimitMb?: number;
  }>;
}

/** Inputs stored encrypted whatever the user passed (connections hold credentials). */
const SECRET_INPUTS = ["sysdbaPassword", "members", "mp"] as const satisfies readonly (keyof RaftGroupArgs)[];

/**
 * A RAFT group: its catalog row, its members' registration, the replica set-up of a
 * multi-replica group and its members' processes (start, election; `exit`/`exit all` on delete).
 */
export class RaftGroup extends pulumi.dynamic.Resource {
  /**
   * Catalog view: raft id, leader, each member's registration (INST_ID), SYS_MODE and whether it
   * runs. Not SYS_STATUS / STATUS: the instances report those on their own schedule.
   */
  declare readonly observed: pulumi.Output<{
    catalogReadable: boolean;
    raftId: number | null;
    leader: string | null;
    members: { name: string; instId: number | null; sysMode: string | null; running: boolean }[];
  }>;
  declare readonly inSync: pulumi.Output<boolean>;
  declare readonly hostKeys: pulumi.Output<Record<string, string>>;
  declare readonly name: pulumi.Output<string>;

  constructor(name: string, args: RaftGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("dm:RaftGroup"),
      name,
      { ...withSecrets(args, SECRET_INPUTS), observed: undefined, inSync: undefined, hostKeys: undefined },
      secretOutputs(SECRET_INPUTS, opts),
      "dm",
      "RaftGroup",
    );
  }
}
