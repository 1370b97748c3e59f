import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../internal/provider";
import { secretOutputs, withSecrets } from "../internal/secrets";
import type { Connection } from "../types";

export interface StandbyHostArgs {
  readonly connection: pulumi.Input<Connection>;
  /** The address the OBServer listens on and the cluster knows it by. */
  readonly address: pulumi.Input<string>;
  /** A label a `{count, from, machineType}` zone filters on (OCP's 机型). */
  readonly machineType?: pulumi.Input<string>;
  /** This host's observer home / data directory, when it differs from `observer`'s. */
  readonly home?: pulumi.Input<string>;
  readonly dataDir?: pulumi.Input<string>;
}

export interface StandbyZoneArgs {
  readonly name: pulumi.Input<string>;
  /** The zone's IDC (机房): a zone sits in one IDC. */
  readonly idc: pulumi.Input<string>;
  /** @default "sys_region" */
  readonly region?: pulumi.Input<string>;
  /** The hosts by hand, or any `count` of a pool (OCP's 自动分配), optionally of one machine type. */
  readonly hosts: pulumi.Input<pulumi.Input<StandbyHostArgs>[] | { count: pulumi.Input<number>; from: pulumi.Input<pulumi.Input<StandbyHostArgs>[]>; machineType?: pulumi.Input<string> }>;
  /** The RootServer host's address. @default the zone's first host */
  readonly rootServer?: pulumi.Input<string>;
}

export interface StandbyClusterArgs {
  /** The primary: a host that reaches one of its OBServers, its SQL address and port, root@sys's password. */
  readonly primary: pulumi.Input<{ connection: pulumi.Input<Connection>; host?: pulumi.Input<string>; port?: pulumi.Input<number>; password: pulumi.Input<string> }>;
  /** Unique among the primary and its standbys. Changing it replaces the standby. */
  readonly clusterId: pulumi.Input<number>;
  /** Must equal the primary's (to upgrade: the standby first, then the primary). */
  readonly version: pulumi.Input<string>;
  /** Must equal the primary's. @default the primary's */
  readonly clusterName?: pulumi.Input<string>;
  readonly zones: pulumi.Input<pulumi.Input<StandbyZoneArgs>[]>;
  readonly observer: pulumi.Input<{ home: pulumi.Input<string>; dataDir: pulumi.Input<string>; sqlPort?: pulumi.Input<number>; rpcPort?: pulumi.Input<number>; memoryLimit?: pulumi.Input<string>; cpuCount?: pulumi.Input<number>; options?: pulumi.Input<Record<string, pulumi.Input<string>>> }>;
  /** "primary" runs a planned switchover (and "standby" switches back). @default "standby" */
  readonly role?: pulumi.Input<"standby" | "primary">;
  /** Promote this standby when its primary is lost; `confirm` names the primary cluster given up. Never implicit. */
  readonly failover?: pulumi.Input<{ confirm: pulumi.Input<string> }>;
  /** 4.x: the primary's user tenants that get a standby tenant. @default every user tenant of the primary */
  readonly tenants?: pulumi.Input<pulumi.Input<string>[]>;
  /** 4.x: root@sys's password of the standby cluster (it has its own sys tenant). @default primary.password */
  readonly standbyPassword?: pulumi.Input<string>;
  /** 4.x: the user in each primary tenant the standby tenants pull log as. @default root with primary.password */
  readonly logRestoreSource?: pulumi.Input<{ user?: pulumi.Input<string>; password: pulumi.Input<string> }>;
  /** 4.x: the standby tenants pull log from the primary tenants' SQL service, or their log archive (LOCATION=, file:// on shared storage). @default "service" */
  readonly logRestoreFrom?: pulumi.Input<"service" | "archive">;
  /** Delete removes the data directories too. @default false */
  readonly deleteData?: pulumi.Input<boolean>;
  /** Bound of each wait. @default 600 */
  readonly timeoutSeconds?: pulumi.Input<number>;
}

/** The primary's password and every host connection (private keys) live in these. */
const SECRET_INPUTS = ["primary", "zones", "standbyPassword", "logRestoreSource"] as const;

/** OCP's "new standby cluster": on 3.x a standby cluster that copies the primary, then follows its redo; on 4.x a standby cluster deployed the same way whose tenants are standby tenants of the primary's. */
export class StandbyCluster extends pulumi.dynamic.Resource {
  declare readonly observed: pulumi.Output<{
    clusterName: string | null;
    clusterId: number;
    role: string | null;
    status: string | null;
    switchoverStatus: string | null;
    statusOnPrimary: string | null;
    lagSeconds: number | null;
    primary: { clusterId?: number; role?: string; status?: string; clusterName?: string; tenants?: { name: string; role: string }[]; unreachable?: string };
    /** 3.x: the standby's servers and zones (4.x: in standbyCluster). */
    servers?: { address: string; zone: string; status: string }[];
    zones?: { name: string; idc: string; region: string }[];
    /** 4.x: the standby tenants. */
    tenants?: { name: string; role: string; switchoverStatus: string; syncStatus: string | null }[];
    /** 4.x: the standby cluster itself. */
    standbyCluster?: { version: string; servers: { address: string; zone: string; status: string }[]; zones: { name: string; idc: string; region: string }[] } | { unreachable: string };
  }>;
  declare readonly inSync: pulumi.Output<boolean>;

  constructor(name: string, args: StandbyClusterArgs, opts?: pulumi.CustomResourceOptions) {
    super(dynamicProvider("oceanbase:StandbyCluster"), name, { ...withSecrets(args, SECRET_INPUTS), observed: undefined, inSync: undefined, hostKeys: undefined }, secretOutputs(SECRET_INPUTS, opts), "oceanbase", "StandbyCluster");
  }
}
