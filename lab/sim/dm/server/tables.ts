/**
 * The tables and views the simulator answers, their columns (with types: disql sizes numeric
 * columns by type), and the generic evaluation of a simple SELECT over them.
 */
import { ERR, sqlError } from "../errors";
import type { Catalog } from "./catalog";
import type { InstanceRow, Value } from "./catalog-data";
import { Statement } from "./sql";

export type ColType = "INT" | "BIGINT" | "VARCHAR" | "VARBINARY";

export interface Column {
  name: string;
  type: ColType;
}

export interface ResultSet {
  columns: Column[];
  rows: Value[][];
}

export interface LocalInstanceInfo {
  name: string;
  hostAddr: string;
  status: string; // OPEN | MOUNT
  mode: string; // NORMAL | PRIMARY | STANDBY
  dpcMode: string;
  startTime: string;
}

const cols = (spec: string): Column[] =>
  spec.split(/\s+/).filter(Boolean).map((s) => {
    const [name, type] = s.split(":");
    return { name, type: (type ?? "VARCHAR") as ColType };
  });

export const TABLES: Record<string, Column[]> = {
  DPC_BP_GROUP: cols("ID:INT NAME DESCRIPTION RAFT_NUM:INT RAFT_INFO:VARBINARY INFO1:INT INFO2:BIGINT INFO3:VARBINARY"),
  DPC_BP_RAFT: cols("RAFT_ID:INT GROUP_ID:INT DPC_MODE NAME IS_VALID:INT INFO1:INT INFO2:BIGINT INFO3:VARBINARY"),
  DPC_INSTANCE: cols(
    "RAFT_ID:INT INST_ID:INT NAME DPC_MODE XMAL_PORT:INT INST_PORT:INT IP_INTERNAL SYS_MODE SYS_STATUS:INT STATUS:INT DESCRIPTION IP_EXTERNAL INFO1:INT INFO2:BIGINT INFO3:VARBINARY",
  ),
  DPC_FAULT_DOMAIN: cols("DOMAIN_ID:INT NAME DESCRIPTION"),
  DPC_TABLESPACE: cols("TS_ID:INT RAFT_ID:INT STATE:INT NAME INFO1:INT INFO2:BIGINT INFO3:VARBINARY"),
  // The views' columns and order as DM8 ch. 12 lists them (§12.30, §12.31, §12.35).
  V$DPC_EDCT_INSTANCE: cols(
    "RAFT_ID:INT INST_ID:INT NAME DPC_MODE XMAL_PORT:INT INST_PORT:INT IP_INTERNAL IP_EXTERNAL SYS_MODE SYS_STATUS STATUS AUX_SP DISCARD_TICK:BIGINT DESC BS_FLAG:INT FAULT_DOMAIN",
  ),
  V$DPC_EDCT_RAFT: cols("RAFT_ID:INT DPC_MODE IS_VALID:INT NAME L_TERM_ID:BIGINT DISCARD_TICK:BIGINT"),
  V$GLOBAL_RAFT_INFO: cols(
    "INSTANCE_NAME RAFT_ID:INT IS_SHADOW IS_LEARNER RAFT_STAT TERM_ID:INT LOG_TERM_ID:INT SYS_MODE SYS_STATUS ARCH_STATUS C_SEQNO:BIGINT C_LSN:BIGINT H_SEQNO:BIGINT H_LSN:BIGINT F_SEQNO:BIGINT F_LSN:BIGINT",
  ),
  V$INSTANCE: cols("NAME INSTANCE_NAME INSTANCE_NUMBER:INT HOST_NAME SVR_VERSION DB_VERSION START_TIME STATUS$ MODE$ DPC_MODE"),
  // §12.17: the node's own election state and log commit; RAFT_SHADOW 0 = RAFT replica, 1 = shadow.
  V$RLOG_RAFT_INFO: cols(
    "TERM_ID:INT STATE LEADER LOG_TERM_ID:INT C_SEQ:BIGINT C_LSN:BIGINT F_SEQ_ARR F_LSN_ARR H_SEQ:BIGINT H_LSN:BIGINT NEED_WAIT SELF_STATUS HP_FLAG SWITCH_TIME ARCH_CHG_FLAG ARCH_CHG_STAT DEST_ID_ARR RAFT_SHADOW:INT TOTAL_CACHE_TIME:BIGINT",
  ),
};

/** What only the MP, an SP or a BS-mode BP answers (DM8 ch. 12: "可在 SP、BS 模式的 BP、MP 节点查询"). */
export const CATALOG_TABLES = new Set(Object.keys(TABLES).filter((t) => t !== "V$INSTANCE"));

/**
 * Who is asking: DM8 ch. 12 "在 SP、BS 模式的 BP 节点可查询到的是整个集群所有站点的信息，在 MP 上
 * 查询到的只有 MP 站点自身的信息". The lab applies it to V$GLOBAL_RAFT_INFO only (on the MP: the
 * MP group's rows). §12.30 and §12.31 say otherwise for V$DPC_EDCT_RAFT and V$DPC_EDCT_INSTANCE
 * (on the MP they hold what DPC_BP_RAFT and DPC_INSTANCE hold), so those are whole on the MP, as
 * are the DPC_* system tables (the catalog it keeps; MGT §8.13.2.2 "MP 支持查询系统表").
 */
