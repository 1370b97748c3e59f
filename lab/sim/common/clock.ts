import * as fs from "fs";
import * as path from "path";

/**
 * The lab's clock (spec lab.md §4): real time plus an offset kept in `<labDir>/clock.json`, so
 * that `lab clock --advance 1d` moves every simulator's notion of "now" at once while jobs still
 * progress as real time passes. A command started by the lab's cron carries `LAB_NOW`; the
 * clock file stays the authority (a job started at LAB_NOW keeps ageing while it runs).
 */
export function clockFile(labDir: string): string {
  return path.join(labDir, "clock.json");
}

export function clockOffsetMs(labDir: string): number {
  try {
    const v = JSON.parse(fs.readFileSync(clockFile(labDir), "utf8")) as { offsetMs?: number };
    return typeof v.offsetMs === "number" && Number.isFinite(v.offsetMs) ? v.offsetMs : 0;
  } catch {
    return 0;
  }
}

/** Lab time in ms since the epoch. */
export function labNow(labDir: string): number {
  return Date.now() + clockOffsetMs(labDir);
}

/** Sets the clock so that now is `whenMs` (never backwards: history would contradict itself). */
export function setLabNow(labDir: string, whenMs: number): void {
  const offsetMs = Math.max(clockOffsetMs(labDir), whenMs - Date.now());
  const tmp = `${clockFile(labDir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ offsetMs }) + "\n");
  fs.renameSync(tmp, clockFile(labDir));
}

/** `90s`, `15m`, `2h`, `14d` → ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`a duration is N followed by s, m, h or d (got ${JSON.stringify(text)})`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
}
