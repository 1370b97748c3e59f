/**
 * Seed 003, example 2: a stream-mode DR pair of two resource-pooled openGauss clusters. Change
 * `primary` to switch over; set `failover` (the standby's name) to promote the standby when the
 * primary is lost; destroy dissolves the pair and leaves both clusters serving.
 */
import { opengauss } from "pulumi-dbcluster";
import { clusters, drSettings } from "../og-shared/clusters";

const all = clusters();
const dr = new opengauss.DisasterRecovery("og-dr-stream", { clusters: all, type: "stream", ...drSettings(all) });

export const paired = dr.observed.apply((o) => o.paired);
export const primary = dr.observed.apply((o) => o.primary);
export const sides = dr.observed.apply((o) => o.sides);
export const note = dr.observed.apply((o) => o.note);
