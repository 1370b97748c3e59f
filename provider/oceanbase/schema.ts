/**
 * Input schema of `oceanbase:BackupPolicy` (zod): OCP's "new backup policy" page (seed 001),
 * field by field. Rules that span fields are in validate.ts.
 */
import { z } from "zod";
import { ConnectionSchema } from "../core/connection";

export const SECRET_KEYS = new Set(["password", "privateKey", "privateKeyPassword", "accessKey"]);

/** Names that end up in paths, cron markers and file names on the job host. */
export const policyName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "a policy name starts with a letter and holds up to 64 letters, digits, _ and -");

export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day is HH:MM (00:00 to 23:59)");

/** root@sys's password: MySQL's handshake carries anything, the defaults file (or a stdin line) needs one line. */
export const password = z.string().min(1, "the password cannot be empty").refine((s) => !/[\0\r\n]/.test(s), "the password cannot contain NUL or a line break (obclient's defaults file holds it on one line)");

export const ClusterSchema = z
  .object({
    /** A host that reaches an OBServer's SQL port: SQL runs there (obclient) and through it (port forwarding). */
    connection: ConnectionSchema,
    /** The OBServer's address as that host sees it. @default "127.0.0.1" */
    host: z.string().regex(/^[A-Za-z0-9_.:-]+$/, "an IPv4/IPv6 address or host name").default("127.0.0.1"),
    /** The OBServer's SQL port. @default 2881 */
    port: z.number().int().min(1).max(65535).default(2881),
    /** root@sys's password (a secret). */
    password,
    /**
     * The other OBServers' hosts: the storage test (OCP's 测试) runs on every OBServer, so a
     * directory not mounted on one of them, or an OSS endpoint one of them cannot reach, is found
     * before anything is saved. @default only `connection`'s host
     */
    servers: z.array(z.object({ connection: ConnectionSchema }).strict()).optional(),
  })
  .strict();

