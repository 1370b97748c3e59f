import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isAlive } from "../sim/common/pidfile";

/**
 * Loopback /24 blocks are machine-wide while labs are not: two labs on 127.0.10.x would both
 * run a simulated database on 127.0.10.1:5236. Each lab therefore claims a block with a file
 * created exclusively in the machine's temp directory; a claim whose owner process is gone is
 * stale and may be taken over.
 */
const CLAIMS = path.join(os.tmpdir(), "pulumi-dbcluster-lab-blocks");
export const DEFAULT_BLOCK = 10;

interface Claim {
  readonly dir: string;
  readonly pid: number;
}

function claimFile(block: number): string {
  return path.join(CLAIMS, `127.0.${block}`);
}

function readClaim(block: number): Claim | undefined {
  try {
    return JSON.parse(fs.readFileSync(claimFile(block), "utf8")) as Claim;
  } catch {
    return undefined;
  }
}

function tryClaim(block: number, dir: string, pid: number): boolean {
  fs.mkdirSync(CLAIMS, { recursive: true, mode: 0o1777 });
  const file = claimFile(block);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ dir, pid }), { flag: "wx" });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = readClaim(block);
      if (owner && isAlive(owner.pid)) return false;
      // Stale (or being written this instant, then the racing claimer's wx decides): retry once.
      fs.rmSync(file, { force: true });
    }
  }
  return false;
}

/** Claims `wanted` (error when taken), or the first free block from 127.0.10 upwards. */
export function claimBlock(dir: string, pid: number, wanted?: number): number {
  if (wanted !== undefined) {
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 254) throw new Error(`--net must be 127.0.N with N in 1..254`);
    if (!tryClaim(wanted, dir, pid)) throw new Error(`127.0.${wanted}.x is used by the lab in ${readClaim(wanted)?.dir}`);
    return wanted;
  }
  for (let block = DEFAULT_BLOCK; block <= 254; block++) if (tryClaim(block, dir, pid)) return block;
  throw new Error("every loopback block 127.0.10..254 is claimed by a running lab");
}

/** Hands the claim to the daemon, whose life it follows from now on. */
export function transferBlock(block: number, dir: string, pid: number): void {
  fs.writeFileSync(claimFile(block), JSON.stringify({ dir, pid }));
}

export function releaseBlock(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(CLAIMS);
  } catch {
    return;
  }
  for (const name of names) {
    const block = Number(name.split(".")[2]);
    if (readClaim(block)?.dir === dir) fs.rmSync(claimFile(block), { force: true });
  }
}

/** "127.0.12" or "12" -> 12. */
export function parseBlock(text: string): number {
  const m = /^(?:127\.0\.)?(\d{1,3})$/.exec(text);
  if (!m) throw new Error(`--net must look like 127.0.N, got ${text}`);
  return Number(m[1]);
}
