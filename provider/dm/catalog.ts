/**
 * The MP catalog as typed data: what the planners compare the desired groups, BP groups and
 * fault domains with. Built from the catalog-read script's output (sql.ts, disql-output.ts).
 */
import { parseResultSet, splitSections, type ColumnType, type DmError, type Row } from "./disql-output";
import type { Role } from "./schema";

export interface CatalogInstance {
  readonly raftId: number;
  readonly instId: number;
  readonly name: string;
  readonly mode: Role;
  /** XMAL_PORT = AP_PORT_NUM. */
  readonly apPort: number;
  /** INST_PORT = PORT_NUM. */
  readonly port: number;
  readonly ipInternal: string;
  readonly ipExternal: string;
  /** NORMAL, STANDBY, PRIMARY... */
  readonly sysMode: string;
  /** 4 = OPEN. */
  readonly sysStatus: number | null;
  /** 2 = an SP that exited cleanly. */
  readonly status: number | null;
  readonly description: string;
  /** From INFO1 >> 16; null when the instance is in no fault domain. */
  readonly faultDomainId: number | null;
}

export interface CatalogRaft {
  readonly id: number;
  readonly groupId: number;
  readonly mode: Role;
  readonly name: string;
  readonly valid: boolean;
}

export interface CatalogBpGroup {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** RAFT ids decoded from RAFT_INFO. */
  readonly raftIds: number[];
}

/** A user tablespace (DPC_TABLESPACE, DM8 §12.12) and the RAFT group it is stored on. */
export interface CatalogTablespace {
  readonly id: number;
  readonly raftId: number;
  readonly name: string;
}

export interface CatalogFaultDomain {
  readonly id: number;
  readonly name: string;
  readonly description: string;
}

/** A row of V$GLOBAL_RAFT_INFO: a running member of a group that has a valid leader. */
export interface CatalogRaftMember {
  readonly name: string;
  readonly raftId: number;
  /** The member's own V$RLOG_RAFT_INFO.RAFT_SHADOW (DM8 §12.17); null when the member was not read. */
  readonly shadow: boolean | null;
  /** IS_LEARNER, as `shadow`: false once SP_ALTER_RAFT_NODE voted it in. */
  readonly learner: boolean | null;
  /** LEADER, FOLLOWER... */
  readonly stat: string;
}

export interface Catalog {
  readonly instances: CatalogInstance[];
  readonly rafts: CatalogRaft[];
  readonly bpGroups: CatalogBpGroup[];
  readonly faultDomains: CatalogFaultDomain[];
  readonly tablespaces: CatalogTablespace[];
  /**
   * V$GLOBAL_RAFT_INFO when read: on the MP only the MP group's rows (DM8 ch. 12); a BP group's
   * come from its leader in BS mode (`withMemberReads`).
   */
  readonly raftInfo?: CatalogRaftMember[];
  /**
   * Each running member's own V$RLOG_RAFT_INFO.RAFT_SHADOW (upper-case names; null: not read),
   * kept apart from `raftInfo` so that a member's answer counts even when no cluster-wide view was read.
   */
  readonly memberShadow?: Readonly<Record<string, boolean | null>>;
  /** Each running member's BAK_USE_AP in memory (upper-case names; null: not read), for `SQL.onlineBackup`. */
  readonly memberBakUseAp?: Readonly<Record<string, number | null>>;
}

export const EMPTY_CATALOG: Catalog = { instances: [], rafts: [], bpGroups: [], faultDomains: [], tablespaces: [] };

/** The seed: INFO1 holds the fault domain id shifted left 16 bits (FDOM_1 → 65536). */
export function faultDomainOfInfo1(info1: number | null): number | null {
  if (info1 === null || info1 === 0) return null;
  const id = Math.floor(info1 / 65536);
  return id === 0 ? null : id;
}

/**
 * IS_LEARNER is VARCHAR(8) whose values DM8 §12.35 does not give. The provider takes
 * the boolean spellings DM's views use (TRUE/FALSE, Y/N, 1/0) and nothing else: any other text is
 * unknown (null), and what the member is then comes from the previous inputs, never from a guess.
 */
export function flagText(v: unknown): boolean | null {
  const t = v === null || v === undefined ? "" : String(v).trim().toUpperCase();
  if (["TRUE", "Y", "YES", "1"].includes(t)) return true;
  if (["FALSE", "N", "NO", "0"].includes(t)) return false;
  return null;
}

/** RAFT_INFO: each RAFT id as 16-bit little-endian (rafts 1 and 2 → 0x01000200). */
export function decodeRaftInfo(hex: string | null): number[] {
  if (hex === null || hex === "") return [];
  const digits = hex.replace(/^0x/i, "");
  if (!/^([0-9a-fA-F]{4})*$/.test(digits)) throw new Error(`RAFT_INFO is not a list of 16-bit values: ${JSON.stringify(hex)}`);
  const ids: number[] = [];
  for (let i = 0; i < digits.length; i += 4) {
    const lo = parseInt(digits.slice(i, i + 2), 16);
    const hi = parseInt(digits.slice(i + 2, i + 4), 16);
    ids.push(lo + hi * 256);
  }
  return ids;
}

