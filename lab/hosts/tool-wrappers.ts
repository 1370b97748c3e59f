import * as fs from "fs";
import * as path from "path";

/** The simulated tools of each family, as the real products name them. */
export const TOOLS = {
  dm: ["dminit", "dmserver", "disql", "dmrman", "dmap"],
  og: ["gs_ddr", "gs_om", "cm_ctl", "gs_ctl", "gs_guc", "gsql", "dorado_pair", "pgrep"],
  ob: ["obclient", "observer"],
} as const;

export type ToolFamily = keyof typeof TOOLS;

/** The simulator directory under lab/sim/ of each family. */
const SIM_DIR: Record<ToolFamily, string> = { dm: "dm", og: "opengauss", ob: "oceanbase" };

/** dist/ of this checkout: wrappers run the compiled simulators from there. */
export const DIST_ROOT = path.resolve(__dirname, "..", "..");

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Where a tool's compiled simulator lives. */
export function simulatorPath(family: ToolFamily, tool: string, distRoot = DIST_ROOT): string {
  return path.join(distRoot, "lab", "sim", SIM_DIR[family], `${tool}.js`);
}

/**
 * `obclient` is not simulated: OceanBase's client is built on MariaDB's, so the hosts run
 * Debian's `mariadb` client under that name (its flags and output are the real client's).
 */
export function obclientScript(): string {
  return [
    "#!/bin/bash",
    // `lab fault --host H fail obclient [N [AFTER]]`: after AFTER runs that go through, the next N
    // fail as a client that cannot reach the server (the counter's format: faults.ts). Runs at
    // once (a wait's poll beside a step) each take their own turn: the read-decrement-write is
    // under takeInjectedFailure's lock, `<counter>.lock` created exclusively (noclobber), a stale
    // one (over 5 s old) removed.
    `f="\${LAB_HOST_DIR:-/nonexistent}/faults/fail/obclient"`,
    `if [ -f "$f" ]; then`,
    `  l="$f.lock"; tries=0; fail=0`,
    `  until ( set -o noclobber; : > "$l" ) 2>/dev/null; do`,
    `    m=$(stat -c %Y "$l" 2>/dev/null) && [ $(( $(/bin/date +%s) - m )) -gt 5 ] && rm -f "$l"`,
    `    tries=$((tries + 1)); if [ $tries -gt 1000 ]; then echo "obclient: cannot lock $l" >&2; exit 1; fi; sleep 0.01`,
    `  done`,
    `  if read -r n a < "$f" 2>/dev/null && [ "\${n:-0}" -gt 0 ] 2>/dev/null; then`,
    `    if [ "\${a:-0}" -gt 0 ] 2>/dev/null; then echo "$n $((a - 1))" > "$f"`,
    `    else if [ "$n" -le 1 ]; then rm -f "$f"; else echo $((n - 1)) > "$f"; fi; fail=1; fi`,
    `  fi`,
    `  rm -f "$l"`,
    `  if [ $fail = 1 ]; then echo "ERROR 2002 (HY000): Can't connect to server on '127.0.0.1' (115)" >&2; exit 1; fi`,
    `fi`,
    `for c in mariadb mysql; do if command -v "$c" >/dev/null 2>&1; then exec -a obclient "$c" "$@"; fi; done`,
    `echo 'obclient: command not found (install mariadb-client)' >&2; exit 127`,
    "",
  ].join("\n");
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
    const script = family === "ob" && tool === "obclient" ? obclientScript() : wrapperScript(family, tool, distRoot);
    fs.writeFileSync(path.join(binDir, tool), script, { mode: 0o755 });
  }
}
