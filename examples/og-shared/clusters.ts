/**
 * The two openGauss clusters of the DR examples. With LAB_JSON set (a lab with clusters made by
 * `npm run lab -- opengauss create`), lab.json's first two clusters, the first as primary;
 * otherwise the stack's config:
 *
 *   config:
 *     <project>:clusters:
 *       - name: dc1
 *         port: 26000
 *         nodes:
 *           - { host: 10.0.0.11, dataIp: 172.16.0.11, user: omm, privateKeyPath: ~/.ssh/id_ed25519, hostKey: "ssh-ed25519 AAAA..." }
 *       - name: dc2
 *         ...
 *     <project>:primary: dc1                 # @default the first cluster
 *     <project>:drUser: ddr_user             # @default ddr_user
 *     <project>:drPassword: {secure: ...}    # pulumi config set --secret drPassword ...
 *     <project>:failover: dc2                # only to promote dc2 because dc1 is lost
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import type { opengauss } from "pulumi-dbcluster";

interface LabHost {
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
  hostKey: string;
}
interface LabCluster {
  name: string;
  port: number;
  nodes: { host: string; address: string; dataIp: string }[];
}
interface ConfigNode {
  host: string;
  ip?: string;
  dataIp?: string;
  port?: number;
  user?: string;
  privateKeyPath?: string;
  hostKey?: string;
}
interface ConfigCluster {
  name: string;
  port: number;
  nodes: ConfigNode[];
}

function readKey(path: string): pulumi.Output<string> {
  return pulumi.secret(fs.readFileSync(path.replace(/^~(?=\/)/, os.homedir()), "utf8"));
}

export function clusters(): opengauss.DrCluster[] {
  const lab = process.env.LAB_JSON;
  if (lab) {
    const parsed = JSON.parse(fs.readFileSync(lab, "utf8")) as { hosts: LabHost[]; opengauss?: LabCluster[] };
    const made = parsed.opengauss ?? [];
    if (made.length < 2) throw new Error(`${lab} lists ${made.length} openGauss cluster(s); make two with: npm run lab -- opengauss create`);
    return made.slice(0, 2).map((c) => ({
      name: c.name,
      port: c.port,
      nodes: c.nodes.map((n) => {
        const h = parsed.hosts.find((x) => x.name === n.host)!;
        return { ip: n.address, dataIp: n.dataIp, connection: { host: h.address, port: h.port, user: h.user, privateKey: readKey(h.privateKeyPath), hostKey: h.hostKey } };
      }),
    }));
  }
  const list = new pulumi.Config().requireObject<ConfigCluster[]>("clusters");
  return list.map((c) => ({
    name: c.name,
    port: c.port,
    nodes: c.nodes.map((n) => ({
      ip: n.ip ?? n.host,
      dataIp: n.dataIp ?? n.ip ?? n.host,
      connection: { host: n.host, port: n.port, user: n.user ?? "omm", hostKey: n.hostKey, privateKey: n.privateKeyPath ? readKey(n.privateKeyPath) : undefined },
    })),
  }));
}

/** The DR settings every example shares, from the stack's config. */
export function drSettings(all: opengauss.DrCluster[]) {
  const config = new pulumi.Config();
  const failover = config.get("failover");
  const password = config.getSecret("drPassword") ?? (process.env.LAB_JSON ? pulumi.secret("Lab_Ddr_2024") : undefined);
  if (!password) throw new Error("set the DR user's password: pulumi config set --secret drPassword <8 to 256 characters>");
  return {
    primary: config.get("primary") ?? (all[0].name as string),
    drUser: config.get("drUser") ?? "ddr_user",
    drPassword: password,
    timeoutSeconds: config.getNumber("timeoutSeconds"),
    allowRebuild: config.getBoolean("allowRebuild"),
    failover: failover ? { confirm: failover } : undefined,
  };
}
