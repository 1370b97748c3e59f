import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { utils } from "ssh2";
import { homeOf } from "./environment";
import { LabHost, SshdKind, labFiles } from "./lab-json";
import { crontabScript, dateScript } from "./cron";
import { writeToolWrappers } from "./tool-wrappers";

/** Tools every host has whatever database it runs: crontab and the lab clock's date. */
function writeHostTools(bin: string): void {
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "crontab"), crontabScript(), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "date"), dateScript(), { mode: 0o755 });
}

/** A host before the daemon has bound its port, plus the secrets only the daemon reads. */
export interface HostPlan extends Omit<LabHost, "port"> {
  readonly hostPrivateKeyPath: string;
  /** `<home>/.ssh/authorized_keys`: the keys that may log in, read at each authentication. */
  readonly authorizedKeysPath: string;
  /** The client's public key, `ssh-ed25519 AAAA...`. */
  readonly clientPublicKey: string;
}

/** What `lab up` hands the daemon. */
export interface DaemonPlan {
  readonly dir: string;
  readonly sshd: SshdKind;
  /** Host i listens on basePort + i - 1; absent: the kernel picks a free port per host. */
  readonly basePort?: number;
  /** The PATH the hosts' commands get after their tool directories. */
  readonly labPath: string;
  readonly hosts: HostPlan[];
}

/** `ssh-ed25519 AAAA... comment` -> `ssh-ed25519 AAAA...` (the known_hosts key text). */
function keyText(publicKey: string): string {
  return publicKey.trim().split(/\s+/).slice(0, 2).join(" ");
}

/**
 * An ed25519 key pair in OpenSSH format. ssh2 1.17 strips leading zero bytes from the public key,
 * so about 1 key in 256 is malformed (mscdex/ssh2#1513); such a pair is drawn again.
 */
export function generateEd25519(comment: string): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519", { comment });
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

/** Creates one host's directories, keys and tool wrappers. */
export function provisionHost(dir: string, index: number, sshd: SshdKind, block = 10, loginShell = "/bin/bash"): HostPlan {
  const name = `host${index}`;
  const hostDir = path.join(labFiles.hostsDir(dir), name);
  const sshDir = path.join(hostDir, "ssh");
  const home = homeOf({ hostDir });
  const dmHome = path.join(hostDir, "dm");
  const ogHome = path.join(hostDir, "opengauss");
  const obHome = path.join(hostDir, "oceanbase");
  const dataRoot = path.join(hostDir, "data");
  for (const d of [sshDir, home, dataRoot, path.join(hostDir, "run"), path.join(hostDir, "faults", "fail")]) {
    fs.mkdirSync(d, { recursive: true });
  }
  writeToolWrappers(path.join(dmHome, "bin"), "dm");
  writeToolWrappers(path.join(ogHome, "bin"), "og");
  writeToolWrappers(path.join(obHome, "bin"), "ob");
  writeHostTools(path.join(hostDir, "bin"));

  // OpenSSH refuses a private key readable by others, hence 0600.
  const client = generateEd25519(`lab-client@${name}`);
  const privateKeyPath = path.join(sshDir, "id_ed25519");
  fs.writeFileSync(privateKeyPath, client.private, { mode: 0o600 });
  fs.writeFileSync(`${privateKeyPath}.pub`, client.public + "\n", { mode: 0o644 });
  // Where a real host keeps it: a user rotates a login key over SSH as on any host
  // (`cat >> ~/.ssh/authorized_keys`), and both servers read it at each login.
  const authorizedKeysPath = path.join(home, ".ssh", "authorized_keys");
  fs.mkdirSync(path.dirname(authorizedKeysPath), { recursive: true, mode: 0o700 });
  fs.writeFileSync(authorizedKeysPath, keyText(client.public) + "\n", { mode: 0o600 });

  const hostKeyPair = generateEd25519(`lab-host@${name}`);
  const hostPrivateKeyPath = path.join(sshDir, "ssh_host_ed25519_key");
  fs.writeFileSync(hostPrivateKeyPath, hostKeyPair.private, { mode: 0o600 });
  fs.writeFileSync(`${hostPrivateKeyPath}.pub`, hostKeyPair.public + "\n", { mode: 0o644 });

  // A prompt that names the virtual host, not the machine, for people who log in by hand.
  fs.writeFileSync(path.join(home, ".bashrc"), `PS1='\\u@${name}:\\w\\$ '\n`);

  const commandLog = path.join(hostDir, "commands.log");
  fs.closeSync(fs.openSync(commandLog, "a"));
  return {
    name,
    address: `127.0.${block}.${index}`,
    // sshd only logs in users that exist, so openssh mode logs in as whoever runs the lab.
    user: sshd === "openssh" ? os.userInfo().username : `lab${index}`,
    privateKeyPath,
    hostKey: keyText(hostKeyPair.public),
    commandLog,
    dmHome,
    ogHome,
    obHome,
    dataRoot,
    hostDir,
    loginShell,
    hostPrivateKeyPath,
    authorizedKeysPath,
    clientPublicKey: keyText(client.public),
  };
}

/** The public part of a plan: a lab.json host. */
export function publicHost(plan: HostPlan, port: number): LabHost {
  return {
    name: plan.name,
    address: plan.address,
    port,
    user: plan.user,
    privateKeyPath: plan.privateKeyPath,
    hostKey: plan.hostKey,
    commandLog: plan.commandLog,
    dmHome: plan.dmHome,
    ogHome: plan.ogHome,
    obHome: plan.obHome,
    dataRoot: plan.dataRoot,
    hostDir: plan.hostDir,
    loginShell: plan.loginShell,
  };
}
