import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { logForward } from "./command-log";
import { Connection, Server, utils } from "ssh2";
import { PtyInfo, SessionContext, resizePty, runSession } from "./session";

export interface EmbeddedHost {
  readonly address: string;
  readonly user: string;
  readonly hostPrivateKeyPath: string;
  /** OpenSSH authorized_keys file, read at each authentication as sshd does. */
  readonly authorizedKeysPath: string;
  readonly commandLog: string;
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly loginShell?: string;
  /** Takes the host down (power loss): the `down --when TEXT` fault's trigger. */
  readonly goDown?: () => void;
}

type PublicKey = import("ssh2").ParsedKey;

/** The keys of an authorized_keys file (blank lines, comments and unreadable lines skipped), read afresh. */
function authorizedKeys(file: string): PublicKey[] {
  let text = "";
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const keys: PublicKey[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const k = utils.parseKey(t);
    if (!(k instanceof Error) && !Array.isArray(k)) keys.push(k as PublicKey);
  }
  return keys;
}

/**
 * One host's SSH server, built on ssh2's server: public-key authentication only, for the
 * host's one user and the keys in its `~/.ssh/authorized_keys` (read at each login, as sshd
 * does), with `exec` and `shell` sessions. It listens on an ephemeral port of the host's
 * address; clients reach it through the host's relay.
 */
export class EmbeddedSshd {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  readonly children = new Set<ChildProcess>();
  port = 0;

  constructor(private readonly host: EmbeddedHost) {
    this.server = new Server({ hostKeys: [fs.readFileSync(host.hostPrivateKeyPath)] }, (client) => {
      this.connections.add(client);
      client.on("close", () => this.connections.delete(client));
      client.on("error", () => { /* a client cut mid-handshake is routine (faults, probes) */ });
      client.on("authentication", (ctx) => {
        const allowed = ctx.method === "publickey" && ctx.username === host.user ? authorizedKeys(host.authorizedKeysPath) : [];
        const key = ctx.method === "publickey" ? allowed.find((k) => k.type === ctx.key.algo && ctx.key.data.equals(k.getPublicSSH())) : undefined;
        const ok = ctx.method === "publickey" && key !== undefined && (!ctx.signature || key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true);
        if (ok) ctx.accept();
        else ctx.reject(["publickey"]);
      });
      client.on("ready", () => {
        client.on("session", (acceptSession) => this.session(acceptSession()));
        client.on("tcpip", (accept, reject, info) => this.forward(accept, reject, info));
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, this.host.address, () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  /** Drops every connection (the relay already cut them on `down`; this catches stragglers). */
  dropConnections(): void {
    for (const c of this.connections) c.end();
  }

  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /**
   * `direct-tcpip` (a client's local port forward), as OpenSSH offers it by default: logged
   * like a command so that tests can count the sessions a product opens; the `noforward`
   * fault (a file `faults/noforward`) refuses it as `AllowTcpForwarding no` would.
   */
  private forward(accept: () => import("ssh2").ServerChannel, reject: () => void, info: { destIP: string; destPort: number }): void {
    const to = `${info.destIP}:${info.destPort}`;
    const refused = fs.existsSync(path.join(path.dirname(this.host.commandLog), "faults", "noforward"));
    logForward(this.host.commandLog, to, refused);
    if (refused) return reject();
    const sock = net.connect({ host: info.destIP, port: info.destPort });
    sock.once("error", () => {
      reject();
    });
    sock.once("connect", () => {
      sock.removeAllListeners("error");
      const ch = accept();
      ch.on("error", () => sock.destroy());
      sock.on("error", () => ch.destroy());
      ch.pipe(sock).pipe(ch);
    });
  }

  /**
   * The `down --when TEXT` fault (a file `faults/down-when` holding TEXT): the first command whose
   * line holds TEXT never runs; the host goes down as it arrives (a power loss at that step).
   */
  private downBefore(command: string): boolean {
    const file = path.join(path.dirname(this.host.commandLog), "faults", "down-when");
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      return false;
    }
    if (text === "" || !command.includes(text) || !this.host.goDown) return false;
    fs.rmSync(file, { force: true });
    this.host.goDown();
    return true;
  }

  private session(session: import("ssh2").Session): void {
    const ctx: SessionContext = { env: this.host.env, cwd: this.host.cwd, commandLog: this.host.commandLog, shell: this.host.loginShell ?? "/bin/bash", children: this.children };
    let pty: PtyInfo | undefined;
    let child: ChildProcess | undefined;
    session.on("pty", (accept, _reject, info) => {
      pty = { rows: info.rows, cols: info.cols, term: info.term };
      accept?.();
    });
    session.on("window-change", (accept, _reject, info) => {
      accept?.();
      if (child && pty) resizePty(child, info.rows, info.cols);
    });
    // Like a default sshd: no AcceptEnv, so the client's environment never changes a command's.
    session.on("env", (_accept, reject) => reject?.());
    session.on("exec", (accept, reject, info) => {
      if (this.downBefore(info.command)) return reject?.();
      child = runSession(accept(), ctx, info.command, pty);
    });
    session.on("shell", (accept) => {
      child = runSession(accept(), ctx, undefined, pty);
    });
    session.on("subsystem", (_accept, reject) => reject());
  }
}
