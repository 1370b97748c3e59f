/**
 * The lab's openGauss clusters: which hosts form a cluster, where each DN keeps its files, and
 * the paths the real tools read from their environment (GAUSSHOME, PGHOST, cm_agent.conf).
 * One cluster per host; its record is shared by every node (CM's view of the cluster).
 */
import * as fs from "fs";
import * as path from "path";
import { hostEnv } from "../common/env";

export interface OgNode {
  /** Lab host name (`host1`). */
  readonly host: string;
  /** The host's address: SSH-trusted IP and streaming data IP at once. */
  readonly address: string;
  readonly hostDir: string;
  /** GAUSSHOME of the node (the host's ogHome). */
  readonly ogHome: string;
  /** The DN's data directory. */
  readonly dataDir: string;
  /** CM node id (1, 2, ...) and DN instance id (6001, 6002, ...). */
  readonly nodeId: number;
  readonly instanceId: number;
  /**
   * Installed as a cascaded standby (the install XML's `cascadeRole` on): it streams from a
   * standby of its own cluster and CM reports it as `Cascade Standby`.
   */
  readonly cascade?: boolean;
}

export interface OgCluster {
  readonly name: string;
  readonly version: string;
  /** DN port (every node's DN listens on it, on its own address). */
  readonly port: number;
  /** The initial database user (openGauss: the OS user that installed the cluster). */
  readonly initialUser: string;
  readonly nodes: OgNode[];
}

export const DEFAULT_VERSION = "6.0.0";

/** `<labDir>/opengauss/<name>.json`: the cluster's record. */
export function clusterFile(labDir: string, name: string): string {
  return path.join(labDir, "opengauss", `${name}.json`);
}

/** `<ogHome>/cluster`: the name of the cluster this host belongs to. */
export function memberFile(ogHome: string): string {
  return path.join(ogHome, "cluster");
}

export function readCluster(labDir: string, name: string): OgCluster {
  return JSON.parse(fs.readFileSync(clusterFile(labDir, name), "utf8")) as OgCluster;
}

export function listClusters(labDir: string): OgCluster[] {
  const dir = path.join(labDir, "opengauss");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as OgCluster)
    .filter((c) => Array.isArray(c.nodes));
}

/** The cluster of the host this tool runs on, and this host's node in it. */
export function localCluster(): { cluster: OgCluster; node: OgNode } | undefined {
  const env = hostEnv();
  const ogHome = process.env.GAUSSHOME || path.join(env.hostDir, "opengauss");
  let name: string;
  try {
    name = fs.readFileSync(memberFile(ogHome), "utf8").trim();
  } catch {
    return undefined;
  }
  const cluster = readCluster(env.labDir, name);
  const node = cluster.nodes.find((n) => n.host === env.host) ?? cluster.nodes[0];
  return { cluster, node };
}

/** The node that answers on an address, in any cluster of the lab. */
export function nodeByAddress(labDir: string, address: string): { cluster: OgCluster; node: OgNode } | undefined {
  for (const cluster of listClusters(labDir)) {
    const node = cluster.nodes.find((n) => n.address === address);
    if (node) return { cluster, node };
  }
  return undefined;
}

/** Per-node paths, as the real installation lays them out under GAUSSHOME. */
export const paths = {
  /** PGHOST: the socket directory, and the parent of `ddr_cabin/`. */
  pghost: (n: OgNode) => path.join(n.ogHome, "tmp"),
  cabin: (n: OgNode) => path.join(n.ogHome, "tmp", "ddr_cabin"),
  cmAgentConf: (n: OgNode) => path.join(n.ogHome, "cm", "cm_agent", "cm_agent.conf"),
  cmServerConf: (n: OgNode) => path.join(n.ogHome, "cm", "cm_server", "cm_server.conf"),
  /** openGauss-only GUCs (PostgreSQL would refuse to start on them), kept beside the DN. */
  ogGuc: (n: OgNode) => path.join(n.ogHome, "dn_og.conf"),
  dnLog: (n: OgNode) => path.join(n.ogHome, "log", "dn.log"),
  logDir: (n: OgNode) => path.join(n.ogHome, "log"),
  dssIni: (n: OgNode) => path.join(n.ogHome, "dss", "cfg", "dss_inst.ini"),
};

/** The environment a lab DN process carries, so that `lab fault down` of its host kills it. */
export function nodeProcessEnv(n: OgNode, labDir: string): NodeJS.ProcessEnv {
  return { ...process.env, LAB_HOST: n.host, LAB_HOST_ADDR: n.address, LAB_HOST_DIR: n.hostDir, LAB_DIR: labDir };
}