export type Viewer = "MP" | "cluster";

const hex16le = (ids: number[]) =>
  ids.length === 0 ? null : "0x" + ids.map((id) => ((id & 0xff) * 256 + ((id >> 8) & 0xff)).toString(16).toUpperCase().padStart(4, "0")).join("");

const STATUS_NAME: Record<number, string> = { 3: "MOUNT", 4: "OPEN", 6: "SHUTDOWN" };

/** Rows of a catalog table or DPC view as column -> value maps. */
export function catalogRows(c: Catalog, table: string, viewer: Viewer = "cluster"): Record<string, Value>[] {
  const rows = allRows(c, table);
  if (viewer === "cluster" || table !== "V$GLOBAL_RAFT_INFO") return rows;
  return rows.filter((r) => r.RAFT_ID === 0);
}

function allRows(c: Catalog, table: string): Record<string, Value>[] {
  const d = c.data;
  switch (table) {
    case "DPC_BP_GROUP":
      return d.groups.map((g) => ({
        ID: g.id, NAME: g.name, DESCRIPTION: g.description, RAFT_NUM: g.rafts.length, RAFT_INFO: hex16le(g.rafts),
        INFO1: 0, INFO2: null, INFO3: null,
      }));
    case "DPC_BP_RAFT":
      return d.rafts.map((r) => ({ RAFT_ID: r.raftId, GROUP_ID: -1, DPC_MODE: r.dpcMode, NAME: r.name, IS_VALID: 1, INFO1: null, INFO2: null, INFO3: null }));
    case "DPC_INSTANCE":
      return d.instances.map((i) => ({
        RAFT_ID: i.raftId, INST_ID: i.instId, NAME: i.name, DPC_MODE: i.dpcMode, XMAL_PORT: i.xmalPort, INST_PORT: i.instPort,
        IP_INTERNAL: i.ipInternal, SYS_MODE: i.sysMode, SYS_STATUS: i.sysStatus, STATUS: i.status, DESCRIPTION: i.description,
        IP_EXTERNAL: i.ipExternal, INFO1: i.domainId === null ? null : i.domainId << 16, INFO2: null, INFO3: null,
      }));
    case "DPC_FAULT_DOMAIN":
      return d.domains.map((f) => ({ DOMAIN_ID: f.id, NAME: f.name, DESCRIPTION: f.description }));
    case "DPC_TABLESPACE":
      return (d.tablespaces ?? []).map((t) => ({ TS_ID: t.id, RAFT_ID: t.raftId, STATE: 0, NAME: t.name, INFO1: null, INFO2: null, INFO3: null }));
    case "V$DPC_EDCT_INSTANCE":
      // SYS_STATUS and STATUS are VARCHAR here (§12.31); the lab prints the catalog's numbers as text.
      // AUX_SP, DISCARD_TICK and BS_FLAG are not modelled: NULL.
      return d.instances.map((i) => ({
        RAFT_ID: i.raftId, INST_ID: i.instId, NAME: i.name, DPC_MODE: i.dpcMode, XMAL_PORT: i.xmalPort, INST_PORT: i.instPort,
        IP_INTERNAL: i.ipInternal, IP_EXTERNAL: i.ipExternal, SYS_MODE: i.sysMode, SYS_STATUS: String(i.sysStatus), STATUS: String(i.status),
        AUX_SP: null, DISCARD_TICK: null, DESC: i.description, BS_FLAG: null,
        FAULT_DOMAIN: d.domains.find((f) => f.id === i.domainId)?.name ?? null,
      }));
    case "V$DPC_EDCT_RAFT":
      return d.rafts.map((r) => ({
        RAFT_ID: r.raftId, DPC_MODE: r.dpcMode, IS_VALID: c.raftAvailable(r.raftId) ? 1 : 0, NAME: r.name,
        L_TERM_ID: validLeader(c, r.raftId) ? d.raftInfo[validLeader(c, r.raftId)!.name]?.term ?? null : null, DISCARD_TICK: null,
      }));
    case "V$GLOBAL_RAFT_INFO":
      return globalRaftInfo(c);
    case "V$INSTANCE":
      // On an SP, V$INSTANCE lists every instance of the cluster (the seed's 7.1.7 check).
      return d.instances.map((i) => ({
        NAME: i.name, INSTANCE_NAME: i.name, INSTANCE_NUMBER: i.instId, HOST_NAME: i.ipInternal, SVR_VERSION: SVR_VERSION,
        DB_VERSION: DB_VERSION, START_TIME: null, STATUS$: STATUS_NAME[i.sysStatus] ?? String(i.sysStatus), MODE$: i.sysMode,
        DPC_MODE: i.dpcMode,
      }));
  }
  return [];
}

