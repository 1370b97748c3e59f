/**
 * Reading DM's actual state: instance state per host (directory, ini files, process) and the
 * catalog per MP (every catalog table in one disql script), hosts in parallel.
 *
 * Every resource of a run is served by one plugin process, and Pulumi asks them concurrently (a
 * refresh reads them all at once; a cluster's instances are created together). Reads waiting at
 * the same moment are coalesced: one SSH command per host reads the state of every instance
 * asked for on it, and one disql run per MP answers every catalog read; one batch per host (per
 * MP) is in flight at a time, and what arrives meanwhile goes out together next. A read only
 * joins a batch not yet sent, so it is never older than the request (see core/batch.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import type { RunContext } from "../../converge";
import { Coalescer } from "../../core/batch";
import { HostKeyMismatchError } from "../../core/errors";
import { MAX_COMMAND_BYTES, type ExecResult } from "../../core/ssh";
import { parseCatalog, type Catalog } from "../catalog";
import { disqlCommand, files, hostStateCommand, hostStatesCommand, parseHostState, parseHostStates, type HostState, type InstanceLayout } from "../commands";
import { targetOf } from "../ops";
import type { ConnectionArgs, MpLogin } from "../schema";
import { catalogReadScript } from "../sql";

/** A fresh random marker for framing a read's output (no file content or output can forge it). */
export const marker = () => `--dbcluster-${randomBytes(12).toString("hex")}--`;

/**
 * A batch key: everything that makes the callers of a batch interchangeable. The identity key
 * (user, host, port, route, credential, pinned keys) and the host keys each caller recorded
 * (target and jump host): a read is only ever shared by callers whose every expectation the one
 * command that answers them checks.
 */
function batchKey(ctx: RunContext, connKey: string, extra = ""): string {
  const target = ctx.target(connKey);
  return [connKey, target.knownHostKey ?? "", target.knownProxyHostKey ?? "", extra].join("\n");
}

/** Runs a read for several callers on the first one's context; every caller records the host keys. */
export async function execFor(callers: readonly { ctx: RunContext; connKey: string }[], command: string, stdin?: string): Promise<ExecResult> {
  const [first, ...rest] = callers;
  const start = Date.now();
  const r = await first.ctx.exec(first.connKey, command, stdin);
  for (const c of rest) {
    c.ctx.recordHostKeys(c.connKey, r);
    // Each caller waited for this read: it is a step of each one's read phase.
    c.ctx.traceStep(c.connKey, "read", command, start);
  }
  return r;
}

interface HostRead {
  readonly ctx: RunContext;
  readonly connKey: string;
  readonly host: string;
  readonly layout: InstanceLayout;
  readonly name: string;
}

/** The last lines of a read's stderr, for a message (the log and errors mask registered secrets). */
export function stderrTail(r: Pick<ExecResult, "stderr">): string {
  return r.stderr.trim().split("\n").slice(-3).join(" | ");
}

function hostReadFailed(host: string, what: string, r: ExecResult): Error {
  return new Error(`${host}: reading ${what} failed (exit ${r.code}): ${stderrTail(r)}`);
}

/** Keeps a batched command well inside the exec request limit of SSH servers. */
const MAX_BATCH_BYTES = MAX_COMMAND_BYTES - 4096;

async function readHostBatch(_key: string, reads: readonly HostRead[]): Promise<HostState[]> {
  const host = reads[0].host;
  // One read per database directory, however many resources asked for it.
  const unique = new Map<string, InstanceLayout>();
  for (const r of reads) unique.set(files.dbDir(r.layout), r.layout);
  const layouts = [...unique.values()];
  const states = new Map<string, HostState>();
  if (layouts.length === 1) {
    const m = marker();
    const r = await execFor(reads, hostStateCommand(layouts[0], m));
    if (r.code !== 0) throw hostReadFailed(host, `${reads[0].name}'s state`, r);
    states.set(files.dbDir(layouts[0]), parseHostState(r.stdout, layouts[0], m, host));
  } else {
    const chunks: { layout: InstanceLayout; marker: string }[][] = [[]];
    for (const layout of layouts) {
      const part = { layout, marker: marker() };
      const chunk = chunks[chunks.length - 1];
      if (chunk.length > 0 && hostStatesCommand([...chunk, part], "x".repeat(40)).length > MAX_BATCH_BYTES) chunks.push([part]);
      else chunk.push(part);
    }
    await Promise.all(
      chunks.map(async (chunk) => {
        const batch = marker();
        const r = await execFor(reads, hostStatesCommand(chunk, batch));
        if (r.code !== 0) throw hostReadFailed(host, `the state of ${chunk.length} instances`, r);
        parseHostStates(r.stdout, chunk, batch, host).forEach((s, i) => states.set(files.dbDir(chunk[i].layout), s));
      }),
    );
  }
  return reads.map((r) => states.get(files.dbDir(r.layout))!);
}

