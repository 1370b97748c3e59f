/**
 * How disql cuts its input into statements: SQL ends at `;` outside quotes or at a line holding only
 * `/`; `--` starts a comment; a line opening with a client command (SET, WHENEVER, EXIT, QUIT, CONN,
 * CONNECT) is a statement of its own that ends with the line, its `;` optional.
 */

export interface ScriptStatement {
  text: string;
  client: boolean;
}

const CLIENT_WORDS = /^(SET|WHENEVER|EXIT|QUIT|CONN|CONNECT|DISCONNECT|DISCONN|PROMPT)\b/i;

export function splitScript(script: string): ScriptStatement[] {
  const out: ScriptStatement[] = [];
  let cur = "";
  let quote: string | null = null;
  const flush = () => {
    const t = cur.trim();
    if (t) out.push({ text: t, client: false });
    cur = "";
  };
  for (let line of script.split(/\r?\n/)) {
    while (quote === null && cur.trim() === "" && CLIENT_WORDS.test(line.trim())) {
      const end = clientEnd(line);
      out.push({ text: line.slice(0, end).trim(), client: true });
      line = line.slice(end + 1);
    }
    if (quote === null && line.trim() === "/") {
      flush();
      continue;
    }
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quote) {
        cur += ch;
        if (ch === quote) quote = null;
      } else if (ch === "'" || ch === '"') {
        quote = ch;
        cur += ch;
      } else if (ch === "-" && line[i + 1] === "-") {
        break;
      } else if (ch === ";") {
        flush();
      } else cur += ch;
    }
    cur += "\n";
  }
  flush();
  return out;
}

/** Where a client command ends on its line: the first `;` outside quotes, else the line's end. */
function clientEnd(line: string): number {
  let q: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === q) q = null;
    } else if (ch === "'" || ch === '"') q = ch;
    else if (ch === ";") return i;
  }
  return line.length;
}

export interface Login {
  user: string;
  pwd: string;
  host: string;
  port: number;
}

/**
 * `USER/PWD@HOST:PORT`; PWD may be written in double quotes to hold / @ ; and spaces
 * (`SYSDBA/"p@ss;word"@127.0.10.1:5236`). Host and port default to this host and 5236.
 */
export function parseLogin(s: string, localHost: string): Login | undefined {
  const m = /^([^/@\s]+)(?:\/("(?:[^"])*"|[^@\s]*))?(?:@([^:\s]+)(?::(\d+))?)?$/.exec(s.trim());
  if (!m) return undefined;
  let pwd = m[2] ?? "";
  if (pwd.startsWith('"') && pwd.endsWith('"') && pwd.length >= 2) pwd = pwd.slice(1, -1);
  const host = !m[3] || m[3].toUpperCase() === "LOCALHOST" ? localHost : m[3];
  return { user: m[1], pwd, host, port: m[4] ? Number(m[4]) : 5236 };
}
