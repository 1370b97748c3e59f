/**
 * The only way commands are built: every interpolated value becomes one POSIX single-quoted
 * word, so no value can end the word, start a command, expand, glob or be read as an option
 * boundary. Single quotes are the one construct in which the shell interprets nothing; a quote
 * inside a value is written as `'\''` (close, escaped quote, reopen).
 */

/** A trusted shell fragment that `sh` inserts verbatim. */
export class RawShell {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type ShellValue = string | number | bigint | boolean | RawShell;
export type ShellArg = ShellValue | readonly ShellValue[];

function refuseNul(s: string): void {
  if (s.includes("\0")) {
    throw new Error(
      "sh: a value contains a NUL byte, which no shell word or command line can carry; " +
        "send binary data through stdin instead",
    );
  }
}

/** Quotes one value as a single shell word. */
export function quote(value: ShellValue): string {
  if (value instanceof RawShell) return value.text;
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint" && typeof value !== "boolean") {
    throw new TypeError(`sh: cannot interpolate a value of type ${value === null ? "null" : typeof value}`);
  }
  const s = String(value);
  refuseNul(s);
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function quoteArg(arg: ShellArg): string {
  if (Array.isArray(arg)) return (arg as readonly ShellValue[]).map(quote).join(" ");
  return quote(arg as ShellValue);
}

/**
 * Tagged template: sh`cat ${path}` → `cat '/the/path'`. Arrays become space-separated words;
 * an empty array contributes nothing. The literal parts are trusted code.
 */
export function sh(strings: TemplateStringsArray, ...args: ShellArg[]): string {
  let out = strings[0];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === undefined || args[i] === null) {
      throw new TypeError(`sh: interpolation #${i + 1} is ${String(args[i])} (after ${JSON.stringify(out.slice(-30))})`);
    }
    out += quoteArg(args[i]) + strings[i + 1];
  }
  refuseNul(out);
  return out;
}

/**
 * Escape hatch for fragments that are constants in our source or were themselves built with
 * `sh` (to compose commands). Never pass user input here.
 */
sh.raw = (text: string): RawShell => {
  refuseNul(text);
  return new RawShell(text);
};

/** Also exported under its own name for call sites that build word lists. */
sh.quote = quote;

/**
 * A script that needs bash (`$SECONDS`, `/dev/tcp`, ...) as one command whatever the login
 * shell: sshd runs a command with the user's login shell, which may be a POSIX sh (dash) where
 * those do not exist and fail quietly (`$SECONDS` is empty, `/dev/tcp/...` is a missing file).
 */
export function bash(script: string): string {
  return `bash -c ${quote(script)}`;
}
