/**
 * `validatePolicy(inputs)`: every problem at once, each naming field, value (secrets redacted)
 * and rule. Field rules are in schema.ts; the rules of OCP's page that span fields are here.
 */
import { z } from "zod";
import { formatPath, valueAt } from "../core/failures";
import { BackupPolicySchema, BackupPolicySpec, SECRET_KEYS } from "./schema";

export interface Failure {
  readonly path: string;
  readonly value: unknown;
  readonly rule: string;
}

/** OCP: "当调度周期为月时，最多只能选择 10 天". */
export const MAX_MONTH_DAYS = 10;


export function validatePolicy(inputs: unknown): { ok: true; spec: BackupPolicySpec } | { ok: false; failures: Failure[] } {
  const list: Failure[] = [];
  const add = (path: PropertyKey[], rule: string) => list.push({ path: formatPath(path), value: valueAt(inputs, path, [...SECRET_KEYS]), rule });
  const parsed = BackupPolicySchema.safeParse(inputs);
  if (!parsed.success) for (const i of (parsed.error as z.ZodError).issues) add(i.path as PropertyKey[], i.message);
  const raw = (inputs ?? {}) as Record<string, any>;

  const storage = raw.storage ?? {};
  if (storage.file !== undefined && storage.oss !== undefined) add(["storage"], "give either file or oss, not both");
  if (storage.file === undefined && storage.oss === undefined) add(["storage"], "give file (a directory on every OBServer) or oss");

  const sched = raw.schedule ?? {};
  const days: any[] = Array.isArray(sched.days) ? sched.days : [];
  const max = sched.period === "month" ? 31 : 7;
  days.forEach((d, i) => {
    if (typeof d?.day === "number" && Number.isInteger(d.day) && (d.day < 1 || d.day > max)) {
      add(["schedule", "days", i, "day"], sched.period === "month" ? "a day of the month is 1 to 31" : "a day of the week is 1 (Monday) to 7 (Sunday)");
    }
  });
  const seen = new Set<number>();
  days.forEach((d, i) => {
    if (typeof d?.day !== "number") return;
    if (seen.has(d.day)) add(["schedule", "days", i, "day"], "a day is listed once");
    seen.add(d.day);
  });
  if (sched.period === "month" && days.length > MAX_MONTH_DAYS) add(["schedule", "days"], `a monthly schedule has at most ${MAX_MONTH_DAYS} days (OCP's rule)`);
  if (days.length > 0 && !days.some((d) => d?.mode === "full")) add(["schedule", "days"], "at least one day must run a full backup (an incremental needs a full to build on)");
  if (typeof sched.timeZone === "string") {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: sched.timeZone });
    } catch {
      add(["schedule", "timeZone"], "an IANA time zone such as UTC or Asia/Shanghai");
    }
  }

  const log = raw.logBackup ?? {};
  if (log.enabled === false) add(["logBackup", "enabled"], "log backup is required for physical backup and cannot be turned off (OCP's rule)");
  if (typeof log.pieceSwitchDays === "number" && (log.pieceSwitchDays < 1 || log.pieceSwitchDays > 7)) add(["logBackup", "pieceSwitchDays"], "the piece switch interval is 1 to 7 days (OceanBase's range)");
  if (raw.method === "logical") add(["method"], "logical backup is obdumper's job (full only), not a physical backup policy: use method physical");
  if (raw.secondary !== undefined) add(["secondary"], "backup of backups is not built yet in this provider (and OceanBase 4.x has none)");

  if (list.length > 0 || !parsed.success) return { ok: false, failures: list };
  return { ok: true, spec: parsed.data };
}
