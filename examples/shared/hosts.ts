/**
 * Where the examples' instances go. With the environment variable LAB_JSON set (a lab started
 * with `npm run lab -- up`), the lab's hosts; otherwise the stack's config:
 *
 *   config:
 *     <project>:hosts:            # one entry per host; instances are spread over them in turn
 *       - { host: 10.0.0.11, user: dmdba, privateKeyPath: ~/.ssh/id_ed25519, hostKey: "ssh-ed25519 AAAA..." }
 *     <project>:dataRoot: /dm/data        # where database directories go @default /dm/data
 *     <project>:dmHome: /opt/dmdbms       # DM's home on the hosts @default the tools on PATH
 *     <project>:sysdbaPassword: {secure: ...}   # pulumi config set --secret sysdbaPassword ...
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "pulumi-dbcluster";

export interface Host {
  readonly name: string;
  /** The address the instances on this host register (IP_INTERNAL). */
  readonly ip: string;
  readonly connection: Connection;
  /** Directory for database directories on this host. */
  readonly dataRoot: string;
  readonly dmHome?: string;
}

interface LabHost {
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
  hostKey: string;
  dataRoot: string;
}

interface ConfigHost {
  host: string;
  ip?: string;
  port?: number;
  user?: string;
  privateKeyPath?: string;
  hostKey?: string;
}

function readKey(path: string): pulumi.Output<string> {
  return pulumi.secret(fs.readFileSync(path.replace(/^~(?=\/)/, os.homedir()), "utf8"));
}

export function hosts(): Host[] {
  const lab = process.env.LAB_JSON;
  if (lab) {
    const parsed = JSON.parse(fs.readFileSync(lab, "utf8")) as { hosts: LabHost[] };
    return parsed.hosts.map((h) => ({
      name: h.name,
      ip: h.address,
      connection: { host: h.address, port: h.port, user: h.user, privateKey: readKey(h.privateKeyPath), hostKey: h.hostKey },
      dataRoot: h.dataRoot,
    }));
  }
  const config = new pulumi.Config();
  const list = config.requireObject<ConfigHost[]>("hosts");
  const dataRoot = config.get("dataRoot") ?? "/dm/data";
  const dmHome = config.get("dmHome");
  return list.map((h, i) => ({
    name: `host${i + 1}`,
    ip: h.ip ?? h.host,
    connection: { host: h.host, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: h.privateKeyPath ? readKey(h.privateKeyPath) : undefined },
    dataRoot,
    dmHome,
  }));
}

/** SYSDBA's password: the stack's secret, or the lab's fixed one when running on the lab. */
export function sysdbaPassword(): pulumi.Output<string> {
  const config = new pulumi.Config();
  const pw = config.getSecret("sysdbaPassword");
  if (pw) return pw;
  if (process.env.LAB_JSON) return pulumi.secret("Lab_Dameng_123");
  throw new Error("set the SYSDBA password: pulumi config set --secret sysdbaPassword <9 to 48 characters>");
}

/** The i-th host, round robin: the seed puts everything on one host; we spread it. */
export function placeOn(all: readonly Host[], i: number): Host {
  if (all.length === 0) throw new Error("no hosts: set LAB_JSON or the `hosts` config");
  return all[i % all.length];
}
