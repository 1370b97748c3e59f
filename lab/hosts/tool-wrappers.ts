import * as fs from "fs";
import * as path from "path";

/** The simulated tools of each family, as the real products name them. */
export const TOOLS = {
  dm: ["dminit", "dmserver", "disql", "dmrman"],
  og: ["gs_ddr", "gs_om", "cm_ctl", "gs_ctl", "gs_guc", "gsql", "dorado_pair", "pgrep"],
  ob: ["obclient", "observer"],
} as const;

export type ToolFamily = keyof typeof TOOLS;

/** The simulator directory under lab/sim/ of each family. */
const SIM_DIR: Record<ToolFamily, string> = { dm: "dm", og: "opengauss", ob: "ob" };

/** dist/ of this checkout: wrappers run the compiled simulators from there. */
export const DIST_ROOT = path.resolve(__dirname, "..", "..");

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Where a tool's compiled simulator lives. */
export function simulatorPath(family: ToolFamily, tool: string, distRoot = DIST_ROOT): string {
  return path.join(distRoot, "lab", "sim", SIM_DIR[family], `${tool}.js`);
}

/** The wrapper script of one tool. It reports "command not found" (127) while the simulator
 *  is not built yet, as a host without that product installed would. */
export function wrapperScript(family: ToolFamily, tool: string, distRoot = DIST_ROOT, node = process.execPath): string {
  const js = simulatorPath(family, tool, distRoot);
  return [
    "#!/bin/bash",
    `js=${shellQuote(js)}`,
    `if [ ! -f "$js" ]; then echo ${shellQuote(`${tool}: command not found`)} >&2; exit 127; fi`,
    // argv[0] is the tool's name, as for the real binary (ps and /proc/PID/cmdline show it).
    `exec -a ${shellQuote(tool)} ${shellQuote(node)} "$js" "$@"`,
    "",
  ].join("\n");
}

export function writeToolWrappers(binDir: string, family: ToolFamily, distRoot = DIST_ROOT): void {
  fs.mkdirSync(binDir, { recursive: true });
  for (const tool of TOOLS[family]) {
    fs.writeFileSync(path.join(binDir, tool), wrapperScript(family, tool, distRoot), { mode: 0o755 });
  }
}
