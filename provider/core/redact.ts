/**
 * One registry of secret values per process (the dynamic-provider plugin serves every resource
 * of a run): whatever registers a password once, every log line and error is scrubbed of it.
 */

const MASK = "[secret]";

/** The ways a secret can appear in text we print: raw, shell-quoted, JSON-escaped. */
function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  out.add(secret.replace(/'/g, `'\\''`));
  out.add(JSON.stringify(secret).slice(1, -1));
  return [...out].filter((v) => v.length > 0);
}

export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] = [];

  /** Registers secret values; empty or absent values are ignored. */
  register(...secrets: (string | undefined | null)[]): void {
    let changed = false;
    for (const s of secrets) {
      if (!s) continue;
      for (const v of variants(s)) {
        if (!this.values.has(v)) {
          this.values.add(v);
          changed = true;
        }
      }
    }
    // Longest first, so that a secret containing another is masked whole.
    if (changed) this.sorted = [...this.values].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.sorted) {
      if (out.includes(v)) out = out.split(v).join(MASK);
    }
    return out;
  }

  get size(): number {
    return this.values.size;
  }
}

/** The process-wide registry. */
export const secrets = new Redactor();

export function registerSecret(...values: (string | undefined | null)[]): void {
  secrets.register(...values);
}

export function redact(text: string): string {
  return secrets.redact(text);
}
