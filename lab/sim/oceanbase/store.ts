import * as fs from "fs";
import * as path from "path";
import { parseOssDest } from "./oss/signature";
import { OssRefused, ossDeleteSync, ossPutSync, ossSync } from "./oss/sync-client";

/**
 * Where the OBServer stand-in's backup files go: a `file://` destination is a directory (the
 * lab's shared directory standing in for NFS), an `oss://` one the lab's OSS stand-in, reached
 * with the destination's own host and keys (signed requests: wrong keys fail the write the way
 * OSS refuses them). `rel` is the path below the destination.
 */
export function filePath(uri: string): string | undefined {
  return uri.startsWith("file://") ? uri.slice("file://".length) : undefined;
}

export type Files = readonly (readonly [name: string, content: string | Buffer])[];

/** Writes the files under `dest/rel` (`rel` "" for the destination itself); throws what the storage answered. Returns the bytes written. */
export function putFiles(dest: string, rel: string, files: Files): number {
  const root = filePath(dest);
  let bytes = 0;
  if (root !== undefined) {
    const dir = path.join(root, rel);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, content] of files) {
      fs.writeFileSync(path.join(dir, name), content);
      bytes += Buffer.byteLength(content);
    }
    return bytes;
  }
  const oss = parseOssDest(dest);
  if (!oss) throw new Error(`unsupported backup destination ${dest.replace(/access_key=[^&]*/, "access_key=***")}`);
  for (const [name, content] of files) {
    ossPutSync({ dest: oss, key: rel === "" ? name : `${rel}/${name}`, body: content.toString() });
    bytes += Buffer.byteLength(content);
  }
  return bytes;
}

/** Removes what putFiles wrote under `dest/rel` (the whole directory for file://). */
export function removeFiles(dest: string, rel: string, names: readonly string[]): void {
  const root = filePath(dest);
  if (root !== undefined) return void fs.rmSync(path.join(root, rel), { recursive: true, force: true });
  const oss = parseOssDest(dest);
  if (oss) for (const name of names) ossDeleteSync({ dest: oss, key: `${rel}/${name}` });
}

/** Reads the named files under `dest/rel`. */
export function readFiles(dest: string, rel: string, names: readonly string[]): [string, string][] {
  const root = filePath(dest);
  if (root !== undefined) return names.map((n) => [n, fs.readFileSync(path.join(root, rel, n), "utf8")]);
  const oss = parseOssDest(dest);
  if (!oss) throw new Error("unsupported backup destination");
  return names.map((n) => {
    const r = ossSync({ dest: oss, method: "GET", key: `${rel}/${n}` });
    if (r.status !== 200) throw new OssRefused(r, `get ${rel}/${n}`);
    return [n, r.body];
  });
}

/** Backup of backups: the same files, at the same place below another destination. */
export function copyFiles(from: string, to: string, rel: string, names: readonly string[]): void {
  putFiles(to, rel, readFiles(from, rel, names));
}
