/**
 * What CM sees: each DN's role and state from the real server, the cluster's state from those,
 * and the listings `cm_ctl query` and `gs_om -t status` print.
 */
import * as fs from "fs";
import * as path from "path";
import { OgCluster, OgNode, paths } from "./cluster";
import { dnRunning, inRecovery } from "./dn";

export type DnRole = "Primary" | "Standby" | "Main Standby" | "Cascade Standby" | "Down";

export interface DnStatus {
  readonly node: OgNode;
  readonly role: DnRole;
  /** `Normal` for a running DN, `Manually stopped`/`Unknown` otherwise (CM's words). */
  readonly state: string;
}

export type ClusterState = "Normal" | "Degraded" | "Unavailable";

/** The host a standby DN streams from (primary_conninfo), when it has one. */
export function upstreamOf(n: OgNode): string | undefined {
  try {
    const text = fs.readFileSync(path.join(n.dataDir, "postgresql.auto.conf"), "utf8");
    return /^\s*primary_conninfo\s*=\s*'[^']*\bhost=([^\s']+)/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

export function dnStatus(c: OgCluster, n: OgNode): DnStatus {
  if (!dnRunning(n)) return { node: n, role: "Down", state: "Unknown" };
  const rec = inRecovery(c, n.address);
  if (rec === undefined) return { node: n, role: "Down", state: "Unknown" };
  if (!rec) return { node: n, role: "Primary", state: "Normal" };
  if (n.cascade) return { node: n, role: "Cascade Standby", state: "Normal" };
  const up = upstreamOf(n);
  const own = c.nodes.some((x) => x.address === up);
  return { node: n, role: up !== undefined && !own ? "Main Standby" : "Standby", state: "Normal" };
}

export function clusterStatus(c: OgCluster): { state: ClusterState; dns: DnStatus[] } {
  const dns = c.nodes.map((n) => dnStatus(c, n));
  const leaders = dns.filter((d) => d.role === "Primary" || d.role === "Main Standby");
  const down = dns.filter((d) => d.role === "Down");
  let state: ClusterState;
  if (leaders.length !== 1) state = "Unavailable";
  else state = down.length === 0 ? "Normal" : "Degraded";
  return { state, dns };
}

/** ss_double_cluster_mode from cm_agent.conf: 0 single, 1 DR primary, 2 DR standby. */
export function doubleClusterMode(n: OgNode): number {
  try {
    const m = /^\s*ss_double_cluster_mode\s*=\s*(\d+)/m.exec(fs.readFileSync(paths.cmAgentConf(n), "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sets a parameter in cm_agent.conf or cm_server.conf on every node (CM distributes it). */
export function setCmParam(c: OgCluster, which: "agent" | "server", key: string, value: string): void {
  for (const n of c.nodes) {
    const file = which === "agent" ? paths.cmAgentConf(n) : paths.cmServerConf(n);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => !new RegExp(`^\\s*${key}\\s*=`).test(l) && l !== "") : [];
    lines.push(`${key} = ${value}`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
  }
}

const LETTER: Record<DnRole, string> = { Primary: "P", Standby: "S", "Main Standby": "P", "Cascade Standby": "C", Down: "S" };

function dnRow(c: OgCluster, d: DnStatus): string {
  const n = d.node;
  const role = d.role === "Down" ? "Down" : d.role;
  return `${n.nodeId}  ${n.host} ${n.address}   ${c.port} ${n.instanceId} ${n.dataDir} ${LETTER[d.role]} ${role} ${d.state}`;
}

/** `cm_ctl query -Cvidp` (the layout of the DORADO deployment guide's steps 4 and 12). */
export function formatCmQuery(c: OgCluster, flags: string): string {
  const { state, dns } = clusterStatus(c);
  const lines: string[] = [];
  if (flags.includes("C") || flags.includes("v")) {
    lines.push("[  CMServer State   ]", "", "node        node_ip         instance                                 state", "-".repeat(90));
    for (const n of c.nodes) lines.push(`${n.nodeId}  ${n.host} ${n.address}    ${n.nodeId} ${path.join(n.ogHome, "cm", "cm_server")} ${n.nodeId === 1 ? "Primary" : "Standby"}`);
    lines.push("");
  }
  lines.push("[   Cluster State   ]", "", `cluster_state   : ${state}`, "redistributing  : No", "balanced        : Yes", "current_az      : AZ_ALL", "");
  lines.push("[  Datanode State   ]", "", "node        node_ip         port      instance                                 state", "-".repeat(90));
  const rows = dns.map((d) => dnRow(c, d));
  if (flags.includes("C")) lines.push(rows.join(" | "));
  else lines.push(...rows);
  return lines.join("\n");
}

/** `cm_ctl query -v` / `gs_om -t status --all`: one block per instance. */
export function formatCmQueryVerbose(c: OgCluster): string {
  const { state, dns } = clusterStatus(c);
  const lines = ["-".repeat(71), "", `cluster_state             : ${state}`, "redistributing            : No", "balanced                  : Yes", "current_az                : AZ_ALL", "", "-".repeat(71), ""];
  for (const d of dns) {
    lines.push(
      `node                      : ${d.node.nodeId}`,
      `node_name                 : ${d.node.host}`,
      `instance_id               : ${d.node.instanceId}`,
      `node_ip                   : ${d.node.address}`,
      `data_path                 : ${d.node.dataDir}`,
      `type                      : Datanode`,
      `instance_state            : ${d.role === "Down" ? "Down" : d.role}`,
      `static_connections        : ${c.nodes.length - 1}`,
      `HA_state                  : ${d.state}`,
      `reason                    : ${d.role === "Down" ? "Disconnected" : "Normal"}`,
      "",
      "-".repeat(71),
      "",
    );
  }
  return lines.join("\n");
}
