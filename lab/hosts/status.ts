import { listPidFiles, PidFileEntry } from "../sim/common/pidfile";
import { callControl } from "./control";
import { HostStatus } from "./host-runtime";
import { readLabJson } from "./lab-json";

export interface HostReport extends Omit<HostStatus, "state"> {
  readonly state: HostStatus["state"] | "stopped";
  readonly processes: Omit<PidFileEntry, "file">[];
}

/** Each host as the daemon sees it, and each database process (pid file) on it. */
export async function labStatus(dir: string): Promise<{ running: boolean; hosts: HostReport[] }> {
  const lab = readLabJson(dir);
  let live: HostStatus[] | undefined;
  try {
    live = (await callControl(dir, { op: "status" })) as HostStatus[];
  } catch {
    live = undefined; // the lab is down: every host is reported stopped
  }
  const hosts = lab.hosts.map((h): HostReport => {
    const s = live?.find((x) => x.name === h.name);
    return {
      name: h.name,
      address: h.address,
      port: h.port,
      state: s?.state ?? "stopped",
      latencyMs: s?.latencyMs ?? 0,
      answerMs: s?.answerMs ?? null,
      processes: listPidFiles(h.hostDir).map(({ family, instance, pid, alive }) => ({ family, instance, pid, alive })),
    };
  });
  return { running: live !== undefined, hosts };
}

export function formatStatus(report: { running: boolean; hosts: HostReport[] }): string {
  const lines: string[] = [];
  if (!report.running) lines.push("lab daemon: not running");
  for (const h of report.hosts) {
    const answer = h.answerMs === null ? "no answer" : `answers in ${h.answerMs} ms`;
    lines.push(`${h.name}  ${h.address}:${h.port}  ${h.state}  ${answer}  injected latency ${h.latencyMs} ms`);
    for (const p of h.processes) lines.push(`  ${p.family}/${p.instance}  pid ${p.pid}  ${p.alive ? "alive" : "dead"}`);
  }
  return lines.join("\n");
}