/**
 * A refresh reads every resource at once and nothing waits on a single answer, so its reads wait
 * longer for company; converge reads keep the short window (they are on a deployment's path).
 */
const REFRESH_WINDOW = { quietMs: 60, maxWaitMs: 1000 };
const hostReads = new Coalescer<HostRead, HostState>(readHostBatch);
const refreshHostReads = new Coalescer<HostRead, HostState>(readHostBatch, REFRESH_WINDOW);

export async function readHost(ctx: RunContext, where: InstanceLayout & { connection: ConnectionArgs; name: string }): Promise<HostState> {
  const t = targetOf(where.connection);
  const key = batchKey(ctx, t.connKey);
  return (ctx.op === "refresh" ? refreshHostReads : hostReads).request(key, { ctx, connKey: t.connKey, host: t.host, layout: where, name: where.name });
}

export async function readHosts<M extends InstanceLayout & { connection: ConnectionArgs; name: string }>(
  ctx: RunContext,
  members: readonly M[],
): Promise<Record<string, HostState>> {
  const states = await Promise.all(members.map((m) => readHost(ctx, m)));
  return Object.fromEntries(members.map((m, i) => [m.name, states[i]]));
}

export interface CatalogRead {
  readonly catalog: Catalog | null;
  /** The MP that answered. */
  readonly via?: string;
  /** Why no MP answered, per MP. */
  readonly errors: string[];
}

interface CatalogAsk {
  readonly ctx: RunContext;
  readonly connKey: string;
  readonly login: MpLogin;
  readonly password: string;
}

/** One disql run answers every catalog read waiting for the same MP (each caller parses its own copy). */
async function readCatalogBatch(_key: string, asks: readonly CatalogAsk[]): Promise<ExecResult[]> {
  const { login, password } = asks[0];
  const r = await execFor(asks, disqlCommand(login), catalogReadScript({ password, ip: login.ip, port: login.portNum }, { raftInfo: true }));
  return asks.map(() => r);
}
const catalogReads = new Coalescer<CatalogAsk, ExecResult>(readCatalogBatch);
const refreshCatalogReads = new Coalescer<CatalogAsk, ExecResult>(readCatalogBatch, REFRESH_WINDOW);

/**
 * Tries the MPs in order; the first that answers is the one logged into (with an MP RAFT group,
 * any OPEN member serves reads; catalog changes go to the one that answered).
 */
export async function readCatalog(ctx: RunContext, logins: readonly MpLogin[], password: string): Promise<CatalogRead> {
  const errors: string[] = [];
  for (const login of logins) {
    const t = targetOf(login.connection);
    try {
      // The password is part of what makes two reads the same; only its digest is kept as a key.
      const digest = createHash("sha256").update(password).digest("hex");
      const key = batchKey(ctx, t.connKey, `${login.ip}:${login.portNum}\n${login.dmHome ?? ""}\n${digest}`);
      const r = await (ctx.op === "refresh" ? refreshCatalogReads : catalogReads).request(key, { ctx, connKey: t.connKey, login, password });
      if (r.code !== 0) {
        errors.push(`${login.name}@${t.host}: disql exit ${r.code}: ${(r.stdout + r.stderr).trim().split("\n").slice(-2).join(" | ")}`);
        continue;
      }
      return { catalog: parseCatalog(r.stdout), via: login.name, errors };
    } catch (err) {
      // A host presenting another key is a refusal to act, not an MP that is down: it must reach
      // the user as itself (with its advice), never turn into "catalog unreadable".
      if (err instanceof HostKeyMismatchError) throw err;
      errors.push(`${login.name}@${t.host}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { catalog: null, errors };
}
