/**
 * OCP's "new standby cluster" (seed 000) on OceanBase 3.x: three zones, each in its IDC with one
 * OBServer that is also the zone's RootServer, following the primary's redo. With LAB_JSON set,
 * the primary is lab.json's first OceanBase cluster (hosts 1-3) and the standby takes hosts 4-6;
 * otherwise the stack's config (see README.md). On the lab, OB_STANDBY_ROLE / OB_FAILOVER_CONFIRM /
 * OB_DELETE_DATA / OB_STANDBY_ID / OB_STANDBY_VERSION stand in for the config keys role,
 * failoverConfirm, deleteData, clusterId, version.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import { oceanbase, type Connection } from "pulumi-dbcluster";
import { obTarget } from "../shared/oceanbase";

interface HostConfig { host: string; port?: number; user?: string; privateKeyPath?: string; hostKey?: string; address?: string }

const config = new pulumi.Config();
const t = obTarget();
const readKey = (p: string) => pulumi.secret(fs.readFileSync(p.replace(/^~(?=\/)/, os.homedir()), "utf8"));

function standbyHosts(): { connection: Connection; address: string; home: string; dataRoot: string }[] {
  if (process.env.LAB_JSON) {
    const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));
    return lab.hosts.slice(3, 6).map((h: { address: string; port: number; user: string; privateKeyPath: string; hostKey: string; obHome: string; dataRoot: string }) => ({
      connection: { host: h.address, port: h.port, user: h.user, privateKey: readKey(h.privateKeyPath), hostKey: h.hostKey },
      address: h.address,
      home: h.obHome,
      dataRoot: h.dataRoot,
    }));
  }
  return config.requireObject<HostConfig[]>("standbyHosts").map((h) => ({
    connection: { host: h.host, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: h.privateKeyPath ? readKey(h.privateKeyPath) : undefined },
    address: h.address ?? h.host,
    home: config.get("obHome") ?? "/home/admin/oceanbase",
    dataRoot: config.get("dataRoot") ?? "/data/1",
  }));
}

const hosts = standbyHosts();
const lab = Boolean(process.env.LAB_JSON);
const failoverConfirm = process.env.OB_FAILOVER_CONFIRM ?? config.get("failoverConfirm");

const standby = new oceanbase.StandbyCluster("standby", {
  primary: { connection: t.sqlHost, host: t.observer, port: t.sqlPort, password: t.rootPassword },
  clusterId: Number(process.env.OB_STANDBY_ID ?? config.get("clusterId") ?? 2),
  version: process.env.OB_STANDBY_VERSION ?? config.get("version") ?? "3.2.4",
  // On the lab every host has its own directories (they share one filesystem): each host says its own.
  zones: hosts.map((h, i) => ({ name: `z${i + 1}`, idc: `idc${i + 1}`, hosts: [{ connection: h.connection, address: h.address, ...(lab ? { home: h.home, dataDir: `${h.dataRoot}/obstandby/store` } : {}) }], rootServer: h.address })),
  observer: { home: hosts[0].home, dataDir: `${hosts[0].dataRoot}/obstandby/store`, memoryLimit: "8G" },
  role: (process.env.OB_STANDBY_ROLE ?? config.get("role") ?? "standby") as "standby" | "primary",
  failover: failoverConfirm ? { confirm: failoverConfirm } : undefined,
  deleteData: (process.env.OB_DELETE_DATA ?? config.get("deleteData") ?? "false") === "true",
});

export const standbyCluster = standby.observed;
