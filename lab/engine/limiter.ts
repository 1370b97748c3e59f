/** A counting semaphore: at most N provider operations at once (`--parallel N`). */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {
    if (!(max >= 1)) throw new Error(`parallelism must be at least 1, got ${max}`);
  }

  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await f();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Go-style duration ("1h30m", "90s", "2m") to whole seconds; 0 when absent. */
export function durationSeconds(text: string | undefined): number {
  if (!text) return 0;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
  let m: RegExpExecArray | null;
  let matched = "";
  while ((m = re.exec(text))) {
    matched += m[0];
    total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001 }[m[2] as "h" | "m" | "s" | "ms"];
  }
  if (matched !== text) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return Math.ceil(total);
}