/** A group's member that is an OPEN PRIMARY (a single replica has none: it is NORMAL). */
function validLeader(c: Catalog, raftId: number): InstanceRow | undefined {
  return c.members(raftId).find((m) => m.sysMode === "PRIMARY" && m.sysStatus === 4);
}

const text = (b: boolean) => (b ? "TRUE" : "FALSE");

/**
 * V$GLOBAL_RAFT_INFO as DM8 §12.35 has it: only instances that communicate (running and
 * reporting: not SYS_STATUS 6), and none of a group's rows while it has no valid leader.
 * IS_SHADOW / IS_LEARNER are VARCHAR(8); the manual gives no values, the lab prints TRUE / FALSE.
 * The lab keeps no redo log: the seq/LSN columns are NULL.
 */
function globalRaftInfo(c: Catalog): Record<string, Value>[] {
  const d = c.data;
  return d.instances
    .filter((i) => d.raftInfo[i.name] && i.sysStatus !== 6 && validLeader(c, i.raftId))
    .map((i) => {
      const r = d.raftInfo[i.name];
      return {
        INSTANCE_NAME: i.name, RAFT_ID: i.raftId, IS_SHADOW: text(r.shadow), IS_LEARNER: text(!!i.learner), RAFT_STAT: r.role,
        TERM_ID: r.term, LOG_TERM_ID: r.term, SYS_MODE: i.sysMode, SYS_STATUS: STATUS_NAME[i.sysStatus] ?? String(i.sysStatus),
        ARCH_STATUS: r.role === "LEADER" ? "VALID" : null,
        C_SEQNO: null, C_LSN: null, H_SEQNO: null, H_LSN: null, F_SEQNO: null, F_LSN: null,
      };
    });
}

export const SVR_VERSION = "DM Database Server 64 V8";
export const DB_VERSION = "DB Version: 0x7000c";

/** What a RAFT member knows of itself (V$RLOG_RAFT_INFO); undefined for an instance that runs no RAFT. */
export interface LocalRaftInfo {
  term: number;
  role: string;
  leader: string | null;
  shadow: boolean;
}

/**
 * V$RLOG_RAFT_INFO, one row: "非多副本系统情况下，V$RLOG_RAFT_INFO 的值无实际意义" (§12.17) — the lab
 * then prints TERM_ID 0, no STATE or LEADER and RAFT_SHADOW 0 (its choice). No redo log: the
 * seq/LSN columns are NULL; the columns "仅在主库上查询才有效" are NULL on a follower.
 */
export function localRaftRow(r: LocalRaftInfo | undefined, shadowDb: boolean): Record<string, Value> {
  return {
    TERM_ID: r?.term ?? 0, STATE: r?.role ?? null, LEADER: r?.leader ?? null, LOG_TERM_ID: r?.term ?? 0,
    C_SEQ: null, C_LSN: null, F_SEQ_ARR: null, F_LSN_ARR: null, H_SEQ: null, H_LSN: null,
    NEED_WAIT: null, SELF_STATUS: null, HP_FLAG: null, SWITCH_TIME: null, ARCH_CHG_FLAG: null, ARCH_CHG_STAT: null, DEST_ID_ARR: null,
    RAFT_SHADOW: (r?.shadow ?? shadowDb) ? 1 : 0, TOTAL_CACHE_TIME: null,
  };
}

export function localInstanceRow(l: LocalInstanceInfo): Record<string, Value> {
  return {
    NAME: l.name, INSTANCE_NAME: l.name, INSTANCE_NUMBER: 1, HOST_NAME: l.hostAddr, SVR_VERSION, DB_VERSION,
    START_TIME: l.startTime, STATUS$: l.status, MODE$: l.mode, DPC_MODE: l.dpcMode,
  };
}

function sameValue(a: Value, b: Value): boolean {
  if (a === null || b === null) return false; // = NULL is never true in SQL
  if (typeof a === "number" || typeof b === "number") return Number(a) === Number(b);
  return a === b;
}

/** Applies a SELECT to rows of a known table. */
export function evaluate(stmt: Extract<Statement, { kind: "select" }>, table: string, rows: Record<string, Value>[]): ResultSet {
  const all = TABLES[table];
  const byName = (n: string, line: number) => all.find((c) => c.name === n) ?? (() => {
    throw sqlError(ERR.invalidColumn(n), line);
  })();
  const columns = stmt.columns === "*" ? all : stmt.columns.map((n, i) => byName(n, stmt.columnLines[i] ?? 1));
  for (const w of stmt.where) byName(w.column, w.line);
  let picked = rows.filter((r) => stmt.where.every((w) => sameValue(r[w.column], w.value)));
  if (stmt.orderBy) {
    const col = byName(stmt.orderBy.column, stmt.orderBy.line).name;
    const sign = stmt.orderBy.desc ? -1 : 1;
    picked = [...picked].sort((x, y) => sign * compare(x[col], y[col]));
  }
  return { columns, rows: picked.map((r) => columns.map((c) => r[c.name] ?? null)) };
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1; // NULLs last, as DM sorts ascending
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}
