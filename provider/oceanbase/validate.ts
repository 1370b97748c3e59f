/**
 * `validatePolicy(inputs)`: every problem at once, each naming field, value (secrets redacted)
 * and rule. Field rules are in schema.ts; the rules of OCP's page that span fields are here.
 */
import { z } from "zod";
import { formatPath, valueAt } from "../core/failures";
import { BackupPolicySchema, BackupPolicySpec, CLEANUP_EXPIRY_DAYS, SECRET_KEYS } from "./schema";

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
  storageRules(storage, ["storage"], add);
  if (storage.oss !== undefined && storage.capacityAlarmPercent !== undefined) add(["storage", "capacityAlarmPercent"], OSS_NO_CAPACITY);
  scheduleRules(raw.schedule ?? {}, ["schedule"], (d) => d?.day, add);
  const sched = raw.schedule ?? {};
  const days: any[] = Array.isArray(sched.days) ? sched.days : [];
  if (days.length > 0 && !days.some((d) => d?.mode === "full")) add(["schedule", "days"], "at least one day must run a full backup (an incremental needs a full to build on)");

  const secondary = raw.secondary;
  if (secondary !== undefined && secondary !== null && typeof secondary === "object") {
    storageRules(secondary.storage ?? {}, ["secondary", "storage"], add);
    scheduleRules(secondary.schedule ?? {}, ["secondary", "schedule"], (d) => d, add);
    const inside = storageInside(secondary.storage ?? {}, storage);
    if (inside) add(["secondary", "storage"], `the secondary storage must differ from the primary storage and not lie inside it (${inside})`);
    const cleanup = raw.cleanup ?? {};
    const primaryDays = typeof cleanup.expiryDays === "number" ? cleanup.expiryDays : CLEANUP_EXPIRY_DAYS;
    if (cleanup.enabled === true && typeof secondary.expiryDays === "number" && secondary.expiryDays < primaryDays) {
      // Whether 3.x copies a set again once its copy expired is unknown: a shorter window would either
      // leave sets the primary still keeps without a copy, or copy and delete them again every day.
      add(["secondary", "expiryDays"], `a copy may not expire before the set it copies: at least cleanup.expiryDays (${primaryDays}), or leave it out to keep the copies`);
    }
    if (raw.tenants !== undefined) add(["secondary"], "backup of backups is OceanBase 3.x's (cluster level); tenants is for 4.x, which has no backup of backups: remove one of them");
  }

  const log = raw.logBackup ?? {};
  if (log.enabled === false) add(["logBackup", "enabled"], "log backup is required for physical backup and cannot be turned off (OCP's rule)");
  if (typeof log.pieceSwitchDays === "number" && (log.pieceSwitchDays < 1 || log.pieceSwitchDays > 7)) add(["logBackup", "pieceSwitchDays"], "the piece switch interval is 1 to 7 days (OceanBase's range)");
  if (raw.method === "logical") add(["method"], "logical backup is obdumper's job (full only), not a physical backup policy: use method physical");

  if (list.length > 0 || !parsed.success) return { ok: false, failures: list };
  return { ok: true, spec: parsed.data };
}

/**
 * A bucket has no size to fill: OSS grows without limit and reports only what is used (GetBucketStat's
 * Storage), and OCP's capacity threshold is for NFS. So a percent of "full" means nothing there.
 */
export const OSS_NO_CAPACITY = "OSS has no capacity to fill (a bucket grows without limit; OSS reports only the bytes used), so there is no percent to alarm on: remove capacityAlarmPercent, or watch the bucket's size with OSS's own monitoring";

type Add = (path: PropertyKey[], rule: string) => void;

function storageRules(storage: Record<string, any>, at: PropertyKey[], add: Add): void {
  if (storage.file !== undefined && storage.oss !== undefined) add(at, "give either file or oss, not both");
  if (storage.file === undefined && storage.oss === undefined) add(at, "give file (a directory on every OBServer) or oss");
}

/** Days in range and listed once, at most 10 a month, a real time zone. */
function scheduleRules(sched: Record<string, any>, at: PropertyKey[], dayOf: (d: any) => unknown, add: Add): void {
  const days: any[] = Array.isArray(sched.days) ? sched.days : [];
  const max = sched.period === "month" ? 31 : 7;
  const seen = new Set<number>();
  days.forEach((d, i) => {
    const day = dayOf(d);
    if (typeof day !== "number" || !Number.isInteger(day)) return;
    const path = typeof d === "object" ? [...at, "days", i, "day"] : [...at, "days", i];
    if (day < 1 || day > max) add(path, sched.period === "month" ? "a day of the month is 1 to 31" : "a day of the week is 1 (Monday) to 7 (Sunday)");
    if (seen.has(day)) add(path, "a day is listed once");
    seen.add(day);
  });
  if (sched.period === "month" && days.length > MAX_MONTH_DAYS) add([...at, "days"], `a monthly schedule has at most ${MAX_MONTH_DAYS} days (OCP's rule)`);
  if (typeof sched.timeZone === "string") {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: sched.timeZone });
    } catch {
      add([...at, "timeZone"], "an IANA time zone such as UTC or Asia/Shanghai");
    }
  }
}

/** Why the secondary storage is (inside) the primary one, or undefined when it is apart. */
function storageInside(second: Record<string, any>, primary: Record<string, any>): string | undefined {
  const within = (a: string, b: string) => a === b || (b === "/" ? a.startsWith("/") : a.startsWith(`${b}/`));
  const p = (o: any) => String(o?.path ?? "").replace(/^\/+|\/+$/g, "");
  if (typeof second.file?.path === "string" && typeof primary.file?.path === "string" && within(second.file.path, primary.file.path)) {
    return second.file.path === primary.file.path ? "the same directory" : `${second.file.path} is inside ${primary.file.path}`;
  }
  if (second.oss && primary.oss && second.oss.bucket === primary.oss.bucket && String(second.oss.endpoint) === String(primary.oss.endpoint)) {
    const a = p(second.oss), b = p(primary.oss);
    if (a === b || b === "" || a.startsWith(`${b}/`)) return a === b ? "the same bucket and path" : `oss://${second.oss.bucket}/${a} is inside oss://${primary.oss.bucket}/${b}`;
  }
  return undefined;
}
