/**
 * Local stand-in for provider/core/quote/sh.ts until it lands (then this file is deleted and the
 * imports point there). Every interpolation is one POSIX shell word; arrays expand to several
 * words; `raw()` marks text that was itself built by `sh`.
 */

const RAW = Symbol("raw");
export interface Raw {
  readonly [RAW]: string;
}

/** Text already quoted (built by `sh`): inserted as is. */
export function raw(text: string): Raw {
  return { [RAW]: text };
}

function isRaw(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && RAW in v;
}

/** One shell word for any string; plain tokens stay readable in plans and logs. */
export function quoteWord(value: string): string {
  if (value.includes("\0")) throw new Error("a shell word cannot contain NUL");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

type Interp = string | number | Raw | ReadonlyArray<string | number>;

export function sh(strings: TemplateStringsArray, ...values: Interp[]): string {
  let out = strings[0];
  values.forEach((v, i) => {
    if (isRaw(v)) out += v[RAW];
    else if (Array.isArray(v)) out += v.map((x) => quoteWord(String(x))).join(" ");
    else out += quoteWord(String(v));
    out += strings[i + 1];
  });
  return out;
}
