import * as fs from "fs";
import * as path from "path";

export type SshdKind = "embedded" | "openssh";

/**
 * The shell sshd runs a client's command with (the user's login shell). Most hosts have bash;
 * some have a POSIX sh (dash on Debian), where `$SECONDS` and `/dev/tcp` do not exist.
 */
export type LoginShell = "bash" | "sh";
export const LOGIN_SHELLS: Record<LoginShell, string> = { bash: "/bin/bash", sh: "/bin/sh" };

/** One virtual host as published in lab.json (the contract in lab/README.md). */
export interface LabHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly privateKeyPath: string;
  /** OpenSSH known_hosts key text: `ssh-ed25519 AAAA...`. */
  readonly hostKey: string;
  readonly commandLog: string;
  readonly dmHome: string;
  readonly ogHome: string;
  readonly obHome: string;
  readonly dataRoot: string;
  readonly hostDir: string;
  /** The login shell's path: commands run as `<loginShell> -c '<command>'`. @default "/bin/bash" */
  readonly loginShell?: string;
}

/** An OceanBase cluster made by `lab oceanbase create` (lab/sim/oceanbase/create.ts). */
export interface LabObCluster {
  readonly name: string;
  readonly version: string;
  readonly clusterId: number;
  /** 0600 file holding root@sys's password. */
  readonly passwordFile: string;
  readonly servers: { host: string; address: string; sqlPort: number; rpcPort: number; zone: string }[];
  readonly tenants: string[];
  /** A directory every host sees at this path (the lab's stand-in for an NFS mount). */
  readonly sharedDir: string;
}

/** The lab's OSS stand-in (lab/sim/oceanbase/oss), started by the first `lab oceanbase create`. */
export interface LabOss {
  /** `address:port`, what OceanBase's `host=` and OCP's 访问域名 take. */
  readonly endpoint: string;
  readonly address: string;
  readonly port: number;
  readonly bucket: string;
  readonly accessId: string;
  /** 0600 JSON file `{accessId, accessKey, buckets}`. */
  readonly credentialsFile: string;
  /** Objects as files: `<dataDir>/<bucket>/<key>`. */
  readonly dataDir: string;
}

export interface LabJson {
  readonly dir: string;
  readonly sshd: SshdKind;
  readonly hosts: LabHost[];
  readonly oceanbase?: LabObCluster[];
  readonly oss?: LabOss;
}

/** Files of the lab directory that belong to the daemon, not to any host. */
export const labFiles = {
  labJson: (dir: string) => path.join(dir, "lab.json"),
  plan: (dir: string) => path.join(dir, "daemon-plan.json"),
  daemonPid: (dir: string) => path.join(dir, "daemon.pid"),
  daemonLog: (dir: string) => path.join(dir, "daemon.log"),
  hostsDir: (dir: string) => path.join(dir, "hosts"),
};

export function readLabJson(dir: string): LabJson {
  const file = labFiles.labJson(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(`no lab in ${dir}: ${file} does not exist (run: npm run lab -- up --dir ${dir})`);
  }
  return JSON.parse(text) as LabJson;
}

export function findHost(lab: LabJson, name: string): LabHost {
  const host = lab.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no host ${name} in ${lab.dir} (hosts: ${lab.hosts.map((h) => h.name).join(", ")})`);
  return host;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  fs.renameSync(tmp, file);
}