export function encodeRaftInfo(ids: readonly number[]): string {
  return "0x" + ids.map((id) => [id & 0xff, id >> 8].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join("")).join("");
}

const INT = "int" as const;
const STR = "string" as const;
const TYPES: Record<string, Record<string, ColumnType>> = {
  DPC_INSTANCE: {
    RAFT_ID: INT, INST_ID: INT, NAME: STR, DPC_MODE: STR, XMAL_PORT: INT, INST_PORT: INT, IP_INTERNAL: STR,
    SYS_MODE: STR, SYS_STATUS: INT, STATUS: INT, IP_EXTERNAL: STR, INFO1: INT, DESCRIPTION: STR,
  },
  DPC_BP_RAFT: { RAFT_ID: INT, GROUP_ID: INT, DPC_MODE: STR, NAME: STR, IS_VALID: INT },
  DPC_BP_GROUP: { ID: INT, NAME: STR, RAFT_NUM: INT, RAFT_INFO: STR, INFO1: INT, DESCRIPTION: STR },
  DPC_FAULT_DOMAIN: { DOMAIN_ID: INT, NAME: STR, DESCRIPTION: STR },
  DPC_TABLESPACE: { TS_ID: INT, RAFT_ID: INT, NAME: STR },
  V$GLOBAL_RAFT_INFO: { INSTANCE_NAME: STR, RAFT_ID: INT, IS_LEARNER: STR, RAFT_STAT: STR, SYS_MODE: STR },
  V$RLOG_RAFT_INFO: { RAFT_SHADOW: INT, STATE: STR, LEADER: STR },
  BAK_USE_AP: { BAK_USE_AP: INT },
};

export class CatalogReadError extends Error {
  constructor(
    message: string,
    readonly errors: DmError[],
  ) {
    super(message);
    this.name = "CatalogReadError";
  }
}

function s(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}
function n(v: unknown): number {
  if (typeof v !== "number") throw new Error(`expected a number, got ${JSON.stringify(v)}`);
  return v;
}
function nn(v: unknown): number | null {
  return v === null || v === undefined ? null : n(v);
}

/** The catalog from disql's output of `catalogReadScript`; refuses partial or failed output. */
export function parseCatalog(stdout: string): Catalog {
  const out = splitSections(stdout);
  if (out.errors.length > 0) throw new CatalogReadError(`disql reported ${out.errors.map((e) => `[${e.code}] ${e.message}`).join("; ")}`, out.errors);
  if (!out.complete) throw new CatalogReadError("the catalog read stopped before its end marker", []);
  const rows = (name: string): Row[] => {
    const lines = out.sections.get(name);
    if (!lines) throw new CatalogReadError(`the catalog read printed no ${name} section`, []);
    return parseResultSet(lines, TYPES[name]);
  };
  const viewLines = out.sections.get("V$GLOBAL_RAFT_INFO");
  return {
    instances: rows("DPC_INSTANCE").map((r) => ({
      raftId: n(r.RAFT_ID),
      instId: n(r.INST_ID),
      name: s(r.NAME),
      mode: s(r.DPC_MODE) as Role,
      apPort: n(r.XMAL_PORT),
      port: n(r.INST_PORT),
      ipInternal: s(r.IP_INTERNAL),
      ipExternal: s(r.IP_EXTERNAL),
      sysMode: s(r.SYS_MODE),
      sysStatus: nn(r.SYS_STATUS),
      status: nn(r.STATUS),
      description: s(r.DESCRIPTION),
      faultDomainId: faultDomainOfInfo1(nn(r.INFO1)),
    })),
    rafts: rows("DPC_BP_RAFT").map((r) => ({
      id: n(r.RAFT_ID),
      groupId: n(r.GROUP_ID),
      mode: s(r.DPC_MODE) as Role,
      name: s(r.NAME),
      valid: r.IS_VALID === 1,
    })),
    bpGroups: rows("DPC_BP_GROUP").map((r) => ({
      id: n(r.ID),
      name: s(r.NAME),
      description: s(r.DESCRIPTION),
      raftIds: decodeRaftInfo(r.RAFT_INFO === null ? null : s(r.RAFT_INFO)),
    })),
    faultDomains: rows("DPC_FAULT_DOMAIN").map((r) => ({ id: n(r.DOMAIN_ID), name: s(r.NAME), description: s(r.DESCRIPTION) })),
    tablespaces: rows("DPC_TABLESPACE").map((r) => ({ id: n(r.TS_ID), raftId: n(r.RAFT_ID), name: s(r.NAME) })),
    ...(viewLines
      ? {
          raftInfo: raftInfoRows(viewLines),
        }
      : {}),
  };
}

