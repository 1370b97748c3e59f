/**
 * gs_ddr: openGauss's dual-cluster DR tool (resource-pooled clusters, dorado or stream), driving
 * the lab's real PostgreSQL DNs. Option handling and checks follow openGauss-OM's gs_ddr and
 * params_handler; output lines are the seed's (7.0.0-RC1). Exit statuses: parser errors 2,
 * refusals and failures 1 (a failure also prints a traceback on stderr), quirks 0.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import { takeInjectedFailure } from "../common/faults";
import { removeStartSteps, takeLock } from "./ddr/cabin";
import { Aborted, Raise, say, type Ctx } from "./ddr/context";
import { HELP, LogExit, ParseError, TASKS, checkConf, checkConfValues, checkPath, parseArgs, readConf } from "./ddr/options";
import { start } from "./ddr/start";
import { disasterType, failover, query, stop, switchover } from "./ddr/tasks";
import { here } from "./tool";
import { DEFAULT_VERSION } from "./cluster";

const USAGE = "Usage: gs_ddr [options]\n";

function traceback(message: string): string {
  return `Traceback (most recent call last):\n  File "/opt/openGauss/script/gs_ddr", line 88, in <module>\n    ddr.run()\n  File "/opt/openGauss/script/impl/dorado_disaster_recovery/ddr_base.py", line 1041, in run\n    raise Exception(msg)\nException: ${message}\n`;
}

async function main(argv: string[]): Promise<number> {
  const loginUser = process.env.USER ?? "";
  if (loginUser === "root") {
    process.stderr.write("[GAUSS-50105] : Cannot run this script as a user with the root permission.\n");
    return 1;
  }
  let o;
  try {
    o = parseArgs([...argv]);
  } catch (e) {
    if (e instanceof ParseError) {
      process.stderr.write(`${USAGE}\ngs_ddr: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (o.autoHelp) {
    process.stdout.write(`${USAGE}\nOptions:\n  -h, --help  show this help message and exit\n`);
    return 0;
  }
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const local = here("gs_ddr");
  if (o.version) {
    say(`gs_ddr (openGauss OM ${local.cluster.version ?? DEFAULT_VERSION} build 0a1b2c3d) compiled at 2024-09-30 00:00:00 commit 0 last mr lab`);
    return 0;
  }
  // An injected failure hits the next run that changes something; a query leaves it pending.
  const injected = o.task !== undefined && o.task !== "query" && takeInjectedFailure("gs_ddr");
  let lock: string | undefined;
  try {
    if (o.force) removeStartSteps(local.node);
    if (!o.task) throw new LogExit("[GAUSS-50001] : Incorrect parameter. Parameter '-t' is required.");
    if (!(TASKS as readonly string[]).includes(o.task)) throw new LogExit("[GAUSS-50004] : The parameter '-t' value is incorrect.");
    const task = o.task;
    let conf;
    if (task === "start" || task === "stop") {
      // The parser checks the XML's path only when it reads the XML (no --json).
      if (o.json === undefined && o.xml !== undefined) checkPath(o.xml, "xml path");
      conf = readConf(o);
      checkConf(conf);
    }
    const type = task === "start" ? o.disasterType : disasterType(local.node);
    say("-".repeat(80));
    const traceId = randomUUID().replace(/-/g, "");
    say(`Dorado disaster recovery ${task} ${traceId}`);
    say("-".repeat(80));
    if (!/^\d+$/.test(o.timeOut) || Number(o.timeOut) === 0) throw new LogExit("[GAUSS-50004] : The parameter '---time-out' value is incorrect.");
    if ((task === "start" || task === "switchover") && !["primary", "disaster_standby"].includes(o.mode ?? "")) {
      throw new LogExit(`[GAUSS-50011] : The parameter[-m] value[${o.mode ?? "None"}] is invalid.`);
    }
    if (task === "start" && !["dorado", "stream"].includes(o.disasterType)) throw new LogExit(`[GAUSS-50011] : The parameter[--disaster_type] value[${o.disasterType}] is invalid.`);
    if (task === "start" || task === "stop") {
      // check_xml_file gets the --json path when there is no -X (params_handler.get_valid_params).
      const file = (o.xml ?? o.json)!;
      checkPath(file, "xml file path");
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new LogExit(`[GAUSS-50201] : The ${file} does not exist.`);
      checkConfValues(conf!);
    }
    if (o.log !== undefined && !/^[^.]*\.log$/.test(o.log.split("/").pop() ?? "")) throw new LogExit(`[GAUSS-50212] : The suffix of the file [${o.log}] should be '.log'.`);
    const ctx: Ctx = { cluster: local.cluster, node: local.node, opts: o, timeoutS: Number(o.timeOut), type, injected };
    if (task !== "query") {
      const l = takeLock(local.cluster, local.node, traceId);
      lock = l.file;
      if (l.other) {
        const msg = `[GAUSS-51632] : Failed to do check dorado disaster recovery process, please execute after other process exited, if you ensure no other process is running, remove the lock file [${l.other.file}] on node [${l.other.host}], and try again.`;
        say(msg);
        throw new Raise(msg);
      }
    }
    if (injected && task !== "start") throw new Raise(`[GAUSS-51632] : Failed to do ${task}.Error:connection to node lost (lab fault: fail gs_ddr)`);
    switch (task) {
      case "start":
        await start(ctx, conf!);
        return 0;
      case "stop":
        return await stop(ctx, conf!);
      case "switchover":
        return await switchover(ctx);
      case "failover":
        return await failover(ctx);
      default:
        return query(ctx);
    }
  } catch (e) {
    if (e instanceof LogExit) {
      say(e.message);
      return 1;
    }
    if (e instanceof Aborted) {
      process.stderr.write(e.message + "\n");
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    say(message);
    process.stderr.write(traceback(message));
    return 1;
  } finally {
    if (lock) fs.rmSync(lock, { force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    fs.writeSync(2, traceback(e instanceof Error ? e.message : String(e)));
    process.exitCode = 1;
  },
);
