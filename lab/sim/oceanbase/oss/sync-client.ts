import { execFileSync } from "child_process";
import * as path from "path";
import type { OssRequest, OssResponse } from "./request";

/**
 * The OBServer stand-in applies lab time under its state lock, synchronously; writing a backup
 * set to OSS is an HTTP exchange, so it runs in a short child process (request-child.ts), the
 * request (credentials included) on its stdin, never on its command line.
 */
export function ossSync(r: OssRequest): OssResponse {
  const out = execFileSync(process.execPath, [path.join(__dirname, "request-child.js")], { input: JSON.stringify(r), encoding: "utf8", timeout: 20_000, stdio: ["pipe", "pipe", "pipe"] });
  return JSON.parse(out) as OssResponse;
}

/** OSS's refusal as OceanBase's OSS device reports it (the code and message OSS sent). */
export class OssRefused extends Error {
  constructor(readonly response: OssResponse, what: string) {
    super(`${what}: ${response.code}${response.message ? `: ${response.message}` : ""}`);
  }
}

export function ossPutSync(r: Omit<OssRequest, "method">): void {
  const res = ossSync({ ...r, method: "PUT" });
  if (res.status !== 200) throw new OssRefused(res, `put ${r.key}`);
}

export function ossDeleteSync(r: Omit<OssRequest, "method">): void {
  const res = ossSync({ ...r, method: "DELETE" });
  if (res.status !== 204 && res.status !== 404) throw new OssRefused(res, `delete ${r.key}`);
}
