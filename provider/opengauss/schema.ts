/**
 * Inputs of opengauss.DisasterRecovery (zod). Field rules here; rules across fields in validate.ts.
 * Defaults come from DEFAULTS only.
 */
import { z } from "zod";
import { ConnectionSchema } from "../core/connection";
import { quote } from "../core/quote/sh";

export const DEFAULTS = {
  /** gs_ddr's own default for `--time-out`. */
  timeoutSeconds: 1200,
  /** Where openGauss's installer puts the user's environment (GAUSSHOME, PGHOST, ...). */
  envFile: "~/.bashrc",
  /** The DR configuration gs_ddr reads with `--json` (0600). */
  configFile: "~/dbcluster-ddr.json",
} as const;

/** Characters the seed forbids in the DR user's password (`| ;&$<>\`'"{}()[]~*?!`, `\n`, `-`, blanks). */
export const FORBIDDEN_PASSWORD_CHARS = /[|;&$<>`'"{}()[\]~*?!\-\s]/;

export const clusterName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, "a cluster name starts with a letter and holds letters, digits, _ and - (at most 63)");

/**
 * gs_ddr checks every shard `ip` and `dataIp` against SecurityChecker.IP_PATTERN: dotted IPv4
 * without leading zeros, a full (uncompressed) IPv6 address, `::1` or `::`.
 */
const GS_DDR_IP = /^(?:(?:25[0-5]|2[0-4]\d|1\d{2}|[1-9]?\d)(?:\.(?!$)|$)){4}$|^(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}$|^::1$|^::$/;
const ip = z.string().refine((s) => GS_DDR_IP.test(s), "an IPv4 address or a full (uncompressed) IPv6 address: gs_ddr refuses other forms in its shards");

export const port = z.number().int("a port is an integer").min(1024, "use a port of 1024 or above").max(65535, "a port is at most 65535");

/** A remote path: absolute, or `~/...` under the login user's home. Quoted on every command line. */
export const remotePath = z
  .string()
  .regex(/^(\/|~\/)/, "an absolute path or one starting with ~/")
  .refine((s) => !/[\0\r\n]/.test(s), "cannot contain NUL or a line break")
  .refine((s) => !s.split("/").includes(".."), "cannot contain a .. component")
  .refine((s) => Buffer.byteLength(s) <= 4095 && s.split("/").every((part) => Buffer.byteLength(part) <= 255), "at most 4095 bytes, each name at most 255 (Linux's PATH_MAX and NAME_MAX)");

/** SecurityChecker.INJECTION_CHAR_LIST, which gs_ddr's check_path refuses in the `--json` path (with `..`). */
const GS_DDR_PATH_CHARS = /[|;&$<>`\\'"{}()[\]~*?! \n]/;

/** The `--json` file: a remote path gs_ddr's check_path takes once `~/` is expanded by the shell. */
export const ddrJsonPath = remotePath.refine(
  (s) => !GS_DDR_PATH_CHARS.test(s.replace(/^~\//, "/")) && !s.includes(".."),
  "gs_ddr refuses a --json path holding any of | ; & $ < > ` \\ ' \" { } ( ) [ ] ~ * ? ! , a blank or .. (its check_path); ~/ at the start is expanded before gs_ddr sees it",
);

export const NodeSchema = z
  .object({
    /** How to reach the node over SSH (as the cluster's OS user: gs_ddr refuses root). */
    connection: ConnectionSchema,
    /** The node's SSH-trusted IP (gs_ddr's shard `ip`). */
    ip,
    /** The node's streaming-replication IP (gs_ddr's shard `dataIp`). */
    dataIp: ip,
  })
  .strict();

export const ClusterSchema = z
  .object({
    name: clusterName,
    /** The DNs' port (gs_ddr's `port`). */
    port,
    /** The cluster's nodes, one DN each; the first is where gs_ddr runs. */
    nodes: z.array(NodeSchema).min(1, "a cluster has at least one node").max(9, "a resource-pooled cluster has at most 9 DN replicas"),
  })
  .strict();

/** What one SSH exec request carries safely (RFC 4253 §6.1: every implementation takes 32768-byte payloads). */
const MAX_EXEC_BYTES = 30_000;

export const StorageReplicationSchema = z
  .object({
    /** The host the command runs on. */
    connection: ConnectionSchema,
    /** Program and arguments, run as `<command...> <step>` with step start, demote, promote or failover; exits 0 once the array is ready for it. Each word is quoted. */
    command: z
      .array(z.string().refine((s) => !s.includes("\0"), "a word cannot contain NUL"))
      .min(1, "the command needs at least the program")
      .refine(
        (words) => words.some((w) => w.includes("\0")) || Buffer.byteLength(words.map(quote).join(" ")) <= MAX_EXEC_BYTES,
        `the command, quoted, must fit one SSH exec request (at most ${MAX_EXEC_BYTES} bytes; SSH only guarantees 32768-byte packets)`,
      ),
  })
  .strict();

export const DisasterRecoverySchema = z
  .object({
    clusters: z.array(ClusterSchema).length(2, "a DR pair has exactly two clusters"),
    /** The name of the cluster that is (or becomes) the DR primary. */
    primary: clusterName,
    /** `stream` or `dorado`; required (gs_ddr's silent default is dorado). */
    type: z.enum(["stream", "dorado"], "stream or dorado (required: gs_ddr would silently default to dorado)"),
    /** The DR user, created on the primary when absent. */
    drUser: z
      .string()
      .min(1, "the DR user cannot be empty")
      .refine((s) => Buffer.byteLength(s) <= 63, "an openGauss identifier has at most 63 bytes (longer ones are cut)")
      .refine((s) => !/[\0\r\n]/.test(s), "cannot contain NUL or a line break"),
    /** The DR user's password (a secret). */
    drPassword: z
      .string()
      .min(8, "the DR password has at least 8 characters")
      .max(256, "the DR password has at most 256 characters")
      .refine((s) => !FORBIDDEN_PASSWORD_CHARS.test(s), "the DR password cannot contain any of | ;&$<>`'\"{}()[]~*?! , - , a line break or a blank (seed 003)"),
    storageReplication: StorageReplicationSchema.optional(),
    storageReplicationConfirmed: z.boolean().optional(),
    /** Promote the DR standby because the primary is lost: `confirm` names the standby cluster. */
    failover: z.object({ confirm: clusterName }).strict().optional(),
    /** Allow a change that gs_ddr forbids while paired to be applied as dissolve and rebuild. */
    allowRebuild: z.boolean().default(false),
    timeoutSeconds: z.number().int().min(1, "at least 1 second").max(1_209_600, "at most 14 days").default(DEFAULTS.timeoutSeconds),
    envFile: remotePath.default(DEFAULTS.envFile),
    configFile: ddrJsonPath.default(DEFAULTS.configFile),
  })
  .strict();

export type DisasterRecoveryInputs = z.input<typeof DisasterRecoverySchema>;
export type DrSpec = z.output<typeof DisasterRecoverySchema>;
export type ClusterSpec = DrSpec["clusters"][number];

/** Fields whose values never appear in a failure message. */
export const SECRET_KEYS = new Set(["drPassword", "password", "privateKey", "privateKeyPassword"]);