function raftInfoRows(lines: readonly string[]): CatalogRaftMember[] {
  return parseResultSet(lines, TYPES.V$GLOBAL_RAFT_INFO).map((r) => ({
    name: s(r.INSTANCE_NAME),
    raftId: n(r.RAFT_ID),
    shadow: null,
    learner: flagText(r.IS_LEARNER),
    stat: s(r.RAFT_STAT),
  }));
}

/** What one running member answered (`memberRaftScript`). */
export interface MemberRaftRead {
  /** V$RLOG_RAFT_INFO.RAFT_SHADOW; null when the member's read failed. */
  readonly shadow: boolean | null;
  /** V$GLOBAL_RAFT_INFO as this member shows it, when asked and answered. */
  readonly global: CatalogRaftMember[] | null;
  /** BAK_USE_AP in the member's memory; null (or absent) when not read. */
  readonly bakUseAp?: number | null;
}

/** `complete`: the script ran to its end marker. */
export function parseMemberRaft(stdout: string): MemberRaftRead & { readonly complete: boolean } {
  const out = splitSections(stdout);
  const own = out.sections.get("V$RLOG_RAFT_INFO");
  const row = own ? parseResultSet(own, TYPES.V$RLOG_RAFT_INFO)[0] : undefined;
  const shadow = row?.RAFT_SHADOW === 1 ? true : row?.RAFT_SHADOW === 0 ? false : null;
  const globalLines = out.sections.get("V$GLOBAL_RAFT_INFO");
  const global = out.complete && out.errors.length === 0 && globalLines ? raftInfoRows(globalLines) : null;
  const bak = out.sections.get("BAK_USE_AP");
  const bakRow = bak ? parseResultSet(bak, TYPES.BAK_USE_AP)[0] : undefined;
  const bakUseAp = typeof bakRow?.BAK_USE_AP === "number" ? bakRow.BAK_USE_AP : null;
  return { shadow, global, bakUseAp, complete: out.complete };
}

/**
 * The catalog with what the members said: V$GLOBAL_RAFT_INFO from the member that showed it (a
 * BP group's leader in BS mode) in place of the MP's, and each row's shadow flag from that
 * member's own V$RLOG_RAFT_INFO; every member's flag also in `memberShadow`, rows or not.
 */
export function withMemberReads(catalog: Catalog, reads: Readonly<Record<string, MemberRaftRead>>): Catalog {
  const byName = new Map(Object.entries(reads).map(([k, v]) => [k.toUpperCase(), v]));
  const global = [...byName.values()].find((r) => r.global !== null)?.global;
  const rows = global ?? catalog.raftInfo;
  const memberShadow = Object.fromEntries([...byName].map(([k, v]) => [k, v.shadow]));
  const memberBakUseAp = Object.fromEntries([...byName].map(([k, v]) => [k, v.bakUseAp ?? null]));
  if (!rows) return { ...catalog, memberShadow, memberBakUseAp };
  return { ...catalog, memberShadow, memberBakUseAp, raftInfo: rows.map((r) => ({ ...r, shadow: byName.get(r.name.toUpperCase())?.shadow ?? null })) };
}

/** Lookups the planners use; names compare case-insensitively, as DM folds identifiers. */
export class CatalogView {
  constructor(readonly catalog: Catalog) {}
  instance(name: string): CatalogInstance | undefined {
    return this.catalog.instances.find((i) => i.name.toUpperCase() === name.toUpperCase());
  }
  raft(name: string): CatalogRaft | undefined {
    return this.catalog.rafts.find((r) => r.name.toUpperCase() === name.toUpperCase());
  }
  raftById(id: number): CatalogRaft | undefined {
    return this.catalog.rafts.find((r) => r.id === id);
  }
  membersOf(raftId: number): CatalogInstance[] {
    return this.catalog.instances.filter((i) => i.raftId === raftId);
  }
  bpGroup(name: string): CatalogBpGroup | undefined {
    return this.catalog.bpGroups.find((g) => g.name.toUpperCase() === name.toUpperCase());
  }
  faultDomain(name: string): CatalogFaultDomain | undefined {
    return this.catalog.faultDomains.find((d) => d.name.toUpperCase() === name.toUpperCase());
  }
  /** User tablespaces stored on a RAFT group: what DM means by a group whose RAFT_ID table objects use. */
  tablespacesOn(raftId: number): CatalogTablespace[] {
    return this.catalog.tablespaces.filter((t) => t.raftId === raftId);
  }
  faultDomainById(id: number | null): CatalogFaultDomain | undefined {
    return id === null ? undefined : this.catalog.faultDomains.find((d) => d.id === id);
  }
  /**
   * The member the MP records as an open PRIMARY (the MP updates SYS_MODE once a group elected).
   * A PRIMARY whose SYS_STATUS is not 4 (OPEN) is a leader that exited or was killed: the MP
   * keeps its last SYS_MODE, so it is no leader to back up from or to wait for.
   */
  leaderOf(raftId: number): CatalogInstance | undefined {
    return this.membersOf(raftId).find((i) => i.sysMode === "PRIMARY" && i.sysStatus === 4);
  }
}
