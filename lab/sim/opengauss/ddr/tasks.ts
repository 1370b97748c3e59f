/**
 * `gs_ddr -t switchover | failover | stop | query` (openGauss-OM ddr_modules, the seed's RC1
 * output). Roles come from the local cm_agent.conf; the quirks are the source's: a switchover to
 * the current role and a failover on a DR primary print a hint and exit 0.
 */
import { OgCluster, OgNode } from "../cluster";
import { inRecovery, makeStandby, promoteDn, reloadDn, sql, stopDn } from "../dn";
import { configured, setGuc, setHba } from "../guc";
import { stopCluster } from "../ops";
import { clusterStatus } from "../status";
import { readConfRecord, readStat, removeCabin, removeStep, upgrading, writeStat, writeStep, type StepAction } from "./cabin";
import {
  MSG,
  Raise,
  checkActionAndMode,
  checkNormal,
  mainDn,
  prompt,
  remoteDns,
  remotePrimary,
  remotePrimaryGone,
  roleOf,
  say,
  setDoubleClusterMode,
  setDssRunMode,
  startClusterAndWait,
  stepOf,
  waitFor,
  waitMainStandbyConnection,
  writeProgress,
  type Ctx,
} from "./context";
import { LogExit, type DrConf } from "./options";

function checkUpgrade(c: OgCluster): void {
  if (c.nodes.some(upgrading)) throw new Raise("[GAUSS-51632] : Failed to do check upgrade binary file, please ensure upgrade is finished and upgrade files has been cleaned.");
}

function parseConf(n: OgNode): DrConf {
  say("Parse cluster conf from file.");
  const conf = readConfRecord(n);
  if (!conf) throw new Raise("[GAUSS-51632] : Failed to do check cluster conf, cluster_conf_record is lost.");
  say("Successfully parse cluster conf from file.");
  return conf;
}

export function disasterType(n: OgNode): string {
  return configured(n, "ss_disaster_mode") ?? "dorado";
}

/** Promotes the main standby (dorado_failover_single_inst's steps 1-3 and the wait). */
async function promoteMain(ctx: Ctx, action: StepAction, progress: "failover" | "switchover", from: number): Promise<void> {
  const { cluster: c, node, type } = ctx;
  const main = mainDn(c);
  if (from < 1) {
    if (type === "dorado") prompt(MSG.promote);
    writeStep(node, action, "1_set_remote_replication_pairs_for_failover");
  }
  if (from < 2) {
    writeProgress(c, progress, "30%");
    setDoubleClusterMode(c, 1);
    say("Start reload cm_agent and cm_server param.");
    say("Successfully reload cm guc param on all nodes.");
    setDssRunMode(c, "cluster_primary");
    writeStep(node, action, "2_set_cluster_guc_for_failover_done");
  }
  if (from < 3) {
    writeProgress(c, progress, "80%");
    say("Start failover main standby datanode in disaster standby cluster.");
    const promoted = await waitFor(() => inRecovery(c, main.address) === false || promoteDn(main).ok, ctx.timeoutS, 1000);
    if (!promoted) throw new Raise(`failover of the main standby on node [${main.host}] did not finish in ${ctx.timeoutS}s`);
    say(`Successfully Failover main standby in disaster standby cluster on node [${main.host}] `);
    writeStep(node, action, "3_start_cluster_done");
  }
  say("Waiting cluster normal.");
  if (await waitFor(() => clusterStatus(c).state === "Normal", 30)) say("Successfully started datanode instances.");
  else say(`Timeout. Failed to start the cluster in (30)s.\nCurrent cluster status (${clusterStatus(c).state}).\nIt will continue to start in the background.`);
}

export async function switchover(ctx: Ctx): Promise<number> {
  const { cluster: c, node } = ctx;
  const mode = ctx.opts.mode!;
  say("Start dorado disaster switchover.");
  const role = roleOf(node);
  if (role === mode || role === "single") {
    say("Switchover operation for SS dual_cluster should be: \nprimary --demote--> disaster_standby & disaster_standby --promote--> primary, \nplease check your switchover cmd & make sure your cmd correct.");
    return 0;
  }
  const conf = parseConf(node);
  checkUpgrade(c);
  say(`Successfully get the para disaster_type: ${ctx.type}.`);
  say(`And now, on the ${mode} cluster exectue the command:`);
  say(`gs_ddr -t switchover -m ${role}`);
  const action: StepAction = mode === "primary" ? "switchover_primary" : "switchover_standby";
  checkActionAndMode(node, action);
  writeStat(c, "cluster", "switchover");
  const step = stepOf(node, action);
  say("Got the step for action:[switchover].");
  if (mode === "disaster_standby") await demote(ctx, conf, action, step);
  else await promote(ctx, conf, action, step);
  removeStep(node, action);
  writeStat(c, "switchover", "");
  say("Successfully removed step file.");
  say("Successfully do dorado disaster recovery switchover.");
  return 0;
}

