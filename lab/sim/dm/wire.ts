/**
 * The simulator's wire format between its processes (disql <-> dmserver, dmserver <-> dmserver):
 * one JSON object per line over TCP. Not DM's protocol; only the simulator's tools speak it.
 */
import * as net from "net";

export type Msg = Record<string, unknown> & { op?: string };

/** Splits a socket's bytes into JSON messages. */
export function onMessages(sock: net.Socket, handle: (m: Msg) => void): void {
  let buf = "";
  sock.setEncoding("utf8");
  sock.on("data", (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      let m: Msg;
      try {
        m = JSON.parse(line) as Msg;
      } catch {
        sock.destroy();
        return;
      }
      handle(m);
    }
  });
}

export function send(sock: net.Socket, m: Msg): void {
  if (!sock.destroyed && sock.writable) sock.write(`${JSON.stringify(m)}\n`);
}

/** One request, one reply, on a fresh connection. Rejects on connection failure or timeout. */
export function request(host: string, port: number, m: Msg, timeoutMs = 2000): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timeout ${host}:${port}`));
    }, timeoutMs);
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on("connect", () => send(sock, m));
    onMessages(sock, (reply) => {
      clearTimeout(timer);
      sock.end();
      resolve(reply);
    });
    sock.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`closed ${host}:${port}`));
    });
  });
}

/** A persistent client connection with numbered requests and unsolicited pushes. */
export class Session {
  private nextId = 1;
  private pending = new Map<number, (m: Msg) => void>();
  private closed = false;

  private constructor(
    readonly sock: net.Socket,
    onPush: (m: Msg) => void,
    onClose: () => void,
  ) {
    onMessages(sock, (m) => {
      const id = typeof m.replyTo === "number" ? m.replyTo : undefined;
      const waiter = id !== undefined ? this.pending.get(id) : undefined;
      if (waiter && id !== undefined) {
        this.pending.delete(id);
        waiter(m);
      } else onPush(m);
    });
    sock.on("close", () => {
      this.closed = true;
      for (const w of this.pending.values()) w({ ok: false, error: "closed" });
      this.pending.clear();
      onClose();
    });
    sock.on("error", () => undefined);
  }

  static open(host: string, port: number, onPush: (m: Msg) => void, onClose: () => void, timeoutMs = 2000): Promise<Session> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`timeout ${host}:${port}`));
      }, timeoutMs);
      sock.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      sock.once("connect", () => {
        clearTimeout(timer);
        resolve(new Session(sock, onPush, onClose));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  call(m: Msg, timeoutMs = 5000): Promise<Msg> {
    if (this.closed) return Promise.resolve({ ok: false, error: "closed" });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: "timeout" });
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      send(this.sock, { ...m, id });
    });
  }

  close(): void {
    this.closed = true;
    this.sock.end();
  }
}

/** Replies to a numbered request on a server-side socket. */
export function reply(sock: net.Socket, req: Msg, m: Msg): void {
  send(sock, { ...m, replyTo: req.id });
}

export function listen(host: string, port: number, onConn: (s: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => {
      s.on("error", () => undefined);
      onConn(s);
    });
    server.once("error", reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.removeListener("error", reject);
      resolve(server);
    });
  });
}
