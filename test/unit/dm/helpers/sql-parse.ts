/**
 * An independent reader of the procedure calls the planners send (`NAME(arg, ...);`), for the
 * simulated catalog. Deliberately not the product's quoting code: a wrong quote must not agree
 * with itself.
 */
export type Arg = string | number | null;

export interface Call {
  readonly name: string;
  readonly args: Arg[];
}

export function parseCall(text: string): Call {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(text);
  if (!m) throw new Error(`not a procedure call: ${text}`);
  let i = m[0].length;
  const args: Arg[] = [];
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  for (;;) {
    skip();
    if (text[i] === ")" && args.length === 0) {
      i++;
      break;
    }
    if (text[i] === "'") {
      let s = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated string in ${text}`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += text[i++];
      }
      args.push(s);
    } else {
      const w = /^(NULL|-?\d+)/i.exec(text.slice(i));
      if (!w) throw new Error(`bad argument at ${i} in ${text}`);
      args.push(w[1].toUpperCase() === "NULL" ? null : Number(w[1]));
      i += w[1].length;
    }
    skip();
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (text[i] === ")") {
      i++;
      break;
    }
    throw new Error(`expected , or ) at ${i} in ${text}`);
  }
  skip();
  if (text.slice(i).trim() !== ";") throw new Error(`trailing text after call: ${text.slice(i)}`);
  return { name: m[1].toUpperCase(), args };
}

/** Statement text without whitespace outside string literals: compares the seed's layout with ours. */
export function normalizeSql(text: string): string {
  let out = "";
  let inStr = false;
  for (const ch of text) {
    if (ch === "'") inStr = !inStr;
    if (!inStr && /\s/.test(ch)) continue;
    out += ch;
  }
  return out;
}

/** One single-quoted (or bare) shell word at the start of `text`, unquoted. */
export function readShellWord(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length && !/[\s;]/.test(text[i])) {
    if (text[i] === "'") {
      const end = text.indexOf("'", i + 1);
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (text[i] === "\\") {
      out += text[i + 1];
      i += 2;
    } else out += text[i++];
  }
  return out;
}
