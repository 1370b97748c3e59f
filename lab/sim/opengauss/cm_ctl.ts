/** cm_ctl: `query [-Cvidp...]`, `start`, `stop`, `set --param --agent|--server -k K=V`, `reload --param`, `view`. */
import * as path from "path";
import { paths } from "./cluster";
import { startCluster, stopCluster, waitClusterState } from "./ops";
import { formatCmQuery, formatCmQueryVerbose, setCmParam } from "./status";
import { here, runTool, ToolExit } from "./tool";

async function main(argv: string[]): Promise<number> {
  const { cluster, node } = here("cm_ctl");
  const [command, ...rest] = argv;
  switch (command) {
    case "query": {
      const flags = rest.filter((a) => a.startsWith("-")).map((a) => a.slice(1)).join("");
      const onlyVerbose = flags.replace(/[^Cvidpsw]/g, "") === "v";
      process.stdout.write((onlyVerbose ? formatCmQueryVerbose(cluster) : formatCmQuery(cluster, flags)) + "\n");
      return 0;
    }
    case "start": {
      process.stdout.write("cm_ctl: checking cluster status.\ncm_ctl: start cluster.\n");
      const r = startCluster(cluster);
      if (!r.ok || !(await waitClusterState(cluster, ["Normal", "Degraded"], 60))) {
        process.stdout.write(`cm_ctl: start cluster failed in (60)s!\n${r.err}\n`);
        return 1;
      }
      process.stdout.write("cm_ctl: start cluster successfully.\n");
      return 0;
    }
    case "stop": {
      process.stdout.write("cm_ctl: stop cluster.\n");
      const r = stopCluster(cluster);
      if (!r.ok) {
        process.stdout.write(`cm_ctl: stop cluster failed.\n${r.err}\n`);
        return 1;
      }
      process.stdout.write("cm_ctl: stop cluster successfully.\n");
      return 0;
    }
    case "set": {
      const which = rest.includes("--server") ? "server" : "agent";
      const k = rest[rest.indexOf("-k") + 1];
      const m = k ? /^([a-z_]+)=(.*)$/.exec(k) : null;
      if (!rest.includes("--param") || !m) throw new ToolExit(1, "cm_ctl: set --param --agent|--server -k \"name=value\"\n");
      setCmParam(cluster, which, m[1], m[2]);
      process.stdout.write(`cm_ctl: set ${which} param successfully.\n`);
      return 0;
    }
    case "reload":
      process.stdout.write("cm_ctl: reload param successfully.\n");
      return 0;
    case "view":
      process.stdout.write(`node_name: ${node.host}\ncmDataPath: ${path.join(node.ogHome, "cm")}\ncm_agent conf: ${paths.cmAgentConf(node)}\n`);
      return 0;
    default:
      throw new ToolExit(1, `cm_ctl: unrecognized command ${command ?? ""}\nTry "cm_ctl --help" for more information.\n`);
  }
}

runTool("cm_ctl", main, () => {
  process.stdout.write("cm_ctl: can't connect to cm_server.\nMaybe cm_server is not running, or timeout expired. Please try again.\n");
  return 1;
});
