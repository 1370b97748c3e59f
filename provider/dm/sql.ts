/**
 * ALL SQL text the product sends to DM, in this one module.
 *
 * Signatures come from the seed (DM8 manual ch. 7, "DMDPC cluster deployment") and from the
 * manual's DMDPC chapters 6, 8 and 12 as summarised in the spec's dmdpc.md. Where a real
 * procedure's exact signature turns out different, correct it HERE only; the planners, tests
 * and logs take their text from these functions. Procedures marked "unverified" are not in the
 * seed: their argument lists are the best reading of the manual and need checking against a
 * real DM before relying on them.
 */
import { connLine, dmsql, sqlString } from "./quote";
import type { Role } from "./schema";

/** disql's exit status when a statement fails (`WHENEVER SQLERROR EXIT`). */
export const DISQL_SQLERROR_EXIT = 3;

/**
 * DM's refusal of SP_ADD_RAFT_LEARNER for an instance already a voting member of the group.
 * GUESS: the manual gives no code; this is the lab's (lab/sim/dm/errors.ts `learnerIsMember`).
 * Only a fallback: whether a member votes is read from V$GLOBAL_RAFT_INFO first
 * (`learner-command.ts`).
 */
export const ALREADY_VOTING_CODE = -8441;

/** SYS_MODE / STATUS a member is registered with (seed 7.1.4, 7.2.4, 7.3.4). */
export interface Registration {
  /** RAFT group name; null for the MP group (the seed passes NULL for MP_RAFT). */
  readonly raft: string | null;
  readonly name: string;
  readonly mode: Role;
  /** XMAL_PORT = the instance's AP_PORT_NUM. */
  readonly apPort: number;
  /** INST_PORT = the instance's PORT_NUM. */
  readonly port: number;
  readonly ipInternal: string;
  readonly ipExternal: string;
  readonly sysMode: "NORMAL" | "STANDBY";
  readonly status: number;
  readonly description: string;
}

/**
 * The registration values the seed uses: a single replica is NORMAL with status 1 (an SP: 2,
 * as in 7.1 and the online scale-out); a member of a multi-replica group is STANDBY with
 * status 0, and the MP updates both once the group elected its leader.
 */
export function registrationMode(role: Role, multiReplica: boolean): { sysMode: "NORMAL" | "STANDBY"; status: number } {
  if (multiReplica) return { sysMode: "STANDBY", status: 0 };
  return { sysMode: "NORMAL", status: role === "SP" ? 2 : 1 };
}

