import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LOGIN_SHELLS, LabJson, LoginShell, SshdKind, labFiles, writeJsonAtomic } from "./lab-json";
import { SSHD, SSHD_MISSING } from "./openssh";
import { DaemonPlan, provisionHost, publicHost } from "./provision";
import { isAlive } from "../sim/common/pidfile";
import { claimBlock, releaseBlock, transferBlock } from "./address-block";

export interface UpOptions {
  /** How many hosts (1..254). */
  readonly hosts: number;
  /** The lab directory; created when absent. */
  readonly dir: string;
  /** @default "embedded" */
  readonly sshd?: SshdKind;
  /** Host i listens on basePort + i - 1. @default a free port chosen per host */
  readonly basePort?: number;
  /** The loopback block 127.0.N of the hosts' addresses. @default the first free from 127.0.10 */
  readonly net?: number;
  /** Every host's login shell. @default "bash" */
  readonly loginShell?: LoginShell;
}

/** Provisions the hosts, starts the daemon detached, and returns lab.json once all accept SSH. */
export async function labUp(opts: UpOptions): Promise<LabJson> {
  const dir = path.resolve(opts.dir);
  const sshd = opts.sshd ?? "embedded";
  if (!Number.isInteger(opts.hosts) || opts.hosts < 1 || opts.hosts > 254) throw new Error(`--hosts must be 1..254, got ${opts.hosts}`);
  if (sshd !== "embedded" && sshd !== "openssh") throw new Error(`--sshd must be embedded or openssh, got ${sshd}`);
  if (sshd === "openssh" && !fs.existsSync(SSHD)) throw new Error(SSHD_MISSING);
  const loginShell = opts.loginShell ?? "bash";
  if (!(loginShell in LOGIN_SHELLS)) throw new Error(`--login-shell must be ${Object.keys(LOGIN_SHELLS).join(" or ")}, got ${loginShell}`);
  fs.mkdirSync(dir, { recursive: true });
  const running = readDaemonPid(dir);
  if (running !== undefined && isAlive(running)) throw new Error(`a lab already runs in ${dir} (daemon pid ${running}): run down first`);

  const block = claimBlock(dir, process.pid, opts.net);
  try {
    const lab = await start(dir, sshd, block, opts.hosts, opts.basePort, LOGIN_SHELLS[loginShell]);
    return lab;
  } catch (e) {
    releaseBlock(dir);
    throw e;
  }
}

async function start(dir: string, sshd: SshdKind, block: number, hostCount: number, basePort: number | undefined, loginShell: string): Promise<LabJson> {
  const plan: DaemonPlan = {
    dir,
    sshd,
    basePort,
    labPath: process.env.PATH ?? "/usr/bin:/bin",
    hosts: Array.from({ length: hostCount }, (_, i) => provisionHost(dir, i + 1, sshd, block, loginShell)),
  };
  writeJsonAtomic(labFiles.plan(dir), plan);

  const log = fs.openSync(labFiles.daemonLog(dir), "a");
  const daemon = spawn(process.execPath, [path.join(__dirname, "daemon.js"), labFiles.plan(dir)], {
    detached: true,
    stdio: ["ignore", log, log, "ipc"],
    cwd: dir,
  });
  fs.closeSync(log);
  const ports = await new Promise<number[]>((resolve, reject) => {
    daemon.once("message", (m: { ports?: number[]; error?: string }) => (m.ports ? resolve(m.ports) : reject(new Error(m.error))));
    daemon.once("exit", (code) => reject(new Error(`lab daemon exited with ${code}; see ${labFiles.daemonLog(dir)}`)));
    daemon.once("error", reject);
  });
  daemon.disconnect();
  daemon.unref();
  transferBlock(block, dir, daemon.pid!);

  const lab: LabJson = { dir, sshd, hosts: plan.hosts.map((h, i) => publicHost(h, ports[i])) };
  writeJsonAtomic(labFiles.labJson(dir), lab);
  return lab;
}

export function readDaemonPid(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(labFiles.daemonPid(dir), "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
