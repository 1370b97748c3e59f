/**
 * `gs_ddr -t start -m primary|disaster_standby` (openGauss-OM ddr_modules/..._start.py, with the
 * seed's 7.0.0-RC1 output lines). Each side waits for the other: the standby's build of its main
 * standby retries until the primary side has restarted with DR settings; the primary waits until
 * the main standby streams from it. Steps are recorded so that a rerun resumes.
 */
import * as fs from "fs";
import * as path from "path";
import { paths } from "../cluster";
import { dnRunning, rebuildDn, startDn, stopDn } from "../dn";
import { effective, hbaHas, setGuc, setHba } from "../guc";
import { stopCluster } from "../ops";
import { clusterStatus, doubleClusterMode, formatCmQueryVerbose } from "../status";
import { ensureCabin, readStep, removeStep, upgrading, writeConfRecord, writeStat, writeStep, type StepAction } from "./cabin";
import {
  MSG,
  Raise,
  checkActionAndMode,
  mainDn,
  prompt,
  remoteDns,
  say,
  setDoubleClusterMode,
  setDssRunMode,
  startClusterAndWait,
  waitFor,
  waitMainStandbyConnection,
  type Ctx,
} from "./context";
import { LogExit, type DrConf } from "./options";
import { nodeByAddress } from "../cluster";
import { hostEnv } from "../../common/env";

export async function start(ctx: Ctx, conf: DrConf): Promise<void> {
  const { cluster: c, node, type } = ctx;
  const primary = ctx.opts.mode === "primary";
  const action: StepAction = primary ? "start_primary" : "start_standby";
  const main = mainDn(c);
  say("Start create dorado storage disaster relationship.");
  say("param.stage = None.");
  const prior = readStep(node, action);
  if (prior.step >= 0 && prior.type && prior.type !== type) {
    throw new LogExit(
      `The parameter [--disaster_type] for this start is different from those of the previously unfinished start. \nCheck the parameter of your cmd, please ensure your cmd parameter [--disaster_type] is correctly input. \n Then, add the '-f' parameter to the start cmd for this time. \nFor example: \n gs_ddr -t start -m ${ctx.opts.mode} --disaster_type ${type} -X ${ctx.opts.xml ?? "None"} -f`,
    );
  }
  const step = prior.step;
  say(step >= 0 ? `Got the continue step:[${step}] for action:[start].` : "Got the step for action:[start].");
  const mark = (n: number, name: string) => writeStep(node, action, `${n}_${name}, type: ${type}`);

  if (step < 2) {
    ensureCabin(c);
    checkActionAndMode(node, action);
    fs.writeFileSync(path.join(paths.cabin(node), "cluster_state_tmp"), formatCmQueryVerbose(c));
    const status = clusterStatus(c);
    if (status.state !== "Normal") throw new Raise("[GAUSS-51632] : Failed to do check cluster status.");
    const mains = status.dns.filter((d) => d.role === "Main Standby").map((d) => d.node.instanceId);
    const cascades = status.dns.filter((d) => d.role === "Cascade Standby").map((d) => d.node.instanceId);
    if (mains.length + cascades.length > 0) {
      throw new LogExit(`[GAUSS-51632] : Failed to do check instance status, there are already main standby or cascade standby, main standby:[${mains.join(", ")}], cascade stadnby:[${cascades.join(", ")}].`);
    }
    const p = status.dns.find((d) => d.role === "Primary")!;
    const debug = effective(c, p.node, "ha_module_debug");
    if (debug !== "off") throw new Raise(`[GAUSS-51632] : Failed to do check [show ha_module_debug ;], Actual value: [${debug}], expect value: [off].`);
    if (c.nodes.some(upgrading)) throw new Raise("[GAUSS-51632] : Failed to do check upgrade binary file, please ensure upgrade is finished and upgrade files has been cleaned.");
    say("Successfully check cluster status is: Normal.");
    say("Successfully check instance status.");
    mark(2, "check_cluster_step");
  }
  writeConfRecord(c, conf);

  if (step < 3) {
    say("Start set ss_disaster_mode");
    for (const n of c.nodes) setGuc(n, "ss_disaster_mode", type);
    say("Start update pg_hba config.");
    const remote = conf.remoteClusterConf.shards.flat();
    for (const n of c.nodes) for (const r of remote) setHba(n, `host   all   all   ${r.dataIp}/32   trust`);
    for (const n of c.nodes) {
      remote.forEach((r, i) => {
        setGuc(n, `cross_cluster_replconninfo${i + 1}`, `'localhost=${n.address} localport=${c.port} remotehost=${r.dataIp} remoteport=${conf.remoteClusterConf.port} '`);
      });
    }
    say("Starting set application_name param");
    for (const n of c.nodes) setGuc(n, "application_name", `'${primary ? "dn_master" : "dn_standby"}_${n.instanceId}'`);
    say("Successfully set application_name param.");
    for (const n of c.nodes) setGuc(n, "ha_module_debug", "off");
    mark(3, "set_datanode_guc_step");
    if (ctx.injected) throw new Raise("[GAUSS-51632] : Failed to do set datanode guc.Error:\nconnection to node lost (lab fault: fail gs_ddr)");
  }

  if (step < 4) {
    say("Stopping the cluster.");
    const r = stopCluster(c);
    if (!r.ok) throw new Raise(`[GAUSS-51610] : Failed to stop the cluster Error:\n${r.err}..`);
    say("Successfully stopped the cluster.");
    mark(4, "stop_cluster_step");
  }

  if (primary && step < 5) {
    setDoubleClusterMode(c, 1);
    await startClusterAndWait(c, 300);
    mark(5, "start_primary_cluster_step");
  }
  if (primary || step < 6) say("Successfully set ss_double_cluster_mode");

  if (!primary && step < 6) {
    writeStat(c, "cluster", "restore");
    say("Start start dssserver in main standby node.");
    say(`Successfully Start dssserver on node [${main.host}] `);
    say("Start build main standby datanode in disaster standby cluster.");
    say("And now, on the primary cluster exectue the command:");
    say("gs_ddr -t start -m primary [-X /path/of/xml | --json /path/of/json] --disaster_type [dorado|stream]");
    const built = await waitFor(() => buildMainStandby(ctx, conf), ctx.timeoutS, 1000);
    if (!built) {
      writeStat(c, "cluster", "restore_fail");
      throw new Raise(`[GAUSS-51632] : Failed to do build dns.Error:build main standby on node [${main.host}] timed out after ${ctx.timeoutS}s: the primary cluster is not ready (run gs_ddr -t start -m primary there).`);
    }
    say(`Successfully build main standby in disaster standby cluster on node [${main.host}] `);
    say("Stop dssserver instance on main standby node.");
    say(`Successfully stop dssserver before start cluster on node [${main.host}] `);
    mark(6, "build_main_standby_step");
  }

  if (!primary && step < 7) {
    setDoubleClusterMode(c, 2);
    if (type === "dorado") setDssRunMode(c, "cluster_standby");
    mark(7, "set_cm_guc_step");
  }
  say("Successfully set cm_guc.");

  if (step < 8) {
    if (type === "dorado") prompt(primary ? MSG.startPrimary : MSG.startStandby);
    if (!primary) {
      await startClusterAndWait(c, ctx.timeoutS);
    } else {
      writeStat(c, "cluster", "full_backup");
      await waitMainStandbyConnection(ctx, {
        whileWaiting: () => {
          say("And now, on the standby cluster exectue the command:");
          say("gs_ddr -t start -m disaster_standby [-X /path/of/xml | --json /path/of/json] --disaster_type [dorado|stream]");
        },
        onTimeout: () => writeStat(c, "cluster", "backup_fail"),
      });
    }
    const normal = clusterStatus(c).state === "Normal";
    if (normal) say("Successfully check cluster status is: Normal.");
    writeStat(c, "cluster", primary ? "archive" : normal ? "recovery" : "recovery_fail");
    mark(8, "start_finish_step");
  }
  removeStep(node, action);
  say("Successfully removed step file.");
  say("Successfully do dorado disaster recovery start.");
}

