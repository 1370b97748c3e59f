import * as crypto from "crypto";
import * as http from "http";
import { OssDest, signature } from "./signature";

/**
 * A signed OSS request as OceanBase's OSS device sends it (V1 header signature, path-style for
 * an IP endpoint), used by the OBServer stand-in to write backup sets and archive pieces.
 */
export interface OssRequest {
  readonly dest: OssDest;
  readonly method: "PUT" | "GET" | "HEAD" | "DELETE";
  /** Object key below the destination's prefix ("" for the bucket itself). */
  readonly key: string;
  readonly body?: string;
  readonly query?: Record<string, string>;
}

export interface OssResponse {
  readonly status: number;
  /** OSS's error code (`<Code>`) when it refused, else "". */
  readonly code: string;
  readonly message: string;
  readonly body: string;
}

export function objectKey(dest: OssDest, key: string): string {
  return [dest.prefix, key].filter((p) => p !== "").join("/");
}

export function sendOss(r: OssRequest): Promise<OssResponse> {
  const body = Buffer.from(r.body ?? "", "utf8");
  const key = objectKey(r.dest, r.key);
  const headers: Record<string, string> = { date: new Date().toUTCString(), "content-type": r.method === "PUT" ? "application/octet-stream" : "" };
  if (r.method === "PUT") headers["content-md5"] = crypto.createHash("md5").update(body).digest("base64");
  const sig = signature(r.dest.accessKey, { method: r.method, headers, resource: `/${r.dest.bucket}/${key}` });
  const qs = new URLSearchParams(r.query ?? {}).toString();
  const [hostname, port] = r.dest.host.replace(/^https?:\/\//, "").split(":");
  const pathPart = `/${encodeURIComponent(r.dest.bucket)}/${key.split("/").map(encodeURIComponent).join("/")}${qs ? `?${qs}` : ""}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname, port: Number(port || 80), method: r.method, path: pathPart, headers: { ...Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== "")), authorization: `OSS ${r.dest.accessId}:${sig}`, "content-length": String(body.length) }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const tag = (t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(text)?.[1] ?? "";
          const status = res.statusCode ?? 0;
          resolve({ status, code: status >= 300 ? tag("Code") || `HTTP ${status}` : "", message: status >= 300 ? tag("Message") : "", body: text });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${r.dest.host} within 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}
