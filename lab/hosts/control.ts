import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

/** A request to the lab daemon over its control socket: one JSON line in, one JSON line out. */
export type ControlRequest =
  | { readonly op: "status" }
  | { readonly op: "fault"; readonly host: string; readonly kind: "down" | "up" | "latency"; readonly ms?: number }
  | { readonly op: "shutdown" };

export type ControlResponse = { readonly ok: true; readonly result?: unknown } | { readonly ok: false; readonly error: string };

/** The daemon's socket: in the lab directory when the path fits a unix socket address
 *  (108 bytes), else an abstract socket named after the directory. */
export function controlSocketPath(dir: string): string {
  const file = path.join(path.resolve(dir), "control.sock");
  if (Buffer.byteLength(file) < 100) return file;
  return `\0pulumi-dbcluster-lab-${crypto.createHash("sha256").update(path.resolve(dir)).digest("hex").slice(0, 32)}`;
}

export function serveControl(dir: string, handle: (req: ControlRequest) => Promise<unknown>): Promise<net.Server> {
  const where = controlSocketPath(dir);
  if (!where.startsWith("\0")) fs.rmSync(where, { force: true });
  const server = net.createServer((sock) => {
    let buf = "";
    sock.on("error", () => {});
    sock.on("data", async (chunk) => {
      buf += chunk.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = "";
      let res: ControlResponse;
      try {
        res = { ok: true, result: await handle(JSON.parse(line) as ControlRequest) };
      } catch (e) {
        res = { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      sock.end(JSON.stringify(res) + "\n");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(where, () => resolve(server));
  });
}

/** Sends one request; rejects with ENOENT/ECONNREFUSED when no daemon runs for `dir`. */
export function callControl(dir: string, req: ControlRequest, timeoutMs = 30_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(controlSocketPath(dir));
    let buf = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`lab daemon of ${dir} did not answer ${req.op} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on("connect", () => sock.write(JSON.stringify(req) + "\n"));
    sock.on("data", (c) => (buf += c.toString("utf8")));
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on("end", () => {
      clearTimeout(timer);
      try {
        const res = JSON.parse(buf) as ControlResponse;
        if (res.ok) resolve(res.result);
        else reject(new Error(res.error));
      } catch {
        reject(new Error(`lab daemon of ${dir} closed the control connection without an answer`));
      }
    });
  });
}
