/**
 * The backup storage: the destination URIs OceanBase takes (`file://DIR` for NFS, `oss://bucket/
 * path?host=…&access_id=…&access_key=…` for OSS), how they compare with what the server shows
 * (never the keys), and the storage test OCP's 测试 runs before anything is saved: a directory
 * must be the same writable directory on every OBServer and the job host, OSS must take the keys
 * from every OBServer.
 */
import type { Operation } from "../core/operation";
import { sh } from "../core/quote/sh";
import type { Target } from "./commands";
import { objectUrl, signOss } from "./oss-sign";
import type { BackupPolicySpec } from "./schema";

export const STORAGE_MARKER = ".pulumi-dbcluster-storage-test";

type Storage = BackupPolicySpec["storage"];

/** The destination for `sub` below the storage root ("" for the root), keys included. */
export function destUri(st: Pick<Storage, "file" | "oss">, sub = ""): string {
  if (st.file) return `file://${st.file.path}${sub}`;
  const o = st.oss!;
  const prefix = [o.path.replace(/^\/+|\/+$/g, ""), sub.replace(/^\/+/, "")].filter((p) => p !== "").join("/");
  return `oss://${o.bucket}/${prefix}?host=${o.endpoint}&access_id=${o.accessId}&access_key=${o.accessKey}`;
}

/** A destination without its credentials: what is compared with (and shown of) the server's value. */
export function withoutKeys(uri: string): string {
  const q = uri.indexOf("?");
  if (!uri.startsWith("oss://") || q < 0) return uri;
  const kept = uri.slice(q + 1).split("&").filter((p) => !/^access_(id|key)=/.test(p));
  return uri.slice(0, q).replace(/\/+$/, "") + (kept.length > 0 ? `?${kept.join("&")}` : "");
}

export const sameDest = (actual: string, desired: string): boolean => withoutKeys(actual) === withoutKeys(desired);

/** Any text with OSS keys in it (a statement, a URI), the key masked: what a plan prints. */
export const maskKeys = (text: string): string => text.replace(/access_key=[^&'\s]*/g, "access_key=***");

export interface StorageHosts {
  /** The cluster host (writes the marker) first, then the other OBServers' hosts. */
  readonly observers: readonly Target[];
  readonly job: Target;
}

/** File storage: the marker written on the first OBServer host, read on the others and the job host, then removed. */
export function fileTest(dir: string, policy: string, h: StorageHosts): { write: Operation[]; read: Operation[]; remove: Operation[] } {
  const [writer, ...others] = h.observers;
  const f = `${dir}/${STORAGE_MARKER}`;
  const content = `${policy} ${writer.host}`;
  const write: Operation = { host: writer.host, connKey: writer.connKey, kind: "storage-test", describe: `write a test marker into ${dir}`, command: sh`mkdir -p ${dir} && test -w ${dir} && printf '%s\n' ${content} > ${f}`, reason: "the backup storage is tested before it is saved", hint: `check that ${dir} is mounted and writable on ${writer.host}`, timeoutMs: 60_000 };
  const readers = [...others, ...(others.some((o) => o.connKey === h.job.connKey) || h.job.connKey === writer.connKey ? [] : [h.job])];
  const read = readers.map((t): Operation => ({
    host: t.host,
    connKey: t.connKey,
    kind: "storage-test",
    describe: `read the test marker from ${dir}`,
    command: sh`test -d ${dir} || { echo ${`${dir} does not exist on this host`} >&2; exit 1; }; test "$(cat ${f} 2>/dev/null)" = ${content} || { echo ${`${dir} on this host is not the directory ${writer.host} wrote to (its marker is missing): not mounted here?`} >&2; exit 1; }; test -w ${dir} || { echo ${`${dir} is not writable on this host`} >&2; exit 1; }`,
    reason: "the same directory must be seen from every host",
    hint: `the marker written on ${writer.host} is not in ${dir} on ${t.host}: mount the same shared directory (NFS) at that path on every OBServer and the job host`,
    timeoutMs: 60_000,
  }));
  const remove: Operation = { host: writer.host, connKey: writer.connKey, kind: "storage-test", describe: `remove the test marker from ${dir}`, command: sh`rm -f ${f}`, reason: "the storage test is done", timeoutMs: 60_000 };
  return { write: [write], read, remove: [remove] };
}

/**
 * OSS: from every OBServer host, a marker object is put and deleted with requests the provider
 * signed (the headers reach curl in a 0600 file made from stdin; the key never leaves the
 * provider). A refusal prints OSS's code and message (InvalidAccessKeyId, SignatureDoesNotMatch,
 * NoSuchBucket, ...).
 */
export function ossTest(oss: NonNullable<Storage["oss"]>, policy: string, h: StorageHosts, now = new Date()): Operation[] {
  const prefix = oss.path.replace(/^\/+|\/+$/g, "");
  return h.observers.map((t, i): Operation => {
    const key = [prefix, `${STORAGE_MARKER}.${policy}.${i}`].filter((p) => p !== "").join("/");
    const resource = `/${oss.bucket}/${key}`;
    const body = `${policy} ${t.host}`;
    const put = signOss(oss, "PUT", resource, now, body);
    const del = signOss(oss, "DELETE", resource, now);
    const url = objectUrl(oss.endpoint, oss.bucket, key);
    const lines = (hs: Record<string, string | undefined>) => Object.entries(hs).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`);
    const stdin = [...lines(put as unknown as Record<string, string>), "--", ...lines(del as unknown as Record<string, string>), ""].join("\n");
    // POSIX sh only (the login shell may be dash): the status is curl's last line, OSS's code and message come from its error XML.
    const request = (method: string, extra: string, want: string) =>
      sh`r=$(curl -sS -X ${method} -H @"$h" ` + extra + sh` -w '\n%{http_code}' ${url} 2>&1) || { printf 'no answer from OSS at %s: %s\n' ${oss.endpoint} "$r" >&2; exit 1; }; ` +
      sh`s=$(printf '%s' "$r" | tail -n 1); if [ "$s" != ${want} ]; then c=$(printf '%s' "$r" | sed -n 's:.*<Code>\\(.*\\)</Code>.*:\\1:p'); m=$(printf '%s' "$r" | sed -n 's:.*<Message>\\(.*\\)</Message>.*:\\1:p'); ` +
      sh`printf 'OSS refused %s %s: %s: %s (HTTP %s)\n' ${method} ${resource} "\${c:-HTTP $s}" "$m" "$s" >&2; exit 1; fi`;
    const command =
      sh`umask 077; h=$(mktemp) || exit 1; trap 'rm -f "$h"' EXIT; : > "$h"; while IFS= read -r l && [ "$l" != -- ]; do printf '%s\n' "$l" >> "$h"; done; ` +
      request("PUT", sh`--data-binary ${body}`, "200") +
      sh`; : > "$h"; while IFS= read -r l && [ -n "$l" ]; do printf '%s\n' "$l" >> "$h"; done; ` +
      request("DELETE", "", "204");
    return { host: t.host, connKey: t.connKey, kind: "storage-test", describe: `put and delete a test object in oss://${oss.bucket}/${prefix} at ${oss.endpoint}`, command, stdin, reason: "the backup storage is tested before it is saved", hint: `check the OSS endpoint, bucket, access id and key, and that ${t.host} reaches ${oss.endpoint}`, timeoutMs: 60_000 };
  });
}
