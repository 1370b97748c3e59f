/**
 * Input schemas of the DM resources (zod). Field checks live here; rules that span fields or
 * resources live in validate.ts. Defaults come from defaults.ts only.
 */
import { z } from "zod";
import { ConnectionSchema } from "../core/connection";
import { DEFAULTS } from "./defaults";

export const ROLES = ["MP", "SP", "BP"] as const;
export type Role = (typeof ROLES)[number];

/** DM INSTANCE_NAME: a letter, then letters, digits or `_`; at most 16 characters. */
export const instanceName = z
  .string()
  .max(16, "an instance name has at most 16 characters (INSTANCE_NAME)")
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, "an instance name starts with a letter and holds only letters, digits and _");

/** Names of RAFT groups, BP groups and fault domains: a DM regular identifier. */
export const catalogName = z
  .string()
  .max(128, "a DM identifier has at most 128 characters")
  .regex(/^[A-Za-z_][A-Za-z0-9_$#]*$/, "a DM identifier starts with a letter or _ and holds letters, digits, _, $ and #");

/** Free text stored in the catalog; quoted on its way into SQL. */
export const description = z
  .string()
  .max(256, "a description has at most 256 characters")
  .refine((s) => !/[\0\r\n]/.test(s), "a description cannot contain NUL or a line break (disql scripts and their output are read line by line)")
  // disql pads its columns and prints NULL for no value, so these could not be read back: the
  // fault domain's description would look changed on every up.
  .refine((s) => s === s.trim(), "a description cannot begin or end with a blank (disql pads its columns, so it would not read back)")
  .refine((s) => s !== "NULL", "a description cannot be the text NULL (disql prints NULL for no value)");

/**
 * A database base directory (dminit PATH). Written into dm.ini / dmarch.ini, which have no
 * quoting, so line breaks and `#` (the ini comment sign) are refused; everything else is quoted
 * on the command line.
 */
export const absPath = z
  .string()
  .max(200, "DM limits paths to 256 characters, and the database file names are appended")
  .regex(/^\//, "must be an absolute path")
  .refine((s) => !/[\0\r\n#]/.test(s), "cannot contain NUL, a line break or # (dm.ini has no quoting)")
  .refine((s) => !/\s$/.test(s), "cannot end with a blank (dminit and dm.ini read values trimmed, so the database would land elsewhere)");

export const port = z.number().int("a port is an integer").min(1024, "use a port of 1024 or above").max(65535, "a port is at most 65535");

/** An address DM stores in the catalog and dials: IPv4, IPv6 or a host name. */
export const address = z
  .string()
  .min(1, "an address cannot be empty")
  .max(255)
  .regex(/^[A-Za-z0-9_.:-]+$/, "an IPv4/IPv6 address or host name");

/** SYSDBA_PWD: 9 to 48 characters, no `"` (disql's login line) and no `#` (dminit's CONTROL file). */
export const sysdbaPassword = z
  .string()
  .min(9, "the SYSDBA password has 9 to 48 characters")
  .max(48, "the SYSDBA password has 9 to 48 characters")
  .refine((s) => !s.includes('"'), 'the SYSDBA password cannot contain " (disql takes it between double quotes)')
  .refine((s) => !/[\0\r\n]/.test(s), "the SYSDBA password cannot contain NUL or a line break")
  .refine((s) => s === s.trim(), "the SYSDBA password cannot begin or end with a blank (dminit's CONTROL file reads values trimmed, so SYSDBA would get another password)")
  .refine((s) => !s.includes("#"), "the SYSDBA password cannot contain # (dminit's CONTROL file, which keeps it off the command line, reads # as a comment)");

/** How to reach a host: provider/core's schema (strict: a misspelt field is refused by name). */
export const connection = ConnectionSchema;
/** A connection as the planners see it: parsed, with its defaults applied. */
export type ConnectionArgs = z.output<typeof connection>;

/** dm.ini keys set by dminit or by the RAFT group: not the user's to override. */
export const OWNED_DM_INI_KEYS = ["INSTANCE_NAME", "DPC_MODE", "PORT_NUM", "AP_PORT_NUM", "ARCH_INI", "ALTER_MODE_STATUS", "PAGE_SIZE", "CHARSET", "CASE_SENSITIVE"];

/** dm.ini parameters the user sets; keys as DM spells them (case-insensitive). */
const dmIniParams = z.record(
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a dm.ini key is a DM parameter name")
    .refine((k) => !OWNED_DM_INI_KEYS.includes(k.toUpperCase()), "this key is set by dminit or the RAFT group, not through dmIni"),
  z.union([
    z.number(),
    z
      .string()
      .refine((s) => !/[\0\r\n#]/.test(s), "a dm.ini value cannot hold a line break or #")
      .refine((s) => s === s.trim(), "a dm.ini value cannot begin or end with a blank (DM reads values trimmed)"),
  ]),
);

/** One MP as the other instances' mp.ini names it. */
export const mpNode = z.object({ host: address, port });

/** What every instance is, wherever it is described (Instance, RaftGroup member, topology). */
const instanceCore = {
  /** INSTANCE_NAME, also the name registered in the MP. */
  name: instanceName,
  /** DPC_MODE; immutable after dminit. */
  mode: z.enum(ROLES),
  /** How to reach the instance's host. */
  connection,
  /** Base directory, as the seed's `dminit path=`; the database lives in `path/dbName`. */
  path: absPath,
  /** @default "DAMENG" */
  dbName: instanceName.default(DEFAULTS.dbName),
  /** The address other nodes use (IP_INTERNAL). */
  ip: address,
  /** IP_EXTERNAL; '' is allowed, as in the seed's 7.3. @default ip */
  ipExternal: z.union([address, z.literal("")]).optional(),
  /** PORT_NUM (SQL). @default 5236 */
  portNum: port.default(DEFAULTS.portNum),
  /** AP_PORT_NUM (inter-node, the catalog's XMAL_PORT). */
  apPortNum: port,
};

export const InstanceSchema = z.object({
  ...instanceCore,
  /** mp.ini `mp_port` when this instance is an MP. @default 9000 */
  mpPort: port.optional(),
  /** PAGE_SIZE in KiB; immutable. @default 8 */
  pageSize: z.union([z.literal(4), z.literal(8), z.literal(16), z.literal(32)]).default(DEFAULTS.pageSize),
  /** EXTENT_SIZE in pages; immutable. @default 16 */
  extentSize: z.union([z.literal(16), z.literal(32), z.literal(64)]).default(DEFAULTS.extentSize),
  /** CHARSET (0 GB18030, 1 UTF-8, 2 EUC-KR); immutable. @default 0 */
  charset: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(DEFAULTS.charset),
  /** CASE_SENSITIVE; immutable. @default true */
  caseSensitive: z.boolean().default(DEFAULTS.caseSensitive),
  /** SYSDBA_PWD given to dminit (through a 0600 control file, never argv). */
  sysdbaPassword,
  /** The MPs this instance's mp.ini names: one entry = `mp_host`/`mp_port`, several = [MPn]. */
  mpNodes: z.array(mpNode).min(1, "mp.ini names at least one MP").max(9),
  /** Extra dm.ini parameters, edited in place (the rest of dm.ini is kept). @default {} */
  dmIni: dmIniParams.default({}),
  /** Directory holding DM's bin/ (dminit, dmserver...); @default the tools on the host's PATH */
  dmHome: absPath.optional(),
  /** Remove the database directory when the resource is deleted. @default false */
  deleteData: z.boolean().default(DEFAULTS.deleteData),
  /** Take over an existing database directory that matches instead of failing. @default false */
  adopt: z.boolean().default(DEFAULTS.adopt),
});
export type InstanceArgs = z.input<typeof InstanceSchema>;
export type InstanceSpec = z.output<typeof InstanceSchema>;

/** A RAFT group member: where it is, how it is registered. */
export const MemberSchema = z.object({
  ...instanceCore,
  dmHome: absPath.optional(),
  /** Registration DESCRIPTION. @default "<mode> instance" */
  description: description.optional(),
  /** A shadow replica (seed 7.5): holds no data files but votes and commits like every member (DM8 §5.20); at most half of a group's nodes. @default false */
  shadow: z.boolean().default(false),
  /** The member's dminit parameters (as its dm.Instance's): the group re-initialises a member
   *  it converts between RAFT and shadow replica (seed 7.5.2) with them. @default as Instance */
  pageSize: z.union([z.literal(4), z.literal(8), z.literal(16), z.literal(32)]).default(DEFAULTS.pageSize),
  extentSize: z.union([z.literal(16), z.literal(32), z.literal(64)]).default(DEFAULTS.extentSize),
  charset: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(DEFAULTS.charset),
  caseSensitive: z.boolean().default(DEFAULTS.caseSensitive),
});
export type MemberArgs = z.input<typeof MemberSchema>;
export type MemberSpec = z.output<typeof MemberSchema>;

/** An MP disql may log into for catalog work. */
export const MpLoginSchema = z.object({ name: instanceName, connection, ip: address, portNum: port, dmHome: absPath.optional() });
export type MpLogin = z.output<typeof MpLoginSchema>;

const archiveSettings = z
  .object({
    xmalHbInterval: z.number().int().min(1).default(DEFAULTS.archive.xmalHbInterval),
    raftHbInterval: z.number().int().min(1).default(DEFAULTS.archive.raftHbInterval),
    voteIntervalBase: z.number().int().min(100).default(DEFAULTS.archive.voteIntervalBase),
    voteIntervalStep: z.number().int().min(1).default(DEFAULTS.archive.voteIntervalStep),
    fileSizeMb: z.number().int().min(1).default(DEFAULTS.archive.fileSizeMb),
    spaceLimitMb: z.number().int().min(0).default(DEFAULTS.archive.spaceLimitMb),
  })
  .prefault({});
export type ArchiveSettings = z.output<typeof archiveSettings>;

export const RaftGroupSchema = z.object({
  /** Catalog name; the MP group is always MP_RAFT. */
  name: catalogName,
  role: z.enum(ROLES),
  /** Members in order; the first seeds a multi-replica group and, for MP, is logged into first. */
  members: z.array(MemberSchema).min(1, "a RAFT group has at least one member"),
  /** MPs to log into for catalog work (SP/BP groups); the MP group uses its own members. */
  mp: z.array(MpLoginSchema).default([]),
  sysdbaPassword,
  archive: archiveSettings,
});
export type RaftGroupArgs = z.input<typeof RaftGroupSchema>;
export type RaftGroupSpec = z.output<typeof RaftGroupSchema>;

export const BpGroupSchema = z.object({
  name: catalogName,
  description: description.default(""),
  /** BP RAFT group names, in the order they are added. */
  rafts: z.array(catalogName),
  mp: z.array(MpLoginSchema).min(1, "name the MP(s) to log into"),
  sysdbaPassword,
});
export type BpGroupArgs = z.input<typeof BpGroupSchema>;
export type BpGroupSpec = z.output<typeof BpGroupSchema>;

export const FaultDomainSchema = z.object({
  name: catalogName,
  description: description.default(""),
  /** MP and BP instance names (an SP cannot be in a fault domain). */
  instances: z.array(instanceName),
  mp: z.array(MpLoginSchema).min(1, "name the MP(s) to log into"),
  sysdbaPassword,
});
export type FaultDomainArgs = z.input<typeof FaultDomainSchema>;
export type FaultDomainSpec = z.output<typeof FaultDomainSchema>;

/** The DpcCluster component: one topology object. */
export const TopologyInstanceSchema = InstanceSchema.omit({ sysdbaPassword: true, mpNodes: true, deleteData: true, adopt: true }).extend({
  description: description.optional(),
  /** This instance's deleteData, over the cluster's. */
  deleteData: z.boolean().optional(),
});
export const DpcClusterSchema = z.object({
  sysdbaPassword,
  instances: z.array(TopologyInstanceSchema).min(1),
  /** SP and BP RAFT groups; the MP group (MP_RAFT) is every MP instance, in the order listed. */
  rafts: z.array(
    z.object({
      name: catalogName,
      role: z.enum(["SP", "BP"]),
      members: z.array(instanceName).min(1, "a RAFT group has at least one member"),
      shadows: z.array(instanceName).default([]),
    }),
  ),
  /** Shadow replicas of the MP group. */
  mpShadows: z.array(instanceName).default([]),
  bpGroups: z.array(z.object({ name: catalogName, description: description.default(""), rafts: z.array(catalogName) })).default([]),
  faultDomains: z
    .array(z.object({ name: catalogName, description: description.default(""), instances: z.array(instanceName) }))
    .default([]),
  archive: archiveSettings,
  deleteData: z.boolean().default(DEFAULTS.deleteData),
  adopt: z.boolean().default(DEFAULTS.adopt),
});
export type DpcClusterArgs = z.input<typeof DpcClusterSchema>;
export type DpcClusterSpec = z.output<typeof DpcClusterSchema>;

/** Fields fixed by dminit: changing one means a new database (a replacement). */
export const INSTANCE_IMMUTABLE = ["name", "mode", "path", "dbName", "pageSize", "extentSize", "charset", "caseSensitive"] as const;
/**
 * Static ports (dmdpc.md): registered in the MP, which overrides dm.ini at start, and changed
 * there only with SP_MODIFY_DPC_INSTANCE and a restart of the whole cluster. The provider does
 * not restart a running cluster, so a change is planned as a replacement of the instance.
 */
export const INSTANCE_STATIC_PORTS = ["portNum", "apPortNum"] as const;
/** Fields of a RAFT group that name it in the catalog. */
export const RAFT_GROUP_IMMUTABLE = ["name", "role"] as const;
/** BP groups have no modify procedure: name and description are fixed at creation. */
export const BP_GROUP_IMMUTABLE = ["name", "description"] as const;
export const FAULT_DOMAIN_IMMUTABLE = ["name"] as const;

/** Input fields whose values never appear in a failure or a plan. */
