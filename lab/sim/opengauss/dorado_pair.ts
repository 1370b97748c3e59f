/**
 * `dorado_pair STEP`: the lab's stand-in for the storage array's remote replication pair, which
 * an operator handles in DeviceManager at each of dorado mode's `Ready to move on (yes/no)?`
 * stops (start: sync with secondary protection on; demote/promote: swap primary and secondary;
 * failover: split, secondary protection off). It records the pair's state per step in the lab
 * directory (`dorado-pair.json`) and prints it. Not an openGauss tool.
 */
import * as fs from "fs";
import * as path from "path";
import { hostEnv } from "../common/env";
import { runTool, ToolExit } from "./tool";

const STATES: Record<string, { localRole: string; syncState: string; secondaryProtection: string }> = {
  start: { localRole: "Primary", syncState: "Normal", secondaryProtection: "Read-only" },
  demote: { localRole: "Secondary", syncState: "Normal", secondaryProtection: "Read-only" },
  promote: { localRole: "Primary", syncState: "Normal", secondaryProtection: "Read-only" },
  failover: { localRole: "Primary", syncState: "Split", secondaryProtection: "Read/Write" },
};

function main(argv: string[]): number {
  const [step] = argv;
  const state = STATES[step ?? ""];
  if (!state) throw new ToolExit(2, `usage: dorado_pair start|demote|promote|failover\n`);
  const file = path.join(hostEnv().labDir, "dorado-pair.json");
  const history = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as unknown[]) : [];
  const entry = { time: new Date().toISOString(), host: hostEnv().host, step, ...state };
  history.push(entry);
  fs.writeFileSync(file, JSON.stringify(history, null, 2) + "\n");
  process.stdout.write(`Remote Replication Pair: Local Resource Role ${state.localRole}, pair ${state.syncState}, secondary resource protection ${state.secondaryProtection}\n`);
  return 0;
}

runTool("dorado_pair", main, () => {
  process.stderr.write("dorado_pair: the storage array did not answer (lab fault)\n");
  return 1;
});
