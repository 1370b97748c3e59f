/**
 * Input schema of `oceanbase:StandbyCluster` (zod): OCP's "new standby cluster" page (seed 000)
 * field by field. Rules across fields are in validate.ts; what depends on the primary (its name,
 * id and version) is compared with what is read, before any step.
 */
import { z } from "zod";
import { ConnectionSchema } from "../../core/connection";
import { ClusterSchema, password } from "../schema";

/** OceanBase's cluster_id range (3.x docs, cluster_id parameter). */
export const CLUSTER_ID_MAX = 4294901759;

const ident = (what: string) => z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/, `a ${what} starts with a letter and holds up to 128 letters, digits and _`);

const address = z.string().regex(/^[A-Za-z0-9_.:-]{1,253}$/, "an IPv4/IPv6 address or host name");

const absPath = z
  .string()
  .regex(/^\//, "must be an absolute path")
  .refine((s) => !/[\0\r\n]/.test(s), "cannot contain NUL or a line break")
  .refine((s) => !s.split("/").includes(".."), "cannot contain ..")
  .refine((s) => s.length === 1 || !s.endsWith("/"), "write it without a trailing /")
  .refine((s) => s !== "/", "cannot be /");

/** A text OceanBase keeps as a string value (IDC, region): one line, no NUL. */
const label = z.string().min(1, "cannot be empty").max(128).refine((s) => !/[\0\r\n]/.test(s), "cannot contain NUL or a line break");

export const StandbyHostSchema = z
  .object({
    /** SSH connection to the host (`@pulumi/command`'s shape). */
    connection: ConnectionSchema,
    /** The address the OBServer listens on and the cluster knows it by. */
    address,
    /** A label OCP's 机型 filter matches (`count`/`from` zones). */
    machineType: label.optional(),
    /** This host's observer home, when it differs from `observer.home`. */
    home: absPath.optional(),
    /** This host's data directory, when it differs from `observer.dataDir`. */
    dataDir: absPath.optional(),
  })
  .strict();

const picked = z
  .object({
    /** Any `count` hosts of `from` (OCP's 自动分配). */
    count: z.number().int().min(1, "a zone needs at least one host"),
    from: z.array(StandbyHostSchema).min(1, "the pool cannot be empty"),
    /** Only hosts of this machine type (OCP's 机型). */
    machineType: label.optional(),
  })
  .strict();

export const ZoneSchema = z
  .object({
    name: ident("zone name"),
    /** The zone's IDC (机房): a zone sits in one IDC. */
    idc: label,
    /** @default "sys_region" */
    region: label.default("sys_region"),
    /** The zone's hosts by hand (OCP's 手动选择), or `{count, from}`. */
    hosts: z.union([z.array(StandbyHostSchema).min(1, "a zone needs at least one host"), picked]),
    /** The address of the zone's RootServer host (OCP's Root Server 位置). @default the zone's first host */
    rootServer: address.optional(),
  })
  .strict();

export const ObserverSchema = z
  .object({
    /** The observer's home: `bin/observer` is there, and run/ and log/ go there. */
    home: absPath,
    /** The data (store) directory: must be absent or empty when an observer is first started there. */
    dataDir: absPath,
    /** @default 2881 */
    sqlPort: z.number().int().min(1025).max(65535).default(2881),
    /** @default 2882 */
    rpcPort: z.number().int().min(1025).max(65535).default(2882),
    /** `memory_limit`, e.g. "8G". */
    memoryLimit: z.string().regex(/^\d+[MGT]$/, "a size such as 8G or 512M").optional(),
    /** `cpu_count`. */
    cpuCount: z.number().int().min(1).max(1024).optional(),
    /** Further `-o` parameters. */
    options: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "a parameter name is lower-case letters, digits and _"), z.string().refine((s) => !/[,\0\r\n]/.test(s), "cannot contain a comma (it separates -o parameters) or a line break")).default({}),
  })
  .strict();

export const StandbyClusterSchema = z
  .object({
    /** The primary: a host that reaches one of its OBServers, the SQL port, root@sys's password (a secret). */
    primary: ClusterSchema,
    /** The standby's cluster_id: unique among the primary and its standbys. */
    clusterId: z.number().int("a cluster_id is a whole number").min(1, `a cluster_id is 1 to ${CLUSTER_ID_MAX}`).max(CLUSTER_ID_MAX, `a cluster_id is 1 to ${CLUSTER_ID_MAX}`),
    /** The observer build on every host; must equal the primary's. */
    version: z.string().regex(/^\d+\.\d+\.\d+(\.\d+)?$/, "a version such as 3.2.4"),
    /** Must equal the primary's cluster name. @default the primary's */
    clusterName: ident("cluster name").optional(),
    zones: z.array(ZoneSchema).min(1, "a standby cluster needs at least one zone"),
    observer: ObserverSchema,
    /** `primary` runs a planned switchover (the old primary becomes the standby). @default "standby" */
    role: z.enum(["standby", "primary"]).default("standby"),
    /** Promote this standby when its primary is lost: `confirm` names the primary being given up. Never implicit. */
    failover: z.object({ confirm: z.string().min(1, "name the primary cluster being given up") }).strict().optional(),
    /** 4.x: the primary's user tenants that get a standby tenant here. @default every user tenant of the primary */
    tenants: z.array(ident("tenant name")).min(1, "name at least one tenant, or leave tenants out for all").optional(),
    /** 4.x: root@sys's password of the standby cluster (a 4.x standby cluster has its own sys tenant). @default primary.password */
    standbyPassword: password.optional(),
    /**
     * 4.x: the user in each primary tenant the standby tenant pulls log as (LOG_RESTORE_SOURCE
     * USER=user@tenant PASSWORD=...). @default root with primary.password
     */
    logRestoreSource: z
      .object({
        user: ident("user name").default("root"),
        // OceanBase splits the source on blanks: a password with a blank cannot be given there.
        password: z.string().min(1, "cannot be empty").refine((p) => !/[\s\0]/.test(p), "cannot contain a blank, line break or NUL (LOG_RESTORE_SOURCE separates its fields with blanks)"),
      })
      .strict()
      .optional(),
    /**
     * 4.x: where the standby tenants pull the primary tenants' log from: their SQL service
     * (`SERVICE=`), or their log archive (`LOCATION=`: each primary tenant's archive destination as
     * the primary reports it, on storage the standby cluster's hosts mount). @default "service"
     */
    logRestoreFrom: z.enum(["service", "archive"]).default("service"),
    /** Delete removes the data directories too. @default false */
    deleteData: z.boolean().default(false),
    /** Bound of each wait (sync to VALID, switchover). @default 600 */
    timeoutSeconds: z.number().int().min(10).max(86_400).default(600),
  })
  .strict();

export type StandbyClusterSpec = z.output<typeof StandbyClusterSchema>;
export type StandbyHost = z.output<typeof StandbyHostSchema>;
export type ZoneSpec = z.output<typeof ZoneSchema>;
