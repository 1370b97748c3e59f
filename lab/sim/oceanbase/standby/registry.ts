/**
 * The lab's record of every OBServer stand-in that runs, bootstrapped or not: what a real
 * RootService learns from its servers' heartbeats (address, ports, zone, build version). BOOTSTRAP
 * checks the servers it names against it, and a cluster is reachable while one of its servers is
 * alive.
 */
import * as fs from "fs";
import * as path from "path";
import { isAlive } from "../../common/pidfile";
import type { ClusterState } from "../state";

export interface ServerEntry {
  readonly host: string;
  readonly address: string;
  readonly sqlPort: number;
  readonly rpcPort: number;
  readonly cluster: string;
  readonly clusterId: number;
  readonly zone: string;
  readonly version: string;
  readonly pid: number;
  readonly dir: string;
  readonly startedAt: number;
}

const dirOf = (labDir: string) => path.join(labDir, "oceanbase", "servers");
const fileOf = (labDir: string, address: string, rpcPort: number) => path.join(dirOf(labDir), `${address}_${rpcPort}.json`);

export function registerServer(labDir: string, e: ServerEntry): void {
  fs.mkdirSync(dirOf(labDir), { recursive: true });
  const file = fileOf(labDir, e.address, e.rpcPort);
  fs.writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(e) + "\n");
  fs.renameSync(`${file}.${process.pid}.tmp`, file);
}

export function unregisterServer(labDir: string, address: string, rpcPort: number): void {
  const file = fileOf(labDir, address, rpcPort);
  try {
    if ((JSON.parse(fs.readFileSync(file, "utf8")) as ServerEntry).pid === process.pid) fs.rmSync(file);
  } catch { /* gone */ }
}

/** Every server that was started, with whether its process still lives. */
export function servers(labDir: string): (ServerEntry & { alive: boolean })[] {
  let names: string[];
  try {
    names = fs.readdirSync(dirOf(labDir)).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      const e = JSON.parse(fs.readFileSync(path.join(dirOf(labDir), n), "utf8")) as ServerEntry;
      return [{ ...e, alive: isAlive(e.pid) }];
    } catch {
      return [];
    }
  });
}

export function serverAt(labDir: string, address: string, rpcPort: number): (ServerEntry & { alive: boolean }) | undefined {
  return servers(labDir).find((e) => e.address === address && e.rpcPort === rpcPort);
}

/** A cluster answers while one of its servers runs. */
export function clusterAlive(labDir: string, s: Pick<ClusterState, "name" | "clusterId">): boolean {
  return servers(labDir).some((e) => e.alive && e.cluster === s.name && e.clusterId === s.clusterId);
}
