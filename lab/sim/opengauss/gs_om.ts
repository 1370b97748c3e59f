/** gs_om: `-t status [--detail] [--all]`, `-V`. */
import { clusterStatus, formatCmQuery, formatCmQueryVerbose } from "./status";
import { here, runTool, ToolExit } from "./tool";

function main(argv: string[]): number {
  const { cluster } = here("gs_om");
  if (argv.includes("-V") || argv.includes("--version")) {
    process.stdout.write(`gs_om (openGauss OM ${cluster.version} build 0a1b2c3d) compiled at 2024-09-30 00:00:00 commit 0 last mr lab\n`);
    return 0;
  }
  const t = argv[argv.indexOf("-t") + 1];
  if (argv.indexOf("-t") < 0 || t !== "status") throw new ToolExit(1, "[GAUSS-50004] : The parameter '-t' value is incorrect.\n");
  if (argv.includes("--all")) {
    process.stdout.write(formatCmQueryVerbose(cluster) + "\n");
  } else if (argv.includes("--detail")) {
    process.stdout.write(formatCmQuery(cluster, "Cvidp").replace(/ \| /g, "\n") + "\n");
  } else {
    const { state } = clusterStatus(cluster);
    process.stdout.write(`${"-".repeat(71)}\n\ncluster_state   : ${state}\nredistributing  : No\n\n${"-".repeat(71)}\n`);
  }
  return 0;
}

runTool("gs_om", main, () => {
  process.stdout.write("[GAUSS-51600] : Failed to obtain the cluster status.\n");
  return 1;
});
