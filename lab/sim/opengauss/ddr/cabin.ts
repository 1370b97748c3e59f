/**
 * `$PGHOST/ddr_cabin/`: step files (only on the node that ran the command, 0600, one line
 * `<N>_<name>[, type: <T>]`), state files (plain text, copied to every node that answers) and
 * the DR configuration record (`cluster_conf_record`, JSON, on every node).
 */
import * as fs from "fs";
import * as path from "path";
import { OgCluster, OgNode, paths } from "../cluster";
import type { DrConf } from "./options";

export type StepAction = "start_primary" | "start_standby" | "stop" | "switchover_primary" | "switchover_standby" | "failover";

const stepFile = (n: OgNode, action: StepAction) => path.join(paths.cabin(n), `.ddr_${action}.step`);

function nodeUp(n: OgNode): boolean {
  return !fs.existsSync(path.join(n.hostDir, "faults", "down"));
}

export function ensureCabin(c: OgCluster): void {
  for (const n of c.nodes) if (nodeUp(n)) fs.mkdirSync(paths.cabin(n), { recursive: true });
}

export function readStep(n: OgNode, action: StepAction): { step: number; type?: string } {
  try {
    const line = fs.readFileSync(stepFile(n, action), "utf8").trim();
    return { step: Number.parseInt(line.split("_")[0], 10), type: /type: (\w+)/.exec(line)?.[1] };
  } catch {
    return { step: -1 };
  }
}

export function writeStep(n: OgNode, action: StepAction, text: string): void {
  fs.mkdirSync(paths.cabin(n), { recursive: true });
  fs.writeFileSync(stepFile(n, action), text, { mode: 0o600 });
}

export function removeStep(n: OgNode, action: StepAction): void {
  fs.rmSync(stepFile(n, action), { force: true });
}

export function removeStartSteps(n: OgNode): void {
  removeStep(n, "start_primary");
  removeStep(n, "start_standby");
}

/** Step files present on this node (`.ddr_x.step`). */
export function stepFiles(n: OgNode): string[] {
  try {
    return fs.readdirSync(paths.cabin(n)).filter((f) => /^\.ddr_.*\.step$/.test(f) && f !== ".ddr_query.step").sort();
  } catch {
    return [];
  }
}

export type StatName = "cluster" | "failover" | "switchover";

export function writeStat(c: OgCluster, which: StatName, value: string): void {
  for (const n of c.nodes) {
    if (!nodeUp(n)) continue;
    fs.mkdirSync(paths.cabin(n), { recursive: true });
    fs.writeFileSync(path.join(paths.cabin(n), `.ddr_${which}_stat`), value);
  }
}

export function readStat(n: OgNode, which: StatName): string | undefined {
  try {
    return fs.readFileSync(path.join(paths.cabin(n), `.ddr_${which}_stat`), "utf8");
  } catch {
    return undefined;
  }
}

export function writeConfRecord(c: OgCluster, conf: DrConf): void {
  const text = JSON.stringify({ remoteClusterConf: conf.remoteClusterConf, localClusterConf: conf.localClusterConf });
  for (const n of c.nodes) {
    if (!nodeUp(n)) continue;
    fs.mkdirSync(paths.cabin(n), { recursive: true });
    fs.writeFileSync(path.join(paths.cabin(n), "cluster_conf_record"), text);
  }
}

export function readConfRecord(n: OgNode): DrConf | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(paths.cabin(n), "cluster_conf_record"), "utf8")) as DrConf;
  } catch {
    return undefined;
  }
}

/** stop and failover remove the whole directory on every node. */
export function removeCabin(c: OgCluster): void {
  for (const n of c.nodes) if (nodeUp(n)) fs.rmSync(paths.cabin(n), { recursive: true, force: true });
}

/** A non-empty `$PGHOST/binary_upgrade`: an upgrade is in progress. */
export function upgrading(n: OgNode): boolean {
  try {
    return fs.readdirSync(path.join(paths.pghost(n), "binary_upgrade")).length > 0;
  } catch {
    return false;
  }
}

/**
 * gs_ddr's lock (ddr_base.py): `$PGHOST/ddr_lock_<trace id>` on the local node for start, stop,
 * switchover and failover; another run's lock on any node that answers refuses this one. A run
 * that ends removes its lock; one killed (kill -9, a power loss) leaves it behind, and the next
 * run is refused until someone removes it. (The source waits 3 s before looking; the lab looks
 * at once, since its runs cannot overlap that closely by accident.)
 */
export function takeLock(c: OgCluster, n: OgNode, traceId: string): { file: string; other?: { file: string; host: string } } {
  const file = path.join(paths.pghost(n), `ddr_lock_${traceId}`);
  fs.writeFileSync(file, "", { mode: 0o600 });
  for (const x of c.nodes) {
    if (!nodeUp(x)) continue;
    let names: string[] = [];
    try {
      names = fs.readdirSync(paths.pghost(x)).filter((f) => f.startsWith("ddr_lock_"));
    } catch { /* no PGHOST there */ }
    const found = names.map((f) => path.join(paths.pghost(x), f)).find((f) => f !== file);
    if (found) return { file, other: { file: found, host: x.host } };
  }
  return { file };
}