async function demote(ctx: Ctx, conf: DrConf, action: StepAction, step: number): Promise<void> {
  const { cluster: c, node, type } = ctx;
  const main = mainDn(c);
  if (step < 1) {
    say("Waiting for cluster and all instances normal.");
    checkNormal(c);
    writeProgress(c, "switchover", "10%");
    say("Stopping the cluster.");
    const r = stopCluster(c);
    if (!r.ok) throw new Raise(`[GAUSS-51610] : Failed to stop the cluster Error:\n${r.err}..`);
    say("Successfully stopped the cluster.");
    writeStep(node, action, "1_dorado_disaster_stop_cluster_for_switchover");
    say("Successfully do_first_stage_for_switchover.");
  }
  if (step < 2) {
    writeProgress(c, "switchover", "30%");
    if (type === "dorado") prompt(MSG.demote);
    writeStep(node, action, "2_set_remote_replication_pairs_for_switchover");
  }
  if (step < 3) {
    setDoubleClusterMode(c, 2);
    if (type === "dorado") setDssRunMode(c, "cluster_standby");
    // The main DN follows the other cluster's main DN, which is being promoted.
    const upstream = remoteDns(c, conf)[0];
    stopDn(main);
    makeStandby(main, upstream, `dn_standby_${main.instanceId}`);
    writeStep(node, action, "3_set_cluster_guc_done");
  }
  if (step < 4) {
    writeProgress(c, "switchover", "50%");
    await startClusterAndWait(c, 300);
    writeStep(node, action, "4_start_cluster_done");
  }
  if (!(await waitFor(() => clusterStatus(c).state === "Normal", ctx.timeoutS))) {
    const s = clusterStatus(c);
    throw new Raise(`[GAUSS-52800] : Cluster is ${s.state}(${s.dns.map((d) => `${d.node.host}:${d.role}`).join(", ")}) now.`);
  }
  say("The cluster status is Normal.");
  const following = () => {
    const r = sql(c, main.address, "select status from pg_stat_wal_receiver");
    return r.ok && r.out === "streaming" && remotePrimary(c, conf) !== undefined;
  };
  if (!(await waitFor(following, ctx.timeoutS, 1000))) throw new Raise("[GAUSS-51602] : The cluster status is Abnormal.");
  writeStat(c, "cluster", "recovery");
}

async function promote(ctx: Ctx, conf: DrConf, action: StepAction, step: number): Promise<void> {
  const { cluster: c, node } = ctx;
  if (step < 1) {
    say("Waiting for cluster and all instances normal.");
    if (!(await waitFor(() => clusterStatus(c).state === "Normal", 600))) {
      throw new Raise("[GAUSS-51632] : Failed to do check cluster and instances status with timeout: 600s");
    }
    // The lab's stand-in for the two sides' hand-shake: promote only once the old primary stopped serving.
    if (!(await waitFor(() => remotePrimaryGone(c, conf), ctx.timeoutS, 500))) {
      throw new Raise(`[GAUSS-51632] : Failed to do switchover.Error:the primary cluster still serves after ${ctx.timeoutS}s: run gs_ddr -t switchover -m disaster_standby there first.`);
    }
    writeProgress(c, "switchover", "10%");
    say("Successfully do_first_stage_for_switchover.");
  }
  await promoteMain(ctx, action, "switchover", step);
  await waitMainStandbyConnection(ctx);
  writeProgress(c, "switchover", "100%");
  writeStat(c, "cluster", "archive");
}

