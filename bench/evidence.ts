/**
 * What the critical-path bound is computed from, read off the files a run leaves: the hosts'
 * command logs (lab.json names them) and the stack's state file (resource dependencies).
 */
import * as fs from "node:fs";
import type { LabJson } from "../lab/hosts/lab-json";
import type { CommandSpan, StateNode } from "./critical-path";

/** Every command the lab's hosts ran that overlaps [from, to], keyed by the SSH endpoint that reaches the host. */
export function commandSpans(lab: Pick<LabJson, "hosts">, from: number, to: number): CommandSpan[] {
  const spans: CommandSpan[] = [];
  for (const h of lab.hosts) {
    if (!fs.existsSync(h.commandLog)) continue;
    for (const line of fs.readFileSync(h.commandLog, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const e = JSON.parse(line) as { time?: string; command?: string; durationMs?: number };
      if (typeof e.command !== "string" || !e.time) continue;
      const start = Date.parse(e.time);
      const end = start + (e.durationMs ?? 0);
      if (end >= from && start <= to) spans.push({ endpoint: `${h.address}:${h.port}`, command: e.command, start, end });
    }
  }
  return spans;
}

/** The resources of a state file with everything each one waited for (dependsOn and property dependencies). */
export function stateNodes(stateFile: string): StateNode[] {
  const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as {
    resources: { urn: string; id?: string; dependencies?: string[]; propertyDependencies?: Record<string, string[]> }[];
  };
  return state.resources.map((r) => ({
    urn: r.urn,
    id: r.id,
    dependencies: [...new Set([...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()])],
  }));
}
