/**
 * Channel slots of one connection: at most `limit` channels open at once (OpenSSH's MaxSessions
 * defaults to 10), the rest wait in order. A server may allow fewer than our cap (MaxSessions, or
 * a session still being torn down): `lower` then brings the cap down to what it accepted.
 */
export class ChannelSlots {
  /** Channels open. */
  active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(public limit: number) {}

  /** Takes a slot, waiting for one if all are taken; resolves true when it had to wait. */
  async acquire(): Promise<boolean> {
    if (this.active < this.limit) {
      this.active++;
      return false;
    }
    // The releaser hands its slot over, so `active` is unchanged when we wake.
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    return true;
  }

  release(): void {
    // Above a lowered cap a slot is retired rather than handed over.
    const next = this.active <= this.limit ? this.waiters.shift() : undefined;
    if (next) next();
    else this.active--;
  }

  /** The server refused a channel while `active` were open (this one included). */
  lower(): void {
    if (this.active > 1) this.limit = Math.max(1, Math.min(this.limit, this.active - 1));
  }

  /** The connection is gone: every waiter wakes (and finds it closed). */
  wakeAll(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
