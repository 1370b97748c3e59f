import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { XMLBuilder } from "fast-xml-parser";
import { parseAuthorization, signature, stringToSign } from "./signature";

/**
 * The lab's OSS: an HTTP server with OSS's object API (PutObject, GetObject, HeadObject,
 * DeleteObject, ListObjects) and its V1 signed requests. Objects are files under
 * `<dataDir>/<bucket>/<key>`. A request is refused as OSS refuses it, with OSS's error XML:
 * no Authorization → AccessDenied, an unknown id → InvalidAccessKeyId, a wrong key or a signature
 * over other fields → SignatureDoesNotMatch, an unknown bucket → NoSuchBucket, a missing object →
 * NoSuchKey. Buckets are addressed path-style (`http://ip:port/bucket/key`), which is what OSS's
 * SDKs use for an IP endpoint, or virtual-hosted (`Host: bucket.endpoint`).
 *
 * Not modelled: the Date skew check (RequestTimeTooSkewed): lab time runs ahead of real time.
 */
export interface OssCredentials {
  readonly accessId: string;
  readonly accessKey: string;
  readonly buckets: readonly string[];
}

export interface OssConfig {
  readonly dataDir: string;
  /** Read at every request: a rotated key pair (`lab oceanbase oss-rotate`) takes effect at once. */
  readonly credentials: () => OssCredentials;
}

const xml = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: false });
const doc = (body: Record<string, unknown>) => xml.build({ "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" }, ...body });

const MESSAGES = {
  AccessDenied: [403, "You have no right to access this object because of bucket acl."],
  InvalidAccessKeyId: [403, "The OSS Access Key Id you provided does not exist in our records."],
  SignatureDoesNotMatch: [403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."],
  NoSuchBucket: [404, "The specified bucket does not exist."],
  NoSuchKey: [404, "The specified key does not exist."],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  InvalidObjectName: [400, "The specified object is not valid."],
} as const;
type OssCode = keyof typeof MESSAGES;

function fail(res: http.ServerResponse, req: http.IncomingMessage, code: OssCode, extra: Record<string, string> = {}): void {
  const [status, message] = MESSAGES[code];
  const requestId = crypto.randomBytes(12).toString("hex").toUpperCase();
  const body = req.method === "HEAD" ? "" : doc({ Error: { Code: code, Message: message, RequestId: requestId, HostId: req.headers.host ?? "", ...extra } });
  res.writeHead(status, { "Content-Type": "application/xml", "x-oss-request-id": requestId, "x-oss-ec": "0002-00000000" });
  res.end(body);
}

/** Path-style or virtual-hosted: the bucket and the object key a request names. */
function address(req: http.IncomingMessage): { bucket: string; key: string; query: URLSearchParams } {
  const url = new URL(req.url ?? "/", "http://lab");
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(host) && host.includes(".")) return { bucket: host.split(".")[0], key: parts.join("/"), query: url.searchParams };
  return { bucket: parts[0] ?? "", key: parts.slice(1).join("/"), query: url.searchParams };
}

function safeKey(key: string): boolean {
  return key.length <= 1023 && !key.startsWith("/") && !key.startsWith("\\") && !key.split("/").some((p) => p === ".." || p === ".");
}

function listObjects(root: string, prefix: string): { key: string; size: number; mtime: Date }[] {
  const out: { key: string; size: number; mtime: Date }[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (r.startsWith(prefix)) {
        const st = fs.statSync(path.join(dir, e.name));
        out.push({ key: r, size: st.size, mtime: st.mtime });
      }
    }
  };
  walk(root, "");
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

export function handle(oss: OssConfig, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
  const { bucket, key, query } = address(req);
  const cfg = { dataDir: oss.dataDir, ...oss.credentials() };
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) return fail(res, req, "AccessDenied");
  if (auth.id !== cfg.accessId) return fail(res, req, "InvalidAccessKeyId", { OSSAccessKeyId: auth.id });
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]));
  const signed = { method: req.method ?? "GET", headers, resource: `/${bucket}/${key}`, subResources: Object.fromEntries(query.entries()) };
  if (signature(cfg.accessKey, signed) !== auth.sig) {
    return fail(res, req, "SignatureDoesNotMatch", { OSSAccessKeyId: auth.id, SignatureProvided: auth.sig, StringToSign: stringToSign(signed) });
  }
  if (!cfg.buckets.includes(bucket)) return fail(res, req, "NoSuchBucket", { BucketName: bucket });
  const root = path.join(cfg.dataDir, bucket);
  if (key === "") {
    if (req.method !== "GET") return fail(res, req, "MethodNotAllowed");
    const prefix = query.get("prefix") ?? "";
    const items = listObjects(root, prefix);
    res.writeHead(200, { "Content-Type": "application/xml" });
    res.end(doc({ ListBucketResult: { Name: bucket, Prefix: prefix, Marker: "", MaxKeys: 1000, IsTruncated: false, Contents: items.map((o) => ({ Key: o.key, LastModified: o.mtime.toISOString(), Size: o.size, StorageClass: "Standard" })) } }));
    return;
  }
  if (!safeKey(key)) return fail(res, req, "InvalidObjectName");
  const file = path.join(root, key);
  switch (req.method) {
    case "PUT": {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body);
      res.writeHead(200, { ETag: `"${crypto.createHash("md5").update(body).digest("hex").toUpperCase()}"` });
      return void res.end();
    }
    case "GET":
    case "HEAD": {
      if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) return fail(res, req, "NoSuchKey", { Key: key });
      const data = fs.readFileSync(file);
      res.writeHead(200, { "Content-Length": String(data.length), "Content-Type": "application/octet-stream" });
      return void res.end(req.method === "GET" ? data : undefined);
    }
    case "DELETE":
      fs.rmSync(file, { force: true });
      res.writeHead(204);
      return void res.end();
    default:
      return fail(res, req, "MethodNotAllowed");
  }
}

export function ossServer(cfg: OssConfig): http.Server {
  for (const b of cfg.credentials().buckets) fs.mkdirSync(path.join(cfg.dataDir, b), { recursive: true });
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        handle(cfg, req, Buffer.concat(chunks), res);
      } catch (e) {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(String((e as Error).message));
      }
    });
  });
}
