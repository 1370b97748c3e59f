import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../internal/provider";
import type { Connection } from "../types";

export interface DrNode {
  /** How to reach the node over SSH, as the cluster's OS user (gs_ddr refuses root). */
  readonly connection: pulumi.Input<Connection>;
  /** SSH-trusted IP (gs_ddr's shard `ip`): dotted IPv4 or a full IPv6, as gs_ddr takes them. */
  readonly ip: pulumi.Input<string>;
  /** Streaming-replication IP (gs_ddr's shard `dataIp`). */
  readonly dataIp: pulumi.Input<string>;
}

export interface DrCluster {
  readonly name: pulumi.Input<string>;
  /** The DNs' port. */
  readonly port: pulumi.Input<number>;
  /** One entry per DN; the first node is where gs_ddr runs for this cluster. */
  readonly nodes: pulumi.Input<pulumi.Input<DrNode>[]>;
}

export interface DisasterRecoveryArgs {
  /** The two resource-pooled clusters (with CM). */
  readonly clusters: pulumi.Input<pulumi.Input<DrCluster>[]>;
  /** The cluster that is (or becomes, by switchover) the DR primary. */
  readonly primary: pulumi.Input<string>;
  /** `stream` (network) or `dorado` (storage array replication). No default: gs_ddr's own is dorado. */
  readonly type: pulumi.Input<"stream" | "dorado">;
  /** DR user (at most 63 bytes), created on the primary when absent (gs_ddr itself does not use it; the seed requires it). */
  readonly drUser: pulumi.Input<string>;
  /** The DR user's password. Kept as a secret; fed to gsql on stdin. */
  readonly drPassword: pulumi.Input<string>;
  /** dorado: the array step, run as `<command...> <step>` (start, demote, promote, failover) on `connection`. */
  readonly storageReplication?: pulumi.Input<{ connection: pulumi.Input<Connection>; command: pulumi.Input<pulumi.Input<string>[]> }>;
  /** dorado: the array's pair is handled by hand at each `Ready to move on` stop. */
  readonly storageReplicationConfirmed?: pulumi.Input<boolean>;
  /** Promote the DR standby because the primary is lost: `confirm` repeats the standby's name. */
  readonly failover?: pulumi.Input<{ confirm: pulumi.Input<string> }>;
  /** Apply a change gs_ddr forbids while paired as dissolve and rebuild. @default false */
  readonly allowRebuild?: pulumi.Input<boolean>;
  /** gs_ddr's `--time-out`. @default 1200 */
  readonly timeoutSeconds?: pulumi.Input<number>;
  /** The file that exports the openGauss environment. @default "~/.bashrc" */
  readonly envFile?: pulumi.Input<string>;
  /** Where the `--json` DR configuration is written (0600) on each side; gs_ddr refuses `| ; & $ < > \` \\ ' " { } ( ) [ ] ~ * ? !`, blanks and `..` in it (`~/` at the start is expanded first). @default "~/dbcluster-ddr.json" */
  readonly configFile?: pulumi.Input<string>;
}

export interface DrSideObserved {
  reachable: boolean;
  role?: "primary" | "standby" | "none";
  drState?: string | null;
  failoverProgress?: string;
  switchoverProgress?: string;
  clusterState?: string | null;
  dnRoles?: Record<string, string>;
  stepFiles?: string[];
  mostAvailableSync?: string | null;
  synchronousCommit?: string | null;
  error?: string;
}

/** A gs_ddr DR pair of two openGauss clusters: start, switchover, failover, dissolve on delete. */
export class DisasterRecovery extends pulumi.dynamic.Resource {
  declare readonly observed: pulumi.Output<{ paired: boolean; primary: string | null; sides: Record<string, DrSideObserved>; mustRebuild: boolean; note: string | null }>;
  declare readonly inSync: pulumi.Output<boolean>;

  constructor(name: string, args: DisasterRecoveryArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("opengauss:DisasterRecovery"),
      name,
      { ...args, observed: undefined, inSync: undefined, hostKeys: undefined },
      { ...opts, additionalSecretOutputs: ["drPassword", "clusters", "storageReplication", ...(opts?.additionalSecretOutputs ?? [])] },
      "opengauss",
      "DisasterRecovery",
    );
  }
}
