/**
 * gs_guc `set|reload|check [-Z datanode] [-N all|HOST] [-I all] [-D DIR] -c "name=value"...
 * [-h "host DB USER ADDR [METHOD]"]`. `set` writes the files, `reload` also signals the DNs,
 * `check` prints each DN's value. An `-h` entry without a method removes it.
 */
import * as path from "path";
import type { OgNode } from "./cluster";
import { reloadDn } from "./dn";
import { effective, setGuc, setHba } from "./guc";
import { here, runTool, ToolExit } from "./tool";

function main(argv: string[]): number {
  const { cluster, node } = here("gs_guc");
  const [mode, ...rest] = argv;
  if (!["set", "reload", "check"].includes(mode ?? "")) throw new ToolExit(1, `ERROR: The mode "${mode ?? ""}" is incorrect. It should be set, reload or check.\n`);
  let targets: OgNode[] = [node];
  const params: string[] = [];
  const hba: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const v = rest[i + 1];
    if (a === "-N") {
      targets = v === "all" ? cluster.nodes : cluster.nodes.filter((n) => n.host === v);
      if (targets.length === 0) throw new ToolExit(1, `ERROR: The node name "${v}" is incorrect.\n`);
      i++;
    } else if (a === "-D") {
      const t = cluster.nodes.find((n) => path.resolve(n.dataDir) === path.resolve(v ?? ""));
      if (!t) throw new ToolExit(1, `ERROR: The data directory "${v}" is incorrect.\n`);
      targets = [t];
      i++;
    } else if (a === "-c") {
      params.push(v ?? "");
      i++;
    } else if (a === "-h") {
      hba.push(v ?? "");
      i++;
    } else if (a === "-Z" || a === "-I") {
      i++;
    } else {
      throw new ToolExit(1, `ERROR: The option "${a}" is incorrect.\n`);
    }
  }
  const out: string[] = [];
  if (mode === "check") {
    for (const p of params) {
      const name = p.split("=")[0].trim();
      for (const t of targets) {
        out.push(`expected guc information: ${t.host}: ${name}=NULL: [${path.join(t.dataDir, "postgresql.conf")}]`);
        out.push(`gs_guc check: ${t.host}: ${name}=${effective(cluster, t, name)}: [${path.join(t.dataDir, "postgresql.conf")}]`);
      }
    }
    out.push("", `Total GUC values: ${params.length * targets.length}. Failed GUC values: 0.`);
    process.stdout.write(out.join("\n") + "\n");
    return 0;
  }
  for (const p of params) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*(.*?)\s*)?$/.exec(p);
    if (!m) throw new ToolExit(1, `ERROR: The parameter "${p}" is incorrect.\n`);
    for (const t of targets) setGuc(t, m[1], m[2]);
  }
  for (const h of hba) for (const t of targets) setHba(t, h);
  if (mode === "reload") for (const t of targets) reloadDn(t);
  process.stdout.write(`Total instances: ${targets.length}. Failed instances: 0.\nSuccess to perform gs_guc!\n\n`);
  return 0;
}

runTool("gs_guc", main, () => {
  process.stdout.write("Failed instances: 1.\nFailed to perform gs_guc!\n");
  return 1;
});
