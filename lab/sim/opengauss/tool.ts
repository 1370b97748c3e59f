/** What every lab openGauss tool shares: its cluster, an injected failure, and how it exits. */
import { takeInjectedFailure } from "../common/faults";
import { localCluster, type OgCluster, type OgNode } from "./cluster";

export class ToolExit extends Error {
  constructor(
    readonly code: number,
    readonly stderr = "",
  ) {
    super(`exit ${code}`);
  }
}

/** This host's cluster, or the error a host without openGauss installed gives. */
export function here(tool: string): { cluster: OgCluster; node: OgNode } {
  const c = localCluster();
  if (!c) throw new ToolExit(127, `${tool}: this host has no openGauss cluster (create one with: npm run lab -- opengauss create)\n`);
  return c;
}

/** Runs a tool's main, mapping ToolExit to its status; `fail TOOL` faults fail with `failure` (a tool that fails part-way checks the fault itself). */
export function runTool(tool: string, main: (argv: string[]) => Promise<number> | number, failure?: () => number): void {
  if (failure && takeInjectedFailure(tool)) {
    process.exitCode = failure();
    return;
  }
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        if (e instanceof ToolExit) {
          if (e.stderr) process.stderr.write(e.stderr);
          process.exitCode = e.code;
        } else {
          process.stderr.write(`${tool}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
          process.exitCode = 1;
        }
      },
    );
}
