/**
 * Coalescing of requests that arrive close together: one remote command answers all of them.
 *
 * Why: Pulumi calls the provider once per resource, concurrently (a refresh reads every
 * resource at once), and a DMDPC cluster puts many resources on one host. Reading each
 * resource's host separately costs a round trip per resource per host; gathering the reads that
 * are waiting at the same moment costs one per host.
 *
 * A request only ever joins a batch that has not been sent yet, so its answer is always read
 * after it was asked for: coalescing never serves a stale result (converge relies on reading
 * what the previous round did). At most one batch per key is in flight: requests arriving
 * meanwhile wait for it to finish and then go out together (on a busy machine Pulumi's calls
 * trickle in over a second; this bounds the commands per host to about two whatever the pace).
 */

export interface CoalescerOptions {
  /** The batch is sent once no request joined it for this long. @default 15 */
  readonly quietMs?: number;
  /** ... or at the latest this long after its first request. @default 150 */
  readonly maxWaitMs?: number;
}

interface Pending<Req, Res> {
  readonly requests: Req[];
  readonly waiters: { resolve: (r: Res) => void; reject: (e: unknown) => void }[];
  readonly firstAt: number;
  timer?: NodeJS.Timeout;
  /** Its window closed while another batch of its key was in flight. */
  due?: boolean;
}

/** Batches per key; `send` answers a batch's requests in order (one result per request). */
export class Coalescer<Req, Res> {
  private readonly pending = new Map<string, Pending<Req, Res>>();
  private readonly inFlight = new Set<string>();
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  /** Batches sent and requests answered, for tests and benchmarks. */
  readonly stats = { batches: 0, requests: 0 };

  constructor(
    private readonly send: (key: string, requests: readonly Req[]) => Promise<Res[]>,
    opts: CoalescerOptions = {},
  ) {
    this.quietMs = opts.quietMs ?? 15;
    this.maxWaitMs = opts.maxWaitMs ?? 150;
  }

  request(key: string, req: Req): Promise<Res> {
    let p = this.pending.get(key);
    if (!p) {
      p = { requests: [], waiters: [], firstAt: Date.now() };
      this.pending.set(key, p);
    }
    const batch = p;
    const answer = new Promise<Res>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    batch.requests.push(req);
    if (batch.timer) clearTimeout(batch.timer);
    const left = batch.firstAt + this.maxWaitMs - Date.now();
    batch.timer = setTimeout(() => this.flush(key, batch), Math.max(0, Math.min(this.quietMs, left)));
    return answer;
  }

  private flush(key: string, batch: Pending<Req, Res>): void {
    if (this.inFlight.has(key)) {
      batch.due = true;
      return;
    }
    if (this.pending.get(key) === batch) this.pending.delete(key);
    this.inFlight.add(key);
    this.stats.batches++;
    this.stats.requests += batch.requests.length;
    const done = () => {
      this.inFlight.delete(key);
      const next = this.pending.get(key);
      if (next?.due) {
        if (next.timer) clearTimeout(next.timer);
        this.flush(key, next);
      }
    };
    this.send(key, batch.requests).finally(done).then(
      (results) => {
        if (results.length !== batch.requests.length) {
          const err = new Error(`internal: a batch of ${batch.requests.length} requests got ${results.length} answers`);
          for (const w of batch.waiters) w.reject(err);
          return;
        }
        batch.waiters.forEach((w, i) => w.resolve(results[i]));
      },
      (err) => {
        for (const w of batch.waiters) w.reject(err);
      },
    );
  }
}