export const SQL = {
  createInstance: (r: Registration) =>
    dmsql`SP_CREATE_DPC_INSTANCE(${r.raft}, ${r.name}, ${r.mode}, ${r.apPort}, ${r.port}, ${r.ipInternal}, ${r.ipExternal}, ${r.sysMode}, ${r.status}, ${r.description});`,
  createRaft: (mode: Role, name: string) => dmsql`SP_CREATE_DPC_RAFT(${mode}, ${name});`,
  createBpGroup: (name: string, description: string) => dmsql`SP_CREATE_DPC_BP_GROUP(${name}, ${description});`,
  bpGroupAddRaft: (group: string, raft: string) => dmsql`SP_BP_GROUP_ADD_RAFT(${group}, ${raft});`,
  createFaultDomain: (name: string, description: string) => dmsql`SP_CREATE_FAULT_DOMAIN(${name}, ${description});`,
  /** `domain` null moves the instance out of any fault domain. */
  faultDomainMoveInstance: (domain: string | null, instance: string) => dmsql`SP_FAULT_DOMAIN_MV_INST(${domain}, ${instance});`,

  // Beyond the seed (dmdpc.md "Beyond the seed").
  /** Not the last member of a group; an SP only after a clean exit. */
  dropInstance: (name: string) => dmsql`SP_DROP_DPC_INSTANCE(${name});`,
  /** An SP RAFT group (or any non-BP group) holding no instance. */
  dropRaft: (name: string) => dmsql`SP_DROP_DPC_RAFT(${name});`,
  /** A BP RAFT group holding no data. */
  dropBpRaft: (name: string) => dmsql`SP_DROP_DPC_BP_RAFT(${name});`,
  bpGroupDelRaft: (group: string, raft: string) => dmsql`SP_BP_GROUP_DEL_RAFT(${group}, ${raft});`,
  dropBpGroup: (name: string) => dmsql`SP_DROP_DPC_BP_GROUP(${name});`,
  dropFaultDomain: (name: string, force: boolean) => dmsql`SP_DROP_FAULT_DOMAIN(${name}, ${force ? 1 : 0});`,
  /** null keeps the field. */
  modifyFaultDomain: (id: number, name: string | null, description: string | null) =>
    dmsql`SP_MODIFY_FAULT_DOMAIN(${id}, ${name}, ${description});`,
  /** '' keeps a field; the whole cluster must restart to take the change. */
  modifyInstance: (name: string, ipInternal: string, ipExternal: string, apPort: number | "", port: number | "") =>
    dmsql`SP_MODIFY_DPC_INSTANCE(${name}, ${ipInternal}, ${ipExternal}, ${apPort}, ${port});`,
  renameInstance: (oldName: string, newName: string) => dmsql`SP_RENAME_DPC_INSTANCE(${oldName}, ${newName});`,
  /**
   * DMDPC配置 §6.2.23, MGT §8.2.2: run on the group's leader (the MP leader; a BP group's leader in
   * BS mode). DEST the learner's instance name, DEST_IP/DEST_PORT its XMAL address (AP_PORT_NUM),
   * DEST_ID its RAFT_SELF_ID.
   */
  addRaftLearner: (dest: string, ip: string, port: number, id: number) => dmsql`SP_ADD_RAFT_LEARNER(${dest}, ${ip}, ${port}, ${id});`,
  /** DMDPC配置 §6.2.25: on the group's leader; every node of the new configuration, as 'A/B/C' (odd, at most 9). */
  alterRaftNode: (instances: readonly string[]) => dmsql`SP_ALTER_RAFT_NODE(${instances.join("/")});`,
  /** A member's row of V$GLOBAL_RAFT_INFO on its group's leader (IS_LEARNER|SYS_STATUS, DM8 §12.35). */
  learnerState: (name: string, raftId: number) => dmsql`SELECT IS_LEARNER, SYS_STATUS FROM V$GLOBAL_RAFT_INFO WHERE INSTANCE_NAME = ${name} AND RAFT_ID = ${raftId};`,
  /** Each instance's role and state, to wait for learners to follow (NAME|SYS_MODE|SYS_STATUS). */
  instanceStates: "SELECT NAME, SYS_MODE, SYS_STATUS FROM DPC_INSTANCE;",
  /** Online full backup on a running leader (seeds a replica added or rebuilt later); `shadow`:
   *  the set restores as a shadow replica (seed 7.5.1 way 1, 7.5.2). DM writes the set to
   *  `<path>_<INSTANCE>` (MGT §8.2.2.1.1): see `onlineBackupSet`. With BAK_USE_AP = 1 (dm.ini's
   *  default) DM hands a backup to the host's DMAP service, which must run (备份还原简介 §1.5; the
   *  manual starts it first, MGT §8.2.2); the product does not manage DMAP, so it first sets
   *  BAK_USE_AP = 2 in the leader's memory only (scope 0: dm.ini is untouched), dmserver makes the
   *  backup itself, and the value `inMemory` read before (`memberRaftScript`) is set back after it;
   *  none when it already was 2. Unread (null): nothing to set back to, so 2 stays until a
   *  restart (no value is invented). disql stops at a failed BACKUP, which also leaves 2 until a
   *  restart: the next up reads 2 and cannot tell it from a value the user set. */
  onlineBackup: (backupSetPath: string, shadow = false, inMemory: number | null = null): string[] => {
    const backup = `BACKUP DATABASE FULL${shadow ? " SHADOW" : ""} BACKUPSET ${sqlString(backupSetPath)};`;
    if (inMemory === 2) return [backup];
    const set = "SP_SET_PARA_VALUE(0, 'BAK_USE_AP', 2);";
    return inMemory === null || !Number.isInteger(inMemory) ? [set, backup] : [set, backup, `SP_SET_PARA_VALUE(0, 'BAK_USE_AP', ${inMemory});`];
  },
} as const;

