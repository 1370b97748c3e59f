/**
 * The DM tools' view of the lab host (lab/README.md contracts), on top of lab/sim/common: the
 * host's address, injected failures, and the `dm` family's pid files.
 */
import * as common from "../common";

export function hostAddr(): string {
  return common.hostEnv().address;
}

/** `input`: what the run was given (disql's script), for failures keyed on a statement (`--when`). */
export function takeInjectedFailure(tool: string, input?: string): boolean {
  return common.takeInjectedFailure(tool, undefined, input);
}

export function writePidFile(instance: string): void {
  common.writePidFile("dm", instance);
}

export function removePidFile(instance: string): void {
  common.removePidFile("dm", instance);
}

export function processAlive(pid: number | undefined): boolean {
  return pid !== undefined && pid > 0 && common.isAlive(pid);
}

/** DMAP has one pid file per host (dmap.ts). */
const DMAP = "DMAP";

export function writeDmapPidFile(): void {
  common.writePidFile("dmap", DMAP);
}

export function removeDmapPidFile(): void {
  common.removePidFile("dmap", DMAP);
}

/** The pid of the host's running DMAP, if one runs. */
export function dmapRunning(): number | undefined {
  return common.runningPid("dmap", DMAP);
}
