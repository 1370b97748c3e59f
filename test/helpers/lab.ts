/**
 * Starts a lab of virtual SSH hosts for a test through the real CLI (`node dist/lab/cli.js`) and
 * talks to the hosts over real SSH, verifying each host key against lab.json.
 *
 *   const lab = await startLab({ hosts: 3 });
 *   const r = await lab.exec("host1", "disql ...");
 *   await lab.stop();
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client, ClientChannel } from "ssh2";
import type { LabHost, LabJson } from "../../lab/hosts/lab-json";
import type { LogEntry } from "../../lab/hosts/command-log";

export type { LabHost, LabJson, LogEntry };

export const REPO = path.resolve(__dirname, "..", "..");
export const LAB_CLI = path.join(REPO, "dist", "lab", "cli.js");

export interface StartLabOptions {
  /** How many hosts. @default 1 */
  readonly hosts?: number;
  /** @default "embedded" */
  readonly sshd?: "embedded" | "openssh";
  /** Every host's login shell. @default "bash" */
  readonly loginShell?: "bash" | "sh";
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status; null when the command died of a signal (see `signal`). */
  readonly code: number | null;
  readonly signal?: string;
}

export interface ExecOptions {
  /** Connect with this private key instead of the host's (to prove a wrong key is refused). */
  readonly privateKey?: string | Buffer;
  /** Expect this host key instead of lab.json's (to prove a wrong host key is refused). */
  readonly hostKey?: string;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

export interface Lab {
  readonly dir: string;
  readonly lab: LabJson;
  readonly hosts: LabHost[];
  host(name: string): LabHost;
  /** Runs `command` on a host over a fresh SSH connection. */
  exec(hostName: string, command: string, stdin?: string | Buffer, opts?: ExecOptions): Promise<ExecResult>;
  /** An open, verified SSH connection to a host, for tests that run several commands on one. */
  connect(hostName: string, opts?: ExecOptions): Promise<Client>;
  /** The host's command log, parsed. */
  commandLog(hostName: string): LogEntry[];
  /** `lab fault --host NAME ...args`; resolves the CLI's JSON answer. */
  fault(hostName: string, ...args: (string | number)[]): Promise<unknown>;
  /** `lab status --json`. */
  status(): Promise<StatusReport>;
  /** `lab down`, then removes the lab directory and what `atStop` names. Safe to call twice. */
  stop(): Promise<void>;
  /** Removes `file` (outside the lab directory) when the lab stops. */
  atStop(file: string): void;
}

export interface StatusReport {
  readonly running: boolean;
  readonly hosts: {
    readonly name: string;
    readonly state: "up" | "down" | "stopped";
    readonly latencyMs: number;
    readonly answerMs: number | null;
    readonly processes: { family: string; instance: string; pid: number; alive: boolean }[];
  }[];
}

/** Runs the lab CLI; rejects with its stderr when it exits non-zero. */
export function runLabCli(args: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  if (!fs.existsSync(LAB_CLI)) throw new Error(`${LAB_CLI} is missing: build first (npm run build)`);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [LAB_CLI, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`lab ${args.join(" ")} failed: ${stderr.trim() || err.message}`), { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** Compares the key a server presented with known_hosts key text (`ssh-ed25519 AAAA...`). */
export function hostKeyMatches(presented: Buffer, knownHostsKey: string): boolean {
  const blob = knownHostsKey.trim().split(/\s+/)[1];
  return blob !== undefined && Buffer.from(blob, "base64").equals(presented);
}

export async function startLab(opts: StartLabOptions = {}): Promise<Lab> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-"));
  const args = ["up", "--hosts", String(opts.hosts ?? 1), "--dir", dir, "--sshd", opts.sshd ?? "embedded", "--login-shell", opts.loginShell ?? "bash"];
  let lab: LabJson;
  try {
    lab = JSON.parse((await runLabCli(args)).stdout) as LabJson;
  } catch (e) {
    await runLabCli(["down", "--dir", dir]).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const host = (name: string): LabHost => {
    const h = lab.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host ${name} in the lab (${lab.hosts.map((x) => x.name).join(", ")})`);
    return h;
  };
  let stopped = false;
  const leftovers: string[] = [];

  const connect = (name: string, o: ExecOptions = {}): Promise<Client> => {
    const h = host(name);
    return new Promise((resolve, reject) => {
      const client = new Client();
      client.once("ready", () => resolve(client));
      client.once("error", reject);
      client.connect({
        host: h.address,
        port: h.port,
        username: h.user,
        privateKey: o.privateKey ?? fs.readFileSync(h.privateKeyPath),
        hostVerifier: (key: Buffer) => hostKeyMatches(key, o.hostKey ?? h.hostKey),
        readyTimeout: o.timeoutMs ?? 60_000,
      });
    });
  };

  const exec = async (name: string, command: string, stdin?: string | Buffer, o: ExecOptions = {}): Promise<ExecResult> => {
    const client = await connect(name, o);
    try {
      return await execOn(client, command, stdin, o.timeoutMs ?? 60_000);
    } finally {
      // Resolve only once the connection is closed, so the host has logged the disconnect.
      await new Promise<void>((resolve) => {
        client.once("close", () => resolve());
        client.end();
      });
    }
  };

  return {
    dir,
    lab,
    hosts: lab.hosts,
    host,
    exec,
    connect,
    commandLog: (name) => readLog(host(name).commandLog),
    fault: async (name, ...faultArgs) =>
      JSON.parse((await runLabCli(["fault", "--dir", dir, "--host", name, ...faultArgs.map(String)])).stdout) as unknown,
    status: async () => JSON.parse((await runLabCli(["status", "--dir", dir, "--json"])).stdout) as StatusReport,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await runLabCli(["down", "--dir", dir]);
      fs.rmSync(dir, { recursive: true, force: true });
      for (const f of leftovers) fs.rmSync(f, { force: true });
    },
    atStop: (file) => void leftovers.push(file),
  };
}

/** Runs one command on an open connection. */
export function execOn(client: Client, command: string, stdin?: string | Buffer, timeoutMs = 60_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err: Error | undefined, channel: ClientChannel) => {
      if (err) return reject(err);
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      const timer = setTimeout(() => {
        channel.close();
        reject(new Error(`command timed out after ${timeoutMs} ms: ${command}`));
      }, timeoutMs);
      channel.on("data", (d: Buffer) => out.push(d));
      channel.stderr.on("data", (d: Buffer) => errOut.push(d));
      channel.on("exit", (c: number | null, sig?: string) => {
        if (typeof c === "number") code = c;
        else if (sig) signal = sig;
        else if (typeof c === "string") signal = c;
      });
      channel.on("close", () => {
        clearTimeout(timer);
        resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(errOut).toString("utf8"), code, signal });
      });
      if (stdin !== undefined) channel.end(stdin);
      else channel.end();
    });
  });
}

function readLog(file: string): LogEntry[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as LogEntry);
}
