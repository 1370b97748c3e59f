/**
 * `lab opengauss create`: a resource-pooled openGauss cluster with CM, as a DBA has it before
 * building DR. One DN per host: a real PostgreSQL 15 server, primary on the first host, streaming
 * standbys (pg_basebackup) on the others.
 */
import * as fs from "fs";
import * as path from "path";
import { findHost, readLabJson, writeJsonAtomic, labFiles, type LabHost } from "../../hosts/lab-json";
import { homeOf } from "../../hosts/environment";
import { DEFAULT_VERSION, OgCluster, OgNode, clusterFile, listClusters, memberFile, paths } from "./cluster";
import { baseConfig, chownToDn, openPathTo, rebuildDn, runPg, startDn } from "./dn";
import { setCmParam } from "./status";

export interface CreateOptions {
  readonly dir: string;
  readonly name: string;
  readonly hosts: string[];
  readonly port: number;
  readonly version?: string;
  /** The initial database user (initdb -U); openGauss's is the OS user that installed it. */
  readonly initialUser?: string;
  /** Hosts whose DN is installed as a cascaded standby, streaming from the first plain standby. */
  readonly cascade?: string[];
}

export interface CreatedCluster {
  readonly name: string;
  readonly version: string;
  readonly port: number;
  readonly initialUser: string;
  readonly nodes: { host: string; address: string; dataIp: string; dataDir: string; instanceId: number; pghost: string }[];
}

export const INITIAL_USER = "omm";

/** An initial user name as gs_install takes it (the OS user's name; unquoted in SQL). */
const USER_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function summary(c: OgCluster): CreatedCluster {
  return {
    name: c.name,
    version: c.version,
    port: c.port,
    initialUser: c.initialUser,
    nodes: c.nodes.map((n) => ({ host: n.host, address: n.address, dataIp: n.address, dataDir: n.dataDir, instanceId: n.instanceId, pghost: paths.pghost(n) })),
  };
}

/** The exports openGauss's installer puts in the user's environment file. */
function envLines(c: OgCluster, n: OgNode): string {
  return [
    "# openGauss (lab)",
    `export GAUSSHOME=${n.ogHome}`,
    `export PGHOST=${paths.pghost(n)}`,
    `export PGPORT=${c.port}`,
    `export PGUSER=${c.initialUser}`,
    `export PGDATABASE=postgres`,
    `export GAUSSLOG=${paths.logDir(n)}`,
    "",
  ].join("\n");
}

export function createCluster(o: CreateOptions): CreatedCluster {
  const dir = path.resolve(o.dir);
  const lab = readLabJson(dir);
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(o.name)) throw new Error(`cluster name ${JSON.stringify(o.name)}: a letter, then letters, digits, _ or -`);
  if (!Number.isInteger(o.port) || o.port < 1024 || o.port > 65000) throw new Error(`--port ${o.port}: an integer from 1024 to 65000`);
  if (o.hosts.length === 0) throw new Error("--hosts: at least one host");
  if (fs.existsSync(clusterFile(dir, o.name))) throw new Error(`an openGauss cluster ${o.name} exists already in this lab`);
  const initialUser = o.initialUser ?? INITIAL_USER;
  if (!USER_NAME.test(initialUser)) throw new Error(`--initial-user ${JSON.stringify(initialUser)}: a lower-case letter or _, then letters, digits or _ (at most 63)`);
  const cascade = new Set(o.cascade ?? []);
  for (const h of cascade) {
    if (!o.hosts.includes(h)) throw new Error(`--cascade ${h}: not one of --hosts`);
    if (h === o.hosts[0]) throw new Error(`--cascade ${h}: the first host holds the primary`);
  }
  if (cascade.size > 0 && o.hosts.slice(1).every((h) => cascade.has(h))) throw new Error("--cascade: a cascaded standby streams from a standby; leave at least one host after the first a plain standby");
  const hosts: LabHost[] = o.hosts.map((h) => findHost(lab, h));
  for (const h of hosts) {
    if (fs.existsSync(memberFile(h.ogHome))) throw new Error(`${h.name} already holds a DN of cluster ${fs.readFileSync(memberFile(h.ogHome), "utf8").trim()}`);
  }
  const cluster: OgCluster = {
    name: o.name,
    version: o.version ?? DEFAULT_VERSION,
    port: o.port,
    initialUser,
    nodes: hosts.map((h, i) => ({
      host: h.name,
      address: h.address,
      hostDir: h.hostDir,
      ogHome: h.ogHome,
      dataDir: path.join(h.ogHome, "data", "dn"),
      nodeId: i + 1,
      instanceId: 6001 + i,
      ...(cascade.has(h.name) ? { cascade: true } : {}),
    })),
  };
  fs.mkdirSync(path.dirname(clusterFile(dir, o.name)), { recursive: true });
  writeJsonAtomic(clusterFile(dir, o.name), cluster);

  for (const n of cluster.nodes) {
    for (const d of [paths.pghost(n), paths.logDir(n), path.dirname(n.dataDir)]) fs.mkdirSync(d, { recursive: true });
    fs.mkdirSync(n.dataDir, { recursive: true, mode: 0o700 });
    openPathTo(n.dataDir, dir);
    openPathTo(paths.pghost(n), dir);
    chownToDn(path.dirname(n.dataDir));
    chownToDn(paths.pghost(n));
    chownToDn(paths.logDir(n));
    fs.writeFileSync(memberFile(n.ogHome), `${o.name}\n`);
    fs.appendFileSync(path.join(homeOf(lab.hosts.find((h) => h.name === n.host)!), ".bashrc"), envLines(cluster, n));
  }
  setCmParam(cluster, "agent", "ss_double_cluster_mode", "0");
  setCmParam(cluster, "server", "ss_double_cluster_mode", "0");

  const [first, ...rest] = cluster.nodes;
  const init = runPg("initdb", ["-D", first.dataDir, "-U", initialUser, "-A", "trust", "-E", "UTF8", "--no-instructions"]);
  if (init.status !== 0) throw new Error(`initdb on ${first.host} failed: ${init.stderr || init.stdout}`);
  baseConfig(first.dataDir);
  const s = startDn(cluster, first, dir);
  if (!s.ok) throw new Error(`starting the primary DN on ${first.host} failed: ${s.err || s.out}`);
  // Plain standbys stream from the primary; cascaded ones from the first plain standby, built after it.
  const upstream = rest.find((n) => !n.cascade);
  for (const n of [...rest.filter((x) => !x.cascade), ...rest.filter((x) => x.cascade)]) {
    const from = n.cascade ? upstream! : first;
    const b = rebuildDn(n, { address: from.address, port: cluster.port, user: initialUser }, `dn_${n.instanceId}`);
    if (!b.ok) throw new Error(`building the standby DN on ${n.host} failed: ${b.err || b.out}`);
    const t = startDn(cluster, n, dir);
    if (!t.ok) throw new Error(`starting the standby DN on ${n.host} failed: ${t.err || t.out}`);
  }

  // lab.json lists every cluster (the examples take the first two).
  const json = JSON.parse(fs.readFileSync(labFiles.labJson(dir), "utf8")) as Record<string, unknown>;
  json.opengauss = listClusters(dir).map(summary);
  writeJsonAtomic(labFiles.labJson(dir), json);
  return summary(cluster);
}
