/**
 * OceanBase 4.x physical standby: the resource starts and bootstraps a standby cluster on bare
 * hosts (three zones, one OBServer each, each its zone's RootServer), then makes its tenants
 * standby tenants of the primary's user tenants, following them over the network
 * (LOG_RESTORE_SOURCE SERVICE=...). With LAB_JSON set, the primary is lab.json's first OceanBase
 * cluster (hosts 1-3) and the standby cluster takes hosts 4-6 (each with the 4.x build at
 * obHome/bin/observer: `npm run lab -- oceanbase binary --host host4 --version 4.2.1`); otherwise
 * the stack's config (see README.md). On the lab, OB_STANDBY_ROLE / OB_FAILOVER_CONFIRM /
 * OB_DELETE_DATA / OB_LOG_RESTORE_FROM / OB_STANDBY_HOSTS stand in for the config keys role,
 * failoverConfirm, deleteData, logRestoreFrom, and the number of standby hosts (3 by default, one
 * zone each; 4 puts host7 into zone z3).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import { oceanbase, type Connection } from "pulumi-dbcluster";
import { obTarget } from "../shared/oceanbase";

interface HostConfig { host: string; port?: number; user?: string; privateKeyPath?: string; hostKey?: string; address?: string; zone?: string }

const config = new pulumi.Config();
const t = obTarget();
const readKey = (p: string) => pulumi.secret(fs.readFileSync(p.replace(/^~(?=\/)/, os.homedir()), "utf8"));
const lab = Boolean(process.env.LAB_JSON);

function standbyHosts(): { connection: Connection; address: string; home?: string; dataDir?: string; zone: string }[] {
  if (lab) {
    const j = JSON.parse(fs.readFileSync(process.env.LAB_JSON!, "utf8"));
    const n = Number(process.env.OB_STANDBY_HOSTS ?? 3);
    return j.hosts.slice(3, 3 + n).map((h: { address: string; port: number; user: string; privateKeyPath: string; hostKey: string; obHome: string; dataRoot: string }, i: number) => ({
      connection: { host: h.address, port: h.port, user: h.user, privateKey: readKey(h.privateKeyPath), hostKey: h.hostKey },
      address: h.address,
      // On the lab every host has its own directories (they share one filesystem): each host says its own.
      home: h.obHome,
      dataDir: `${h.dataRoot}/obstandby/store`,
      zone: `z${Math.min(i, 2) + 1}`,
    }));
  }
  return config.requireObject<HostConfig[]>("standbyHosts").map((h, i) => ({
    connection: { host: h.host, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: h.privateKeyPath ? readKey(h.privateKeyPath) : undefined },
    address: h.address ?? h.host,
    zone: h.zone ?? `z${i + 1}`,
  }));
}

const hosts = standbyHosts();
const zoneNames = [...new Set(hosts.map((h) => h.zone))];
const tenants = config.getObject<string[]>("tenants");
const failoverConfirm = process.env.OB_FAILOVER_CONFIRM ?? config.get("failoverConfirm");

const standby = new oceanbase.StandbyCluster("standby", {
  primary: { connection: t.sqlHost, host: t.observer, port: t.sqlPort, password: t.rootPassword },
  clusterId: config.getNumber("clusterId") ?? 2,
  version: config.get("version") ?? "4.2.1",
  zones: zoneNames.map((z, i) => ({
    name: z,
    idc: `idc${i + 1}`,
    hosts: hosts.filter((h) => h.zone === z).map((h) => ({ connection: h.connection, address: h.address, ...(h.home ? { home: h.home, dataDir: h.dataDir } : {}) })),
  })),
  observer: { home: hosts[0].home ?? config.get("obHome") ?? "/home/admin/oceanbase", dataDir: hosts[0].dataDir ?? config.get("dataDir") ?? "/data/1/obstandby/store", memoryLimit: "8G" },
  // root@sys of the standby cluster (set right after its bootstrap); default the primary's.
  ...(config.get("standbyPassword") ? { standbyPassword: config.requireSecret("standbyPassword") } : {}),
  ...(tenants ? { tenants } : {}),
  role: (process.env.OB_STANDBY_ROLE ?? config.get("role") ?? "standby") as "standby" | "primary",
  failover: failoverConfirm ? { confirm: failoverConfirm } : undefined,
  deleteData: (process.env.OB_DELETE_DATA ?? config.get("deleteData") ?? "false") === "true",
  // "archive": the standby tenants read the primary tenants' log archive (LOCATION=) instead of their SQL service.
  logRestoreFrom: (process.env.OB_LOG_RESTORE_FROM ?? config.get("logRestoreFrom") ?? "service") as "service" | "archive",
});

export const standbyTenants = standby.observed;
