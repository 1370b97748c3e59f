/**
 * `lab oceanbase binary --dir DIR --host H --version V`: which OBServer build a host has at
 * `<obHome>/bin/observer` (what `observer -V` reports and what the server runs as), so that a
 * standby on hosts of another build than its primary can be tried.
 */
import * as fs from "fs";
import * as path from "path";
import { findHost, readLabJson } from "../../../hosts/lab-json";
import { wrapperScript } from "../../../hosts/tool-wrappers";
import { OB_VERSIONS, type ObVersion } from "../state";

export function setObserverBuild(o: { dir: string; host: string; version: string }): { host: string; binary: string; version: string } {
  if (!OB_VERSIONS.includes(o.version as ObVersion)) throw new Error(`--version must be one of ${OB_VERSIONS.join(", ")}, got ${o.version}`);
  const h = findHost(readLabJson(path.resolve(o.dir)), o.host);
  const binary = path.join(h.obHome, "bin", "observer");
  const lines = wrapperScript("ob", "observer").split("\n");
  // The build's version, exported just before the stand-in starts.
  lines.splice(lines.length - 2, 0, `export LAB_OB_VERSION=${o.version}`);
  fs.writeFileSync(binary, lines.join("\n"), { mode: 0o755 });
  return { host: h.name, binary, version: o.version };
}
