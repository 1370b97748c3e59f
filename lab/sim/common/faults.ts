import * as fs from "fs";
import * as path from "path";
import { hostEnv } from "./env";

/** Path of the counter that `lab fault --host H fail TOOL [COUNT]` writes. */
export function failureFile(tool: string, hostDir = hostEnv().hostDir): string {
  return path.join(hostDir, "faults", "fail", tool);
}

/**
 * `lab fault --host H hold-migration` (until `release-migration`): a server of H being deleted
 * stays deleting, its units' migration never finishing, so that a test sees that state for as
 * long as it needs instead of racing the lab's migration time.
 */
export function migrationHoldFile(hostDir = hostEnv().hostDir): string {
  return path.join(hostDir, "faults", "hold-migration");
}

/**
 * True when this run of `tool` must fail (an injected failure is pending); consumes one.
 * Call it first thing in a tool's main, then fail the way the real tool fails.
 * The counter is `<failures> [<runs to let through first>]`, so that a test can fail the Nth
 * run of a tool (say the third disql of an update) without racing the product for it.
 * Concurrent runs of the same tool each consume their own failure: the read-decrement-write
 * happens under an exclusive lock file. `keyedOnly`: only a keyed failure (`--when`) applies, a
 * plain one is left for the tool's other path (the observer's SQL statements against its start).
 */
export function takeInjectedFailure(tool: string, hostDir = hostEnv().hostDir, input?: string, opts: { keyedOnly?: boolean } = {}): boolean {
  const file = failureFile(tool, hostDir);
  if (!fs.existsSync(file)) return false;
  return withLock(`${file}.lock`, () => {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      return false; // consumed by a concurrent run between the check and the lock
    }
    const [counts, ...rest] = text.split("\n");
    const [left, after] = counts.trim().split(/\s+/).map((x) => Number.parseInt(x || "0", 10));
    if (!Number.isFinite(left) || left <= 0) {
      fs.rmSync(file, { force: true });
      return false;
    }
    // A keyed failure (`--when TEXT`) counts only the runs whose input (a disql script) holds TEXT.
    const when = rest.find((l) => l.startsWith("when "))?.slice("when ".length);
    if (when === undefined ? opts.keyedOnly : !(input ?? "").includes(when)) return false;
    const tail = when !== undefined ? `when ${when}\n` : "";
    if (Number.isFinite(after) && after > 0) {
      fs.writeFileSync(file, `${left} ${after - 1}\n${tail}`);
      return false;
    }
    if (left === 1) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, `${left - 1}\n${tail}`);
    return true;
  });
}

/**
 * Writes the failure counter (what `lab fault ... fail` does): `after` runs pass, then `count`
 * fail; with `when`, only runs whose input holds that text count (tools that take a script).
 */
export function injectFailure(tool: string, count: number, hostDir: string, after = 0, when?: string): void {
  const file = failureFile(tool, hostDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (count <= 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  // Written whole, then renamed: a tool never reads a half-written counter.
  fs.writeFileSync(`${file}.tmp`, `${after > 0 ? `${count} ${after}` : count}\n${when !== undefined ? `when ${when}\n` : ""}`);
  fs.renameSync(`${file}.tmp`, file);
}

const STALE_LOCK_MS = 5000;

function withLock<T>(lock: string, body: () => T): T {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, "wx"));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // A tool killed while holding the lock must not wedge every later run.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
      } catch { /* removed meanwhile */ }
      if (Date.now() > deadline) throw new Error(`cannot lock ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  try {
    return body();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
