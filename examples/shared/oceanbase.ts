/**
 * Where the OceanBase examples find their cluster. With LAB_JSON set (a lab with a cluster made
 * by `npm run lab -- oceanbase create`), lab.json's first OceanBase cluster: SQL from its first
 * OBServer's host, the job on the lab's last host, backups under the lab's shared directory.
 * Otherwise the stack's config:
 *
 *   config:
 *     <project>:sqlHost:  { host: 10.0.0.11, user: admin, privateKeyPath: ~/.ssh/id_ed25519, hostKey: "ssh-ed25519 AAAA..." }
 *     <project>:observer: 127.0.0.1         # the OBServer's address as sqlHost sees it @default 127.0.0.1
 *     <project>:sqlPort: 2881               # @default 2881
 *     <project>:jobHost:  { host: 10.0.0.14, user: admin, privateKeyPath: ~/.ssh/id_ed25519 }
 *     <project>:servers: [{ host: 10.0.0.12, ... }, { host: 10.0.0.13, ... }]  # the other OBServers' hosts (the storage test runs on each)
 *     <project>:backupDir: /data/nfs/backup # mounted at this path on every OBServer (NFS)
 *     <project>:secondaryDir: /data/nfs2/backup  # a second NFS export for backup of backups (3.x)
 *     <project>:oss: { endpoint: oss-cn-hangzhou.aliyuncs.com, bucket: my-backups, path: ob, accessId: LTAI... }  # the OSS examples
 *     <project>:ossAccessKey: {secure: ...} # pulumi config set --secret ossAccessKey ...
 *     <project>:rootPassword: {secure: ...} # pulumi config set --secret rootPassword ...
 *
 * On the lab, OSS is the lab's OSS stand-in (lab.json's `oss`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "pulumi-dbcluster";

export interface ObTarget {
  readonly sqlHost: Connection;
  readonly observer: string;
  readonly sqlPort: number;
  readonly jobHost: Connection;
  /** The other OBServers' hosts. */
  readonly servers: { connection: Connection }[];
  readonly backupDir: string;
  /** A second shared directory, for backup of backups (3.x). */
  readonly secondaryDir?: string;
  readonly rootPassword: pulumi.Output<string>;
  /** OSS storage, when configured (always on the lab). */
  readonly oss?: { endpoint: string; bucket: string; path: string; accessId: string; accessKey: pulumi.Output<string> };
}

interface HostConfig {
  host: string;
  port?: number;
  user?: string;
  privateKeyPath?: string;
  hostKey?: string;
}

const readKey = (p: string) => pulumi.secret(fs.readFileSync(p.replace(/^~(?=\/)/, os.homedir()), "utf8"));
const conn = (h: HostConfig): Connection => ({ host: h.host, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: h.privateKeyPath ? readKey(h.privateKeyPath) : undefined });

export function obTarget(): ObTarget {
  const labFile = process.env.LAB_JSON;
  if (labFile) {
    const lab = JSON.parse(fs.readFileSync(labFile, "utf8"));
    const cluster = lab.oceanbase?.[0];
    if (!cluster) throw new Error(`${labFile} has no OceanBase cluster: run npm run lab -- oceanbase create --dir DIR ...`);
    const byName = (name: string) => lab.hosts.find((h: { name: string }) => h.name === name);
    const labConn = (h: { address: string; port: number; user: string; privateKeyPath: string; hostKey: string }): Connection => ({ host: h.address, port: h.port, user: h.user, privateKey: readKey(h.privateKeyPath), hostKey: h.hostKey });
    const first = cluster.servers[0];
    return {
      sqlHost: labConn(byName(first.host)),
      observer: first.address,
      sqlPort: first.sqlPort,
      jobHost: labConn(lab.hosts[lab.hosts.length - 1]),
      servers: cluster.servers.slice(1).map((sv: { host: string }) => ({ connection: labConn(byName(sv.host)) })),
      backupDir: process.env.OB_BACKUP_DIR ?? `${cluster.sharedDir}/backup`,
      secondaryDir: process.env.OB_SECONDARY_DIR ?? `${cluster.sharedDir}/backup2`,
      rootPassword: pulumi.secret(fs.readFileSync(cluster.passwordFile, "utf8")),
      oss: lab.oss && {
        endpoint: lab.oss.endpoint,
        bucket: lab.oss.bucket,
        path: process.env.OB_OSS_PATH ?? cluster.name,
        accessId: lab.oss.accessId,
        accessKey: pulumi.secret(process.env.OB_OSS_ACCESS_KEY ?? JSON.parse(fs.readFileSync(lab.oss.credentialsFile, "utf8")).accessKey),
      },
    };
  }
  const config = new pulumi.Config();
  const oss = config.getObject<{ endpoint: string; bucket: string; path?: string; accessId: string }>("oss");
  return {
    sqlHost: conn(config.requireObject<HostConfig>("sqlHost")),
    observer: config.get("observer") ?? "127.0.0.1",
    sqlPort: config.getNumber("sqlPort") ?? 2881,
    jobHost: conn(config.requireObject<HostConfig>("jobHost")),
    servers: (config.getObject<HostConfig[]>("servers") ?? []).map((h) => ({ connection: conn(h) })),
    backupDir: config.get("backupDir") ?? "",
    secondaryDir: config.get("secondaryDir"),
    rootPassword: config.requireSecret("rootPassword"),
    oss: oss && { ...oss, path: oss.path ?? "", accessKey: config.requireSecret("ossAccessKey") },
  };
}
