/**
 * OceanBase 4.x physical standby: a standby cluster (running, sys tenant only) whose standby
 * tenants follow the primary's user tenants over the network (LOG_RESTORE_SOURCE SERVICE=...).
 * With LAB_JSON set, the primary is lab.json's first OceanBase cluster and the standby cluster
 * its second (`npm run lab -- oceanbase create --name obstandby --version 4.2.1 --zones
 * z1:host4,z2:host5,z3:host6`, no tenant); otherwise the stack's config (see README.md). On the
 * lab, OB_STANDBY_ROLE and OB_FAILOVER_CONFIRM stand in for the config keys role and failoverConfirm.
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

function standbyCluster(): { hosts: { connection: Connection; address: string }[]; home: string; dataDir: string; sqlPort: number; password: pulumi.Output<string> } {
  if (process.env.LAB_JSON) {
    const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));
    const c = lab.oceanbase?.[1];
    if (!c) throw new Error(`${process.env.LAB_JSON} has no second OceanBase cluster: run npm run lab -- oceanbase create --name obstandby --version 4.2.1 --zones z1:host4,...`);
    const hosts = c.servers.map((sv: { host: string; address: string }) => {
      const h = lab.hosts.find((x: { name: string }) => x.name === sv.host);
      return { connection: { host: h.address, port: h.port, user: h.user, privateKey: readKey(h.privateKeyPath), hostKey: h.hostKey }, address: sv.address };
    });
    const first = lab.hosts.find((x: { name: string }) => x.name === c.servers[0].host);
    return { hosts, home: `${first.obHome}/${c.name}`, dataDir: `${first.obHome}/${c.name}/store`, sqlPort: c.servers[0].sqlPort, password: pulumi.secret(fs.readFileSync(c.passwordFile, "utf8")) };
  }
  return {
    hosts: config.requireObject<HostConfig[]>("standbyHosts").map((h) => ({ connection: { host: h.host, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: h.privateKeyPath ? readKey(h.privateKeyPath) : undefined }, address: h.address ?? h.host })),
    home: config.get("obHome") ?? "/home/admin/oceanbase",
    dataDir: config.get("dataDir") ?? "/data/1/obstandby/store",
    sqlPort: config.getNumber("standbySqlPort") ?? 2881,
    password: config.requireSecret("standbyPassword"),
  };
}

const sb = standbyCluster();
const tenants = config.getObject<string[]>("tenants");
const failoverConfirm = process.env.OB_FAILOVER_CONFIRM ?? config.get("failoverConfirm");

const standby = new oceanbase.StandbyCluster("standby", {
  primary: { connection: t.sqlHost, host: t.observer, port: t.sqlPort, password: t.rootPassword },
  clusterId: config.getNumber("clusterId") ?? 2,
  version: config.get("version") ?? "4.2.1",
  // The standby cluster's hosts (one zone each): its sys tenant answers on the first.
  zones: sb.hosts.map((h, i) => ({ name: `z${i + 1}`, idc: `idc${i + 1}`, hosts: [h] })),
  observer: { home: sb.home, dataDir: sb.dataDir, sqlPort: sb.sqlPort },
  standbyPassword: sb.password,
  ...(tenants ? { tenants } : {}),
  role: (process.env.OB_STANDBY_ROLE ?? config.get("role") ?? "standby") as "standby" | "primary",
  failover: failoverConfirm ? { confirm: failoverConfirm } : undefined,
});

export const standbyTenants = standby.observed;