/**
 * One try of `gs_ctl build -b cross_cluster_full` on the main standby: it works once the remote
 * primary runs with DR settings (restarted with ss_double_cluster_mode=1, our data IP trusted in
 * its pg_hba). Then the other DNs are rebuilt from the main standby, which they follow.
 */
function buildMainStandby(ctx: Ctx, conf: DrConf): boolean {
  const { cluster: c } = ctx;
  const main = mainDn(c);
  const labDir = hostEnv().labDir;
  const ready = remoteDns(c, conf).find((r) => {
    const remote = nodeByAddress(labDir, r.address);
    if (!remote || doubleClusterMode(remote.node) !== 1 || !hbaHas(remote.node, main.address)) return false;
    return dnRunning(remote.node) && clusterStatus(remote.cluster).dns.find((d) => d.node.address === r.address)?.role === "Primary";
  });
  if (!ready) return false;
  stopDn(main);
  const b = rebuildDn(main, ready, `dn_standby_${main.instanceId}`);
  if (!b.ok) return false;
  const s = startDn(c, main);
  if (!s.ok) return false;
  for (const n of c.nodes.slice(1)) {
    stopDn(n);
    const r = rebuildDn(n, { address: main.address, port: c.port, user: c.initialUser }, `dn_${n.instanceId}`);
    if (!r.ok) throw new Raise(`[GAUSS-51632] : Failed to do build dns.Error:${r.err}`);
  }
  return true;
}

