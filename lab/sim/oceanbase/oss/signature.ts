import * as crypto from "crypto";

/**
 * Aliyun OSS's V1 header signature, as OSS computes it to check a request (the only algorithm
 * OceanBase's OSS device signs with): `Authorization: OSS <AccessKeyId>:<Signature>`, Signature =
 * base64(HMAC-SHA1(AccessKeySecret, VERB\nContent-MD5\nContent-Type\nDate\n
 * CanonicalizedOSSHeaders CanonicalizedResource)). The lab's own implementation, written from
 * OSS's documentation and independent of the product's, so that a product that signs wrongly is
 * refused here as OSS would refuse it.
 */
export interface SignedRequest {
  readonly method: string;
  /** Header names lower-case. */
  readonly headers: Record<string, string | undefined>;
  /** `/bucket/` or `/bucket/key` (the key as sent, URL-decoded). */
  readonly resource: string;
  /** The query's sub-resources that take part in the signature (acl, uploads, ...). */
  readonly subResources?: Record<string, string | null>;
}

/** OSS's list of sub-resources that are part of CanonicalizedResource. */
export const SUB_RESOURCES = new Set(["acl", "uploads", "location", "cors", "logging", "website", "referer", "lifecycle", "delete", "append", "tagging", "objectMeta", "uploadId", "partNumber", "security-token", "position", "img", "style", "styleName", "replication", "replicationProgress", "replicationLocation", "cname", "bucketInfo", "comp", "qos", "live", "status", "vod", "startTime", "endTime", "symlink", "x-oss-process", "response-content-type", "response-content-language", "response-expires", "response-cache-control", "response-content-disposition", "response-content-encoding", "restore"]);

export function stringToSign(r: SignedRequest): string {
  const h = (name: string) => r.headers[name] ?? "";
  const ossHeaders = Object.keys(r.headers)
    .filter((k) => k.startsWith("x-oss-") && r.headers[k] !== undefined)
    .sort()
    .map((k) => `${k}:${String(r.headers[k]).trim()}\n`)
    .join("");
  const subs = Object.entries(r.subResources ?? {})
    .filter(([k]) => SUB_RESOURCES.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === null || v === "" ? k : `${k}=${v}`));
  const resource = r.resource + (subs.length > 0 ? `?${subs.join("&")}` : "");
  return `${r.method.toUpperCase()}\n${h("content-md5")}\n${h("content-type")}\n${h("date")}\n${ossHeaders}${resource}`;
}

export function signature(secret: string, r: SignedRequest): string {
  return crypto.createHmac("sha1", secret).update(stringToSign(r), "utf8").digest("base64");
}

/** `OSS id:sig` → {id, sig}; anything else → undefined. */
export function parseAuthorization(value: string | undefined): { id: string; sig: string } | undefined {
  const m = /^OSS ([^:\s]+):(\S+)$/.exec(value ?? "");
  return m ? { id: m[1], sig: m[2] } : undefined;
}

/**
 * OceanBase's OSS destination: `oss://bucket/path?host=endpoint&access_id=ID&access_key=KEY`
 * (OceanBase's docs: ALTER SYSTEM SET backup_dest / DATA_BACKUP_DEST).
 */
export interface OssDest {
  readonly bucket: string;
  /** Object key prefix without leading or trailing `/` ("" for the bucket's root). */
  readonly prefix: string;
  readonly host: string;
  readonly accessId: string;
  readonly accessKey: string;
}

export function parseOssDest(uri: string): OssDest | undefined {
  const m = /^oss:\/\/([^/?]+)\/?([^?]*)(?:\?(.*))?$/.exec(uri);
  if (!m) return undefined;
  const q: Record<string, string> = {};
  for (const part of (m[3] ?? "").split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0) q[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { bucket: m[1], prefix: m[2].replace(/^\/+|\/+$/g, ""), host: q.host ?? "", accessId: q.access_id ?? "", accessKey: q.access_key ?? "" };
}

/** What the views show of an OSS destination: the credentials never (a guess for 3.x; 4.x keeps them apart, encrypted). */
export function displayDest(uri: string): string {
  if (!uri.startsWith("oss://")) return uri;
  const d = parseOssDest(uri);
  if (!d) return uri;
  return `oss://${d.bucket}/${d.prefix}${d.host ? `?host=${d.host}` : ""}`;
}
