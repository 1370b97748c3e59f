import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { RemoteCommandError } from "./errors";
import { Operation } from "./operation";
import { sh } from "./quote/sh";
import { ExecResult, SshPool, SshTarget, defaultPool } from "./ssh";

/** Remote files: atomic writes through stdin, batched reads, host-to-host directory copies. */

export interface WriteFileSpec {
  readonly host: string;
  readonly connKey: string;
  readonly path: string;
  readonly content: string;
  /** Permission bits of the final file. @default 0o600 */
  readonly mode?: number;
  readonly reason: string;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

function octal(mode: number): string {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new Error(`file mode ${mode} is not a permission value`);
  return mode.toString(8).padStart(4, "0");
}

/**
 * The write as an operation. The content travels on stdin (it may hold passwords); the file
 * appears whole or not at all (`mv` within one directory is atomic), and is never readable by
 * others on the way (umask 077 until the final chmod). The parent directory is created with
 * the default umask so that database users can still traverse it.
 */
export function writeFileOperation(spec: WriteFileSpec): Operation {
  const mode = octal(spec.mode ?? 0o600);
  const dir = path.posix.dirname(spec.path);
  const command =
    sh`f=${spec.path}; t="$f.tmp.$$"; mkdir -p ${dir} && ( umask 077; cat > "$t" ) && chmod ${mode} "$t" && mv -f "$t" "$f"` +
    sh` || { rc=$?; rm -f "$t"; exit $rc; }`;
  return {
    host: spec.host,
    connKey: spec.connKey,
    kind: "write-file",
    describe: `write ${spec.path} (${Buffer.byteLength(spec.content)} bytes, mode ${mode})`,
    command,
    stdin: spec.content,
    reason: spec.reason,
    timeoutMs: spec.timeoutMs ?? 60_000,
  };
}

function failure(host: string, kind: string, describe: string, r: ExecResult): RemoteCommandError {
  return new RemoteCommandError({
    host,
    kind,
    describe,
    code: r.code,
    signal: r.signal,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    stdout: r.stdout,
    stderr: r.stderr,
  });
}

/** Writes a file now (outside a plan). */
export async function writeRemoteFile(
  target: SshTarget,
  filePath: string,
  content: string,
  mode = 0o600,
  pool: SshPool = defaultPool,
): Promise<ExecResult> {
  const op = writeFileOperation({ host: target.conn.host, connKey: "", path: filePath, content, mode, reason: "" });
  const r = await pool.exec(target, op.command, { stdin: op.stdin, timeoutMs: op.timeoutMs });
  if (r.code !== 0) throw failure(op.host, op.kind, op.describe, r);
  return r;
}

/**
 * The one-round-trip read script: each file is announced by a line holding a random marker,
 * its index and its status, then printed byte for byte. The marker is fresh per call, so a
 * file's content cannot forge it.
 */
export function readFilesCommand(paths: readonly string[], marker: string): string {
  const parts = paths.map(
    (p, i) =>
      sh`if [ -f ${p} ] && [ -r ${p} ]; then printf '\n%s %s ok\n' ${marker} ${i}; cat ${p}; ` +
      sh`elif [ -e ${p} ]; then printf '\n%s %s unreadable\n' ${marker} ${i}; ` +
      sh`else printf '\n%s %s missing\n' ${marker} ${i}; fi`,
  );
  return parts.join("; ");
}

/** Parses the output of `readFilesCommand`. Missing files map to null. */
export function parseReadFiles(stdout: string, paths: readonly string[], marker: string, host = "host"): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const chunks = stdout.split(`\n${marker} `).slice(1);
  for (const chunk of chunks) {
    const nl = chunk.indexOf("\n");
    const [idx, status] = chunk.slice(0, nl).split(" ");
    const p = paths[Number(idx)];
    if (p === undefined) throw new Error(`unexpected index ${idx} in the file listing from ${host}`);
    if (status === "unreadable") throw new Error(`${host}: ${p} exists but is not a readable regular file`);
    out.set(p, status === "ok" ? chunk.slice(nl + 1) : null);
  }
  for (const p of paths) {
    if (!out.has(p)) throw new Error(`${host}: the listing of ${p} is missing (output cut short?)`);
  }
  return out;
}

/** Reads several files in one SSH round trip. */
export async function readRemoteFiles(
  target: SshTarget,
  paths: readonly string[],
  pool: SshPool = defaultPool,
  timeoutMs = 60_000,
): Promise<Map<string, string | null>> {
  if (paths.length === 0) return new Map();
  const marker = `--dbcluster-${randomBytes(12).toString("hex")}--`;
  const r = await pool.exec(target, readFilesCommand(paths, marker), { timeoutMs });
  if (r.code !== 0) throw failure(target.conn.host, "read-files", `read ${paths.length} file(s)`, r);
  return parseReadFiles(r.stdout, paths, marker, target.conn.host);
}

export interface CopyEnd {
  readonly target: SshTarget;
  readonly dir: string;
}

/**
 * Copies the contents of a directory from one host to another by piping `tar c` on the source
 * into `tar x` on the destination. Nothing is staged on this machine or on disk; the data
 * crosses this process once.
 */
export async function copyRemoteDir(
  from: CopyEnd,
  to: CopyEnd,
  pool: SshPool = defaultPool,
  timeoutMs = 3_600_000,
): Promise<{ bytes: number }> {
  const reader = await pool.spawn(from.target, sh`tar -C ${from.dir} -cf - .`, { timeoutMs });
  let writer;
  try {
    writer = await pool.spawn(to.target, sh`mkdir -p ${to.dir} && tar -C ${to.dir} -xf -`, { timeoutMs });
  } catch (err) {
    reader.kill();
    throw err;
  }
  let bytes = 0;
  let readerErr = "";
  let writerErr = "";
  reader.stderr.setEncoding("utf8").on("data", (d: string) => (readerErr += d));
  writer.stderr.setEncoding("utf8").on("data", (d: string) => (writerErr += d));
  writer.stdout.resume();
  reader.stdin.end();
  reader.stdout.on("data", (d: Buffer) => (bytes += d.length));
  reader.stdout.pipe(writer.stdin);
  // Whichever side dies first must not leave the other blocked on a full window; the first
  // failure is the cause, the other side's death is its consequence.
  let first: "reader" | "writer" | undefined;
  reader.done.then((r) => {
    if (r.code !== 0) {
      first ??= "reader";
      writer.kill();
    }
  });
  writer.done.then((r) => {
    if (r.code !== 0) {
      first ??= "writer";
      reader.kill();
      return;
    }
    // tar x may exit at the end-of-archive marker before reading the padding behind it: the
    // rest of the reader's output has nowhere to go, and a reader paused on it never closes.
    reader.stdout.unpipe(writer.stdin);
    reader.stdout.resume();
  });
  const [rr, wr] = await Promise.all([reader.done, writer.done]);
  const readerError = () => failure(from.target.conn.host, "copy-dir", `tar c ${from.dir}`, { ...rr, stderr: readerErr });
  const writerError = () => failure(to.target.conn.host, "copy-dir", `tar x into ${to.dir}`, { ...wr, stderr: writerErr });
  if (first === "reader") throw readerError();
  if (first === "writer") throw writerError();
  return { bytes };
}
