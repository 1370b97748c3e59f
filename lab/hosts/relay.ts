import * as net from "net";
import { logConnection } from "./command-log";
import { DelayLine } from "./delay-line";

/**
 * The public face of a virtual host: a TCP relay on the host's address and port in front of
 * its SSH server (embedded or OpenSSH alike). Faults act here: `down` closes the listener and
 * cuts live connections, `latency` delays the client-to-server direction so each round trip
 * takes that much longer. It also logs connect/disconnect with the real client address,
 * which the SSH server behind it cannot see.
 */
export class HostRelay {
  private server: net.Server | undefined;
  private readonly live = new Set<net.Socket>();
  latencyMs = 0;

  constructor(
    readonly address: string,
    public port: number,
    private readonly backend: () => { host: string; port: number },
    private readonly commandLog: string,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Starts accepting; with port 0 the kernel picks one and `port` is updated. */
  listen(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = net.createServer((client) => this.accept(client));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        server.off("error", reject);
        this.port = (server.address() as net.AddressInfo).port;
        this.server = server;
        resolve();
      });
    });
  }

  /** Stops answering: no new connection and every live one cut at once. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.live) s.destroy();
    this.live.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const who = `${client.remoteAddress}:${client.remotePort}`;
    client.setNoDelay(true);
    logConnection(this.commandLog, "connect", who);
    const target = this.backend();
    const upstream = net.connect({ host: target.host, port: target.port });
    upstream.setNoDelay(true);
    this.live.add(client);
    this.live.add(upstream);
    const toServer = new DelayLine(upstream, () => this.latencyMs);
    client.on("data", (chunk: Buffer) => toServer.push(chunk));
    client.on("end", () => toServer.end());
    upstream.pipe(client);
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      toServer.discard();
      client.destroy();
      upstream.destroy();
      this.live.delete(client);
      this.live.delete(upstream);
      logConnection(this.commandLog, "disconnect", who);
    };
    client.on("close", finish);
    upstream.on("close", finish);
    client.on("error", finish);
    upstream.on("error", finish);
  }
}