/** Where DM puts an online backup given `path`: "在备份集名称之后各自添加实例名后缀" (MGT §8.2.2.1.1, §8.8.3). */
export function onlineBackupSet(path: string, instance: string): string {
  return `${path}_${instance}`;
}

/** dmrman CTLSTMT statements (seed 7.2.7, 7.3.6, 7.5.1; MGT §8.2.2 for the online set's restore). */
export const RMAN = {
  /** Offline full backup; `shadow` makes the set restore as a shadow replica (7.5.1 way 1). */
  backup: (dmIni: string, name: string, backupSet: string, shadow = false) =>
    `BACKUP DATABASE ${sqlString(dmIni)} FULL${shadow ? " SHADOW" : ""} TO ${name} BACKUPSET ${sqlString(backupSet)}`,
  /** `toShadow` restores a normal set as a shadow replica (7.5.1 way 2); `bakMagic` must be the set's (SHOW BACKUPSET). */
  restore: (dmIni: string, backupSet: string, toShadow = false, bakMagic?: string) =>
    `RESTORE DATABASE ${sqlString(dmIni)}${toShadow ? " TO SHADOW" : ""} FROM BACKUPSET ${sqlString(backupSet)}${bakMagic ? ` USE BAK_MAGIC ${bakMagic}` : ""}`,
  /** An online set's REDO, replayed as a standby so that the database can join the group (MGT §8.2.2: FOR STANDBY ... UNTIL END_LSN). */
  recoverForStandby: (dmIni: string, backupSet: string, bakMagic: string) =>
    `RECOVER DATABASE ${sqlString(dmIni)} FOR STANDBY FROM BACKUPSET ${sqlString(backupSet)} USE BAK_MAGIC ${bakMagic} UNTIL END_LSN`,
  /** Prints the set's description, BAK_MAGIC among it. */
  showBackupSet: (backupSet: string) => `SHOW BACKUPSET ${sqlString(backupSet)}`,
  updateDbMagic: (dmIni: string) => `RECOVER DATABASE ${sqlString(dmIni)} UPDATE DB_MAGIC`,
} as const;

/** Settings that make disql's output machine-readable and stop at the first error. */
export const DISQL_SETTINGS = [
  "SET ECHO OFF",
  "SET HEADING ON",
  "SET FEEDBACK OFF",
  "SET TIMING OFF",
  "SET LINESHOW OFF",
  "SET PAGESIZE 50000",
  "SET LINESIZE 32767",
  "SET COLSEP '|'",
  `WHENEVER SQLERROR EXIT ${DISQL_SQLERROR_EXIT}`,
] as const;

export interface Login {
  readonly password: string;
  readonly ip: string;
  readonly port: number;
  readonly user?: string;
}

/** A whole disql script for stdin: login line first, settings, the statements, EXIT. */
export function disqlScript(login: Login, statements: readonly string[]): string {
  return [connLine(login.password, login.ip, login.port, login.user), ...DISQL_SETTINGS, ...statements, "EXIT"].join("\n") + "\n";
}

/** Marker line printed before each result set of the catalog read (and once at the end). */
export const SECTION_PREFIX = "##DPC:";
export const SECTION_END = "END";

/** Result sets of the catalog read, each with explicit columns; free text (DESCRIPTION) last. */
export const CATALOG_QUERIES = {
  DPC_INSTANCE:
    "SELECT RAFT_ID, INST_ID, NAME, DPC_MODE, XMAL_PORT, INST_PORT, IP_INTERNAL, SYS_MODE, SYS_STATUS, STATUS, IP_EXTERNAL, INFO1, DESCRIPTION FROM DPC_INSTANCE ORDER BY INST_ID;",
  DPC_BP_RAFT: "SELECT RAFT_ID, GROUP_ID, DPC_MODE, NAME, IS_VALID FROM DPC_BP_RAFT ORDER BY RAFT_ID;",
  DPC_BP_GROUP: "SELECT ID, NAME, RAFT_NUM, RAFT_INFO, INFO1, DESCRIPTION FROM DPC_BP_GROUP ORDER BY ID;",
  DPC_FAULT_DOMAIN: "SELECT DOMAIN_ID, NAME, DESCRIPTION FROM DPC_FAULT_DOMAIN ORDER BY DOMAIN_ID;",
  DPC_TABLESPACE: "SELECT TS_ID, RAFT_ID, NAME FROM DPC_TABLESPACE ORDER BY TS_ID;",
} as const;

