/** In-place edit of an ini file's global keys on the host. */
import { sh } from "../../core/quote/sh";

/**
 * Sets global keys of an ini file in place on the host (the same rules as ini.ts `editIni`: a
 * present key keeps its comment, a missing key is appended, all other lines stay). The pairs
 * come on stdin as `KEY=VALUE` lines, so no value is interpreted by the shell or by awk.
 */
export function setIniKeysCommand(file: string): { command: string; stdinFor: (changes: Record<string, string | number>) => string } {
  const program = [
    'NR == FNR { i = index($0, "="); if (i > 1) { k = toupper(substr($0, 1, i - 1)); if (!(k in want)) order[++n] = k; want[k] = substr($0, i + 1) } next }',
    '{ line = $0; body = line; c = index(line, "#"); if (c > 0) body = substr(line, 1, c - 1) }',
    'body ~ /^[ \\t]*\\[/ && !insec { flush(); insec = 1 }',
    '!insec { e = index(body, "="); if (e > 1) { k = toupper(substr(body, 1, e - 1)); gsub(/^[ \\t]+|[ \\t]+$/, "", k);',
    '  if (k in want) { if (k in done) next; done[k] = 1; out = substr(body, 1, e) " " want[k]; if (c > 0) out = out "  " substr(line, c); print out; next } } }',
    "{ print }",
    'END { flush() }',
    'function flush(  j) { for (j = 1; j <= n; j++) if (!(order[j] in done)) { print order[j] " = " want[order[j]]; done[order[j]] = 1 } }',
  ].join("\n");
  const command =
    sh`f=${file}; t="$f.tmp.$$"; [ -f "$f" ] || { echo "no such file: $f" >&2; exit 1; }; ` +
    sh`awk ${program} /dev/stdin "$f" > "$t" || { rm -f "$t"; exit 1; }; chmod --reference="$f" "$t" 2>/dev/null; mv -f "$t" "$f"`;
  const stdinFor = (changes: Record<string, string | number>) => {
    if (Object.keys(changes).length === 0) throw new Error("no ini keys to set");
    return Object.entries(changes)
      .map(([k, v]) => {
        const s = String(v);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || /[\r\n#\0]/.test(s)) throw new Error(`cannot set ${k}=${JSON.stringify(s)} in an ini file`);
        return `${k}=${s}\n`;
      })
      .join("");
  };
  return { command, stdinFor };
}
