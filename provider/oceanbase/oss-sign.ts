import { createHash, createHmac } from "node:crypto";

/**
 * Aliyun OSS's V1 header signature, the one OceanBase's OSS device uses: the provider signs the
 * storage test's requests itself, so the access key never leaves this process (the hosts get the
 * Authorization header, which is good for that one request only).
 * Signature = base64(HMAC-SHA1(key, VERB\nContent-MD5\nContent-Type\nDate\n<x-oss-* headers><resource>)).
 */
export interface OssCredentials {
  readonly accessId: string;
  readonly accessKey: string;
}

export interface SignedHeaders {
  readonly Date: string;
  readonly "Content-Type"?: string;
  readonly "Content-MD5"?: string;
  readonly Authorization: string;
}

/** `resource` is `/bucket/key`, the key unencoded. */
export function signOss(c: OssCredentials, method: string, resource: string, date: Date, body?: string): SignedHeaders {
  const contentType = body === undefined ? "" : "text/plain";
  const md5 = body === undefined ? "" : createHash("md5").update(body, "utf8").digest("base64");
  const httpDate = date.toUTCString();
  const toSign = `${method}\n${md5}\n${contentType}\n${httpDate}\n${resource}`;
  const sig = createHmac("sha1", c.accessKey).update(toSign, "utf8").digest("base64");
  return {
    Date: httpDate,
    ...(body === undefined ? {} : { "Content-Type": contentType, "Content-MD5": md5 }),
    Authorization: `OSS ${c.accessId}:${sig}`,
  };
}

/** An IP endpoint is addressed path-style (as OSS's SDKs do), a domain virtual-hosted (`bucket.endpoint`). */
export function objectUrl(endpoint: string, bucket: string, key: string): string {
  const encoded = key.split("/").map(encodeURIComponent).join("/");
  return /^\d+\.\d+\.\d+\.\d+(:\d+)?$/.test(endpoint) ? `http://${endpoint}/${bucket}/${encoded}` : `http://${bucket}.${endpoint}/${encoded}`;
}
