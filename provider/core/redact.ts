/**
 * The one place secrets are masked. Text (logs, errors, the printed plan): every value
 * registered once is masked wherever it appears. Structured values (a failure's `got ...`):
 * fields whose name says secret are masked before the value is printed.
 *
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

/** Fields that hold secrets in any input this package takes (connections and DM's SYSDBA password). */
export const SECRET_FIELDS: readonly string[] = ["password", "privateKey", "privateKeyPassword", "sysdbaPassword"];
/** Fields whose names look secret but hold public data. */
const PUBLIC_FIELDS = new Set(["hostKey"]);

/**
 * Whether a field's value is masked: a secret field, or a name that looks like one (a misspelt
 * `privatekey` or `pasword` holds what its correct spelling would).
 */
export function isSecretField(name: string, secretFields: readonly string[] = SECRET_FIELDS): boolean {
  if (PUBLIC_FIELDS.has(name)) return false;
  const n = name.toLowerCase();
  if (/pass|secret|token|key/.test(n)) return true;
  return secretFields.some((f) => f.toLowerCase() === n || nearlyEqual(f.toLowerCase(), n));
}

/** One edit (insert, delete, substitute) apart. */
function nearlyEqual(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}

/** A deep copy of `value` with secret fields (and registered secret values) masked, for printing. */
export function redactFields(value: unknown, secretFields: readonly string[] = SECRET_FIELDS): unknown {
  if (Array.isArray(value)) return value.map((v) => redactFields(v, secretFields));
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, isSecretField(k, secretFields) ? MASK : redactFields(x, secretFields)]));
}
