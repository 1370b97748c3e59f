/** What every gs_ddr task shares: output, the source's two kinds of failure, prompts and waits. */
import * as fs from "fs";
import * as path from "path";
import { OgCluster, OgNode, paths } from "../cluster";
import { hostEnv } from "../../common/env";
import { nodeByAddress } from "../cluster";
import { dnRunning, inRecovery, sql } from "../dn";
import { startCluster } from "../ops";
import { clusterStatus, doubleClusterMode, setCmParam } from "../status";
import { readStep, stepFiles, writeStat, type StepAction } from "./cabin";
import { LogExit, type DrConf, type Options } from "./options";

/** An exception in gs_ddr's run(): its message on stdout, a traceback on stderr, status 1. */
export class Raise extends Error {}
/** A prompt answered with something else than yes: stderr, status 1. */
export class Aborted extends Error {}

export interface Ctx {
  readonly cluster: OgCluster;
  readonly node: OgNode;
  readonly opts: Options;
  /** `--time-out` in seconds. */
  readonly timeoutS: number;
  /** The disaster type this run works with. */
  readonly type: string;
  /** A `lab fault ... fail gs_ddr` is pending: the run stops part-way, as after a crash. */
  readonly injected: boolean;
}

export function say(line: string): void {
  fs.writeSync(1, line + "\n");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `ready` until it holds or `timeoutS` passes. */
export async function waitFor(ready: () => boolean, timeoutS: number, everyMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    if (ready()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

let pending = "";
let eof = false;
function readLine(): string | undefined {
  for (;;) {
    const nl = pending.indexOf("\n");
    if (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      return line;
    }
    if (eof) {
      if (pending === "") return undefined;
      const line = pending;
      pending = "";
      return line;
    }
    const buf = Buffer.alloc(4096);
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      n = 0;
    }
    if (n === 0) eof = true;
    else pending += buf.subarray(0, n).toString("utf8");
  }
}

/** Python's input(): yes/y goes on; no/n or a third wrong answer aborts; EOF crashes. */
export function prompt(message: string): void {
  fs.writeSync(1, message);
  for (let attempt = 0; ; attempt++) {
    const answer = readLine();
    if (answer === undefined) throw new Raise("EOFError: EOF when reading a line");
    if (/^(yes|y)$/i.test(answer)) return;
    if (/^(no|n)$/i.test(answer) || attempt >= 2) throw new Aborted(`[GAUSS-35805] Input ${answer.toUpperCase()}. Operation aborted. `);
    fs.writeSync(1, "Please type 'yes' or 'no': ");
  }
}

export const MSG = {
  startPrimary:
    'Please ensure that the "Remote Replication Pairs" configured correctly between \nthe primary cluster and the disaster recovery cluster, with Replication Mode in "Synchronous" state.\nReady to move on (yes/no)? ',
  startStandby:
    'Please ensure that the "Remote Replication Pairs" configured correctly between \nthe primary cluster and the disaster recovery cluster, with Replication Mode in "Synchronous" state.\nReady to move on (yes/no)? ',
  demote:
    'Please manually switchover the primary and secondary replication relationship of  the "Remote Replication Pairs" \nin Device Manager, and ensure the "Local Resource Role" is Secondary.Ready to move on (yes/no)? ',
  promote: 'Please ensure that the "Remote Replication Pairs" configured correctly, \nand check the "Local Resource Role" is Primary.Ready to move on (yes/no)? ',
};

export type Role = "primary" | "disaster_standby" | "single";

/** The cluster's DR role, from the local cm_agent.conf (as get_ss_disaster_mode's caller reads it). */
export function roleOf(n: OgNode): Role {
  const m = doubleClusterMode(n);
  return m === 2 ? "disaster_standby" : m === 1 ? "primary" : "single";
}

export function checkActionAndMode(n: OgNode, action: StepAction): void {
  const files = stepFiles(n);
  const own = `.ddr_${action}.step`;
  if (files.length === 0 || (files.length === 1 && files[0] === own)) return;
  const other = files.find((f) => f !== own) ?? files[0];
  throw new LogExit(
    `[GAUSS-51632] : Failed to do check action and mode, the step files [${files.map((f) => `'${f}'`).join(", ")}] already exist, please ensure the action ['${other.slice(5, -5)}'] is finished before doing current options.`,
  );
}

export function stepOf(n: OgNode, action: StepAction): number {
  return readStep(n, action).step;
}

export function checkNormal(c: OgCluster, allowDegraded = false): void {
  const { state } = clusterStatus(c);
  if (state === "Normal" || (allowDegraded && state === "Degraded")) return;
  throw new Raise("[GAUSS-51632] : Failed to do check cluster status.");
}

/** start_cluster(): cm_ctl start, then wait for Normal; on timeout it says so and goes on. */
export async function startClusterAndWait(c: OgCluster, timeoutS: number): Promise<void> {
  say("Starting the cluster.");
  const r = startCluster(c);
  say(r.ok ? "Successfully started primary instance. Please wait for standby instances." : "Warning: the cluster is not normal, please check cluster status!");
  say("Waiting cluster normal.");
  if (await waitFor(() => ["Normal", "Degraded"].includes(clusterStatus(c).state), timeoutS)) {
    say("Successfully started standby instances.");
  } else {
    say(`Timeout. Failed to start the cluster in (${timeoutS})s.`);
    say(`Current cluster status (${clusterStatus(c).state}).`);
    say("It will continue to start in the background.");
  }
}

/** The DN a cluster's DR traffic goes through: its first node (the "main" DN of the shard). */
export function mainDn(c: OgCluster): OgNode {
  return c.nodes[0];
}

/** The remote side's DNs as the configuration names them, with the remote port and our initial user. */
export function remoteDns(c: OgCluster, conf: DrConf): { address: string; port: number; user: string }[] {
  return conf.remoteClusterConf.shards.flat().map((s) => ({ address: s.dataIp, port: conf.remoteClusterConf.port, user: c.initialUser }));
}

/** A remote DN that answers as a primary. */
export function remotePrimary(c: OgCluster, conf: DrConf): { address: string; port: number; user: string } | undefined {
  return remoteDns(c, conf).find((r) => inRecovery({ port: r.port, initialUser: r.user }, r.address) === false);
}

/**
 * No remote DN serves as a primary any more: each one's postmaster is gone or it answers as a
 * standby. A DN that is shutting down refuses connections yet is still sending its last WAL (the
 * shutdown checkpoint) to the standbys: promoting then would fork the timeline before it.
 */
export function remotePrimaryGone(c: OgCluster, conf: DrConf): boolean {
  const labDir = hostEnv().labDir;
  return remoteDns(c, conf).every((r) => {
    const remote = nodeByAddress(labDir, r.address);
    if (remote && !dnRunning(remote.node)) return true;
    return inRecovery({ port: r.port, initialUser: r.user }, r.address) === true;
  });
}

/** The primary DN streams to the other cluster's main standby (application_name dn_standby_*). */
export function mainStandbyConnected(c: OgCluster, primary: OgNode): boolean {
  const r = sql(c, primary.address, "select count(*) from pg_stat_replication where application_name like 'dn_standby_%' and state = 'streaming'");
  return r.ok && Number(r.out) > 0;
}

export function writeProgress(c: OgCluster, which: "failover" | "switchover", pct: string): void {
  writeStat(c, which, pct);
}

/** ss_double_cluster_mode in cm_agent.conf and cm_server.conf (1 DR primary, 2 DR standby). */
export function setDoubleClusterMode(c: OgCluster, mode: 1 | 2): void {
  setCmParam(c, "agent", "ss_double_cluster_mode", String(mode));
  setCmParam(c, "server", "ss_double_cluster_mode", String(mode));
}

/** CLUSTER_RUN_MODE in every node's dss_inst.ini (the lab has no DSS; the file records it). */
export function setDssRunMode(c: OgCluster, mode: "cluster_standby" | "cluster_primary"): void {
  say("Start set all dss instance CLUSTER_RUN_MODE.");
  for (const n of c.nodes) {
    const file = paths.dssIni(n);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => !/^CLUSTER_RUN_MODE/.test(l) && l !== "") : [];
    lines.push(`CLUSTER_RUN_MODE = ${mode}`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
  }
  say(`Successfully set dss cfg CLUSTER_RUN_MODE to ${mode}.`);
}

/** wait_main_standby_connection: the primary DN streams to the other cluster's main standby, within --time-out. */
export async function waitMainStandbyConnection(ctx: Ctx, hooks: { whileWaiting?: () => void; onTimeout?: () => void } = {}): Promise<void> {
  say("Waiting for the main standby connection.");
  hooks.whileWaiting?.();
  if (!(await waitFor(() => mainStandbyConnected(ctx.cluster, mainDn(ctx.cluster)), ctx.timeoutS, 1000))) {
    hooks.onTimeout?.();
    throw new Raise(`[GAUSS-51632] : Failed to do check main standby connection. Because Waiting timeout: ${ctx.timeoutS}s`);
  }
  say("Main standby already connected.");
}
