import { Writable } from "stream";

/**
 * Forwards chunks to `out` after `delayMs()` milliseconds, keeping their order even when the
 * delay shrinks while chunks are in flight (a later chunk never overtakes an earlier one).
 */
export class DelayLine {
  private readonly queue: { due: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastDue = 0;
  private ended = false;

  constructor(private readonly out: Writable, private readonly delayMs: () => number) {}

  push(chunk: Buffer): void {
    const delay = this.delayMs();
    if (delay <= 0 && this.queue.length === 0) {
      this.out.write(chunk);
      return;
    }
    const due = Math.max(Date.now() + delay, this.lastDue);
    this.lastDue = due;
    this.queue.push({ due, chunk });
    this.schedule();
  }

  /** Ends `out` once everything queued has been delivered. */
  end(): void {
    this.ended = true;
    if (this.queue.length === 0) this.out.end();
  }

  /** Drops whatever is in flight (the connection was cut). */
  discard(): void {
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      while (this.queue.length > 0 && this.queue[0].due <= now) this.out.write(this.queue.shift()!.chunk);
      if (this.queue.length > 0) this.schedule();
      else if (this.ended) this.out.end();
    }, Math.max(0, this.queue[0].due - Date.now()));
  }
}
