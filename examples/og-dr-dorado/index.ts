/**
 * Seed 003, example 1: a dorado-mode DR pair (the storage array replicates the data). gs_ddr
 * stops at `Ready to move on (yes/no)?` until the array's remote replication pair is ready; the
 * provider runs the `storageReplication` command with the step (start, demote, promote,
 * failover) first and answers yes once it exited 0. On the lab that command is the stand-in
 * `dorado_pair` on the first cluster's first host; elsewhere set `storageCommand` (a list:
 * program and arguments) and `storageHost`, or `storageReplicationConfirmed: true` when you
 * handle the pair in DeviceManager yourself.
 */
import * as pulumi from "@pulumi/pulumi";
import { opengauss } from "pulumi-dbcluster";
import { clusters, drSettings } from "../og-shared/clusters";

const all = clusters();
const config = new pulumi.Config();
const confirmed = config.getBoolean("storageReplicationConfirmed") ?? false;
const command = config.getObject<string[]>("storageCommand") ?? (process.env.LAB_JSON ? ["dorado_pair"] : undefined);
const connection = pulumi.output(all[0].nodes).apply((nodes) => nodes[0].connection);

const dr = new opengauss.DisasterRecovery("og-dr-dorado", {
  clusters: all,
  type: "dorado",
  ...drSettings(all),
  ...(confirmed || !command ? { storageReplicationConfirmed: true } : { storageReplication: { connection, command } }),
});

export const paired = dr.observed.apply((o) => o.paired);
export const primary = dr.observed.apply((o) => o.primary);
export const sides = dr.observed.apply((o) => o.sides);