const absDir = z
  .string()
  .regex(/^\//, "must be an absolute path")
  .refine((s) => !s.includes("?"), "cannot contain ? (OceanBase refuses '?' in an NFS backup path)")
  .refine((s) => !/[\0\r\n'"\\\s]/.test(s), "cannot contain quotes, backslashes, blanks or line breaks (it becomes part of OceanBase's backup URI)")
  .refine((s) => s.length === 1 || !s.endsWith("/"), "write it without a trailing /")
  .refine((s) => !s.split("/").includes(".."), "cannot contain ..");

export const StorageSchema = z
  .object({
    /** OCP's 存储配置名称: a label for the storage. */
    name: z.string().min(1, "the storage needs a name").max(64).refine((s) => !/[\0\r\n]/.test(s), "cannot contain NUL or a line break"),
    /** File storage: a directory mounted at the same path on every OBServer (NFS). */
    file: z.object({ path: absDir }).strict().optional(),
    /** OSS storage. */
    oss: z
      .object({
        /** OCP's 访问域名: `host[:port]`, as OceanBase's `host=` takes it (no scheme). */
        endpoint: z.string({ error: "OSS needs an endpoint (访问域名)" }).min(1, "OSS needs an endpoint (访问域名)").regex(/^[A-Za-z0-9][A-Za-z0-9.-]*(:\d{1,5})?$/, "an endpoint is host[:port] without a scheme, e.g. oss-cn-hangzhou.aliyuncs.com"),
        /** OSS's bucket rule: 3 to 63 lower-case letters, digits and -, starting and ending with a letter or digit. */
        bucket: z.string({ error: "OSS needs a bucket" }).min(1, "OSS needs a bucket").regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "a bucket name is 3 to 63 lower-case letters, digits and -, starting and ending with a letter or digit (OSS's rule)"),
        /** The object prefix inside the bucket (OCP's 路径). */
        path: z.string().default("").refine((s) => /^[A-Za-z0-9._\/-]*$/.test(s) && !s.startsWith("/") && !s.split("/").includes(".."), "a path in the bucket holds letters, digits, . _ - and /, does not start with / and has no .. (it becomes part of OceanBase's backup URI)"),
        accessId: z.string({ error: "OSS needs an access id (访问用户)" }).min(1, "OSS needs an access id (访问用户)").regex(/^[A-Za-z0-9._-]+$/, "an access id holds letters, digits, . _ and -"),
        /** A secret. OceanBase reads it from the destination URI, so & ? blanks quotes and backslashes cannot be in it. */
        accessKey: z.string({ error: "OSS needs an access key (访问秘钥)" }).min(1, "OSS needs an access key (访问秘钥)").refine((s) => !/[&?\s'"\\\0]/.test(s), "an access key cannot contain & ? blanks, quotes or backslashes (OceanBase reads it from the destination URI)"),
      })
      .strict()
      .optional(),
    /** Alarm when the storage is fuller than this. @default 80 */
    capacityAlarmPercent: z.number().int().min(1).max(100).default(80),
  })
  .strict();

export const DaySchema = z.object({ day: z.number().int("a day is an integer"), mode: z.enum(["full", "incremental"]) }).strict();

export const ScheduleSchema = z
  .object({
    period: z.enum(["week", "month"]),
    /** week: 1 (Monday) to 7 (Sunday); month: 1 to 31. */
    days: z.array(DaySchema).min(1, "a schedule needs at least one day"),
    time: hhmm,
    /** IANA time zone of `time` (the job host's cron must honour CRON_TZ). @default "UTC" */
    timeZone: z.string().default("UTC"),
  })
  .strict();

/** cleanup.expiryDays when not given. */
export const CLEANUP_EXPIRY_DAYS = 7;

export const BackupPolicySchema = z
  .object({
    /** The policy's name on the job host (cron marker, directory). */
    name: policyName,
    cluster: ClusterSchema,
    storage: StorageSchema,
    schedule: ScheduleSchema,
    /** Log backup: always on for a physical backup (turning it off is refused). */
    logBackup: z
      .object({ enabled: z.boolean().default(true), pieceSwitchDays: z.number().int().default(1) })
      .strict()
      .default({ enabled: true, pieceSwitchDays: 1 }),
    cleanup: z
      .object({ enabled: z.boolean(), expiryDays: z.number().int().min(1, "backups expire after at least 1 day").default(CLEANUP_EXPIRY_DAYS), time: hhmm.default("03:00") })
      .strict()
      .default({ enabled: false, expiryDays: CLEANUP_EXPIRY_DAYS, time: "03:00" }),
    /** OCP's alarm thresholds, checked by the job at every run and hourly. */
    alarms: z
      .object({
        backupTimeoutHours: z.number().int().min(1, "at least 1 hour").default(24),
        logDelayMinutes: z.number().int().min(1, "at least 1 minute").default(30),
        daysWithoutBackup: z.number().int().min(1, "at least 1 day").default(7),
      })
      .strict()
      .default({ backupTimeoutHours: 24, logDelayMinutes: 30, daysWithoutBackup: 7 }),
    /** Run on the job host (bash -c) with each alarm, opening or clearing, as JSON on stdin. */
    alarmCommand: z.string().refine((s) => !s.includes("\0"), "cannot contain NUL").optional(),
    /** 4.x only: the user tenants to back up. @default every user tenant */
    tenants: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/, "a tenant name starts with a letter and holds letters, digits and _")).optional(),
    /**
     * Backup of backups (OCP's 二次备份, 3.x only: OceanBase 4.x has none): copies the backup sets
     * and archive pieces to a second storage on its own schedule. The second storage must differ
     * from the primary one and not lie inside it. Log splitting (pieces), which it needs, is
     * always on here (`logBackup.pieceSwitchDays`).
     */
    secondary: z
      .object({
        storage: StorageSchema.omit({ capacityAlarmPercent: true }),
        schedule: z
          .object({
            period: z.enum(["week", "month"]),
            /** week: 1 (Monday) to 7 (Sunday); month: 1 to 31. */
            days: z.array(z.number().int("a day is an integer")).min(1, "a schedule needs at least one day"),
            time: hhmm,
            /** @default "UTC" */
            timeZone: z.string().default("UTC"),
          })
          .strict(),
        /**
         * Days after which the copies expire: OceanBase (backup_backup_dest_option's
         * recovery_window with auto_delete_obsolete_backup) removes copies older than this from
         * the second storage, keeping the newest full copy outside the window and every copy
         * after it. At least `cleanup.expiryDays` when cleanup is enabled (validate.ts).
         * @default the copies never expire
         */
        expiryDays: z.number().int("expiryDays is a whole number of days").min(1, "copies expire after at least 1 day").max(3650, "at most 3650 days").optional(),
      })
      .strict()
      .optional(),
    method: z.enum(["physical", "logical"]).default("physical"),
    /** The host whose cron runs the schedule. */
    job: z.object({ connection: ConnectionSchema }).strict(),
    /** Stop log archiving when the policy is deleted. @default false */
    stopArchivingOnDelete: z.boolean().default(false),
  })
  .strict();

export type BackupPolicySpec = z.output<typeof BackupPolicySchema>;
export type BackupPolicyInputs = z.input<typeof BackupPolicySchema>;