/**
 * Views read when asked. V$GLOBAL_RAFT_INFO by the columns DM8 §12.35 lists (it prints only
 * instances that communicate, and no row of a group without a valid leader); V$DPC_EDCT_INSTANCE
 * with `*` (monitoring only).
 */
export const CATALOG_VIEWS = {
  V$DPC_EDCT_INSTANCE: "SELECT * FROM V$DPC_EDCT_INSTANCE;",
  V$GLOBAL_RAFT_INFO: "SELECT INSTANCE_NAME, RAFT_ID, IS_LEARNER, RAFT_STAT, SYS_MODE FROM V$GLOBAL_RAFT_INFO;",
} as const;

/**
 * What a RAFT member says of itself: V$RLOG_RAFT_INFO is the node's own (DM8 §12.17), and its
 * RAFT_SHADOW (0 RAFT replica, 1 shadow) is the documented shadow flag; V$GLOBAL_RAFT_INFO's
 * IS_SHADOW has no documented values (§12.35), so it is not read.
 */
export const MEMBER_VIEWS = {
  V$RLOG_RAFT_INFO: "SELECT RAFT_SHADOW, STATE, LEADER FROM V$RLOG_RAFT_INFO;",
  /** BAK_USE_AP in the member's memory (SQL 语言使用手册 附录 3: scope 2 reads memory), which an online backup from it sets back. */
  BAK_USE_AP: "SELECT SF_GET_PARA_VALUE(2, 'BAK_USE_AP') BAK_USE_AP;",
} as const;

export type CatalogSection = keyof typeof CATALOG_QUERIES | keyof typeof CATALOG_VIEWS;

/** One disql run that reads the whole DMDPC catalog, with a marker line before each result set. */
export function catalogReadScript(login: Login, opts: { views?: boolean; raftInfo?: boolean } = {}): string {
  const body: string[] = [];
  const add = (name: string, query: string) => body.push(`PROMPT ${SECTION_PREFIX}${name}`, query);
  for (const [name, q] of Object.entries(CATALOG_QUERIES)) add(name, q);
  if (opts.views) for (const [name, q] of Object.entries(CATALOG_VIEWS)) add(name, q);
  // `raftInfo` alone: which running members are shadow replicas (a RAFT group's conversion, 7.5.2)
  else if (opts.raftInfo) add("V$GLOBAL_RAFT_INFO", CATALOG_VIEWS.V$GLOBAL_RAFT_INFO);
  body.push(`PROMPT ${SECTION_PREFIX}${SECTION_END}`);
  return disqlScript(login, body);
}

/**
 * One disql run on a running member: its V$RLOG_RAFT_INFO and, with `global`, V$GLOBAL_RAFT_INFO
 * (on an SP or a BS-mode BP the whole cluster's rows, on the MP only the MP's: DM8 ch. 12). The
 * member's own view comes first: it answers in MOUNT too, where the global one may be refused.
 */
export function memberRaftScript(login: Login, global: boolean): string {
  const body = [`PROMPT ${SECTION_PREFIX}V$RLOG_RAFT_INFO`, MEMBER_VIEWS.V$RLOG_RAFT_INFO, `PROMPT ${SECTION_PREFIX}BAK_USE_AP`, MEMBER_VIEWS.BAK_USE_AP];
  if (global) body.push(`PROMPT ${SECTION_PREFIX}V$GLOBAL_RAFT_INFO`, CATALOG_VIEWS.V$GLOBAL_RAFT_INFO);
  body.push(`PROMPT ${SECTION_PREFIX}${SECTION_END}`);
  return disqlScript(login, body);
}
