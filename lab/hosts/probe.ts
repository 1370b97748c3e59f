import * as net from "net";

/** Connects and waits for the SSH identification line; resolves its round-trip time in ms. */
export function probeBanner(host: string, port: number, timeoutMs = 2000): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${host}:${port} sent no SSH banner within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once("data", (chunk: Buffer) => {
      clearTimeout(timer);
      sock.destroy();
      if (chunk.toString("latin1").startsWith("SSH-")) resolve(Number(process.hrtime.bigint() - started) / 1e6);
      else reject(new Error(`${host}:${port} does not speak SSH`));
    });
    sock.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Retries `probeBanner` until the server answers (sshd takes a moment to bind). */
export async function waitForBanner(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probeBanner(host, port, 1000);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A port of `host` free right now (for servers, like sshd, that cannot report what they bound). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