export async function failover(ctx: Ctx): Promise<number> {
  const { cluster: c, node } = ctx;
  say("Start dorado disaster recovery failover.");
  checkActionAndMode(node, "failover");
  const step = stepOf(node, "failover");
  say("Got the step for action:[failover].");
  if (roleOf(node) === "single" && step < 3) {
    throw new Raise("[GAUSS-51632] : Failed to do dorado disaster cluster failover, Because the primary cluster does not support failover.");
  }
  checkNormal(c, true);
  say("Successfully check cluster status is: Normal.");
  checkUpgrade(c);
  parseConf(node);
  if (roleOf(node) !== "disaster_standby" && step < 3) {
    say("Failover operation for SS dual_cluster only support disaster_standby cluster.");
    return 0;
  }
  say(`Successfully get the para disaster_type: ${ctx.type}.`);
  writeStat(c, "cluster", "promote");
  if (step < 0) {
    writeProgress(c, "failover", "10%");
    writeStep(node, "failover", "0_dorado_disaster_stop_cluster_for_failover");
    say("Successfully do_first_stage_for_switchover.");
  }
  try {
    await promoteMain(ctx, "failover", "failover", Math.max(step, 0));
  } catch (e) {
    writeStat(c, "cluster", "promote_fail");
    throw e instanceof Raise ? new Raise(`[GAUSS-51632] : Failed to do centralize failover.Error:${e.message}`) : e;
  }
  writeProgress(c, "failover", "100%");
  writeStat(c, "cluster", "normal");
  removeStep(node, "failover");
  say("Successfully removed step file.");
  removeCabin(c);
  say("Finished remove streaming dir.");
  say("Successfully do dorado disaster recovery failover.");
  return 0;
}

export async function stop(ctx: Ctx, conf: DrConf): Promise<number> {
  const { cluster: c, node } = ctx;
  say("Start remove dorado disaster recovery relationship.");
  const step = stepOf(node, "stop");
  say("Got the step for action:[stop].");
  if (step < 2) {
    checkActionAndMode(node, "stop");
    checkNormal(c);
    say("Successfully check cluster status is: Normal.");
    if (clusterStatus(c).dns.some((d) => d.role === "Main Standby")) {
      throw new LogExit("[GAUSS-51632] : Failed to do check cluster type, standby cluster is not supported for stop.");
    }
    say("Check cluster type succeed.");
    checkUpgrade(c);
    writeStep(node, "stop", "2_check_cluster_step");
  }
  const record = readConfRecord(node) ?? conf;
  if (step < 3) {
    say("Starting remove all node dn instances repl infos.");
    const remote = record.remoteClusterConf.shards.flat();
    for (const n of c.nodes) remote.forEach((_, i) => setGuc(n, `cross_cluster_replconninfo${i + 1}`, undefined));
    for (const n of c.nodes) reloadDn(n);
    say("Successfully remove all node dn instances repl infos.");
    say("Start remove pg_hba config.");
    for (const n of c.nodes) for (const r of remote) setHba(n, `host all all ${r.dataIp}/32`);
    for (const n of c.nodes) reloadDn(n);
    say("Finished remove pg_hba config.");
    say("Start remove cluster file.");
    say("Finished remove cluster file.");
    writeStep(node, "stop", "3_remove_config_step");
  }
  checkNormal(c);
  say("Successfully check cluster status is: Normal.");
  writeStat(c, "cluster", "normal");
  removeCabin(c);
  say("Finished remove streaming dir.");
  say("Successfully do dorado disaster recovery stop.");
  return 0;
}

export function query(ctx: Ctx): number {
  const { cluster: c, node } = ctx;
  say("Start dorado disaster query.");
  const status = clusterStatus(c);
  checkUpgrade(c);
  let stat = readStat(node, "cluster") ?? "normal";
  say("Start check archive.");
  if (stat === "archive" || stat === "archive_fail") {
    const p = status.dns.find((d) => d.role === "Primary");
    const bad = !["Normal", "Degraded"].includes(status.state) || status.dns.some((d) => d.role === "Main Standby") || !p;
    if (bad) stat = "archive_fail";
    else {
      const r = sql(c, p.node.address, "select count(*) from pg_stat_replication");
      stat = r.ok && Number(r.out) > 0 ? "archive" : "archive_fail";
    }
  }
  say("Start check recovery.");
  if (stat === "recovery" || stat === "recovery_fail") {
    const bad = !["Normal", "Degraded"].includes(status.state) || status.dns.some((d) => d.role === "Primary") || !status.dns.some((d) => d.role === "Main Standby");
    stat = bad ? "recovery_fail" : "recovery";
  }
  const progress = (which: "failover" | "switchover") => {
    const shown = which === "failover" ? stat === "promote" : stat === "switchover";
    return shown ? (readStat(node, which) ?? "0%") : "";
  };
  say("Successfully executed dorado disaster recovery query, result:");
  say(`{'ddr_cluster_stat': '${stat}', 'ddr_failover_stat': '${progress("failover")}', 'ddr_switchover_stat': '${progress("switchover")}'}`);
  return 0;
}
