import { ObError } from "../errors";
import { settle } from "../progress";
import { ClusterState, isV4, tenantByName, withState } from "../state";
import { alterSystem3 } from "./alter3";
import { alterSystem4 } from "./alter4";
import { Cell, ResultSet, SelectContext, runSelect } from "./select";
import { PARAMETER_COLUMNS, parameterRows, viewTable } from "./views";
import { alterStandby } from "../standby/alter";
import { roleOf, settleReplica } from "../standby/model";
import { migrationHeld, settleUnits } from "../standby/units";
import { executeTenant } from "../standby/tables";
import { standbyView } from "../standby/views";
import { alterUser } from "../standby/cluster4";
import { alterTenantRole, createStandbyTenant, settleTenants, tenantRoleOf } from "../standby/tenant4";

export type Reply = { kind: "ok"; affectedRows: number } | { kind: "rows"; result: ResultSet };

export interface SessionInfo {
  readonly labDir: string;
  readonly cluster: string;
  readonly user: string;
  readonly connectionId: number;
  readonly now: () => number;
  /** The tenant logged in to (`root@t1`); sys when absent. */
  readonly tenant?: string;
}

/** What a client's statement gets: comments stripped, one statement, trailing `;` dropped. */
export function normalize(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/^\s*--[^\n]*$/gm, " ")
    .replace(/;\s*$/, "")
    .replace(/\s+/g, " ")
    .trim();
}

export function versionComment(s: Pick<ClusterState, "version">): string {
  return isV4(s) ? `OceanBase ${s.version}.0 (r100000102023092807-lab) (Built Sep 28 2023 07:00:00)` : `OceanBase ${s.version}.0 (r100000072022102819-lab) (Built Oct 28 2022 19:00:00)`;
}

function context(s: ClusterState, info: SessionInfo, now: number): SelectContext {
  return {
    table: (name) => (/^(oceanbase\.)?__parameters$/i.test(name) ? { columns: PARAMETER_COLUMNS, rows: parameterRows(s) } : (standbyView(info.labDir, s, name, now) ?? viewTable(s, name, now))),
    variable: (name) =>
      ({ version_comment: versionComment(s), version: isV4(s) ? `5.7.25-OceanBase-v${s.version}.0` : "5.7.25", auto_increment_increment: 1, max_allowed_packet: 16777216, character_set_client: "utf8mb4", tx_isolation: "READ-COMMITTED", transaction_isolation: "READ-COMMITTED", autocommit: 1, lower_case_table_names: 1, time_zone: "+00:00", system_time_zone: "UTC", sql_mode: "STRICT_ALL_TABLES" } as Record<string, Cell>)[name],
    func: (name, args): Cell | undefined => {
      switch (name) {
        case "VERSION": return isV4(s) ? `5.7.25-OceanBase-v${s.version}.0` : "5.7.25";
        case "OB_VERSION":
          if (!isV4(s)) throw new ObError("noFunction", "ob_version");
          return `${s.version}.0`;
        case "DATABASE": return "oceanbase";
        case "USER":
        case "CURRENT_USER": return `${info.user}@127.0.0.1`;
        case "CONNECTION_ID": return info.connectionId;
        case "NOW": return new Date(now).toISOString().slice(0, 19).replace("T", " ");
        case "UNIX_TIMESTAMP": return Math.floor(now / 1000);
        case "LOWER": return args[0] === null ? null : String(args[0]).toLowerCase();
        case "UPPER": return args[0] === null ? null : String(args[0]).toUpperCase();
        case "SUBSTRING_INDEX": return substringIndex(args);
        case "IF":
          if (args.length !== 3) throw new ObError("parse", "if(");
          return args[0] !== null && args[0] !== 0 && args[0] !== "0" && args[0] !== "" ? args[1] : args[2];
        default: return undefined;
      }
    },
  };
}

/** MySQL's SUBSTRING_INDEX(str, delim, count): before the count-th delimiter (after the count-th from the end when negative); case-sensitive. */
function substringIndex(args: Cell[]): Cell {
  if (args.length !== 3) throw new ObError("parse", "substring_index(");
  const [str, delim, count] = args;
  if (str === null || delim === null || count === null) return null;
  const text = String(str), d = String(delim), n = Math.trunc(Number(count));
  if (d === "" || n === 0) return "";
  const parts = text.split(d);
  return n > 0 ? parts.slice(0, n).join(d) : parts.slice(Math.max(parts.length + n, 0)).join(d);
}

/** A statement as the observer's log records it: its first words and the view a SELECT reads, no literals. */
export function statementKind(raw: string): string {
  const sql = normalize(raw);
  const from = /\bFROM\s+([A-Za-z0-9_.$]+)/i.exec(sql)?.[1];
  const head = sql.split(/[\s=(']/).filter((w) => w !== "").slice(0, /^ALTER/i.test(sql) ? 4 : 2).join(" ");
  return from ? `${head.split(" ")[0]} ${from}` : head;
}

/** Runs one statement against the cluster's shared state. */
export function execute(info: SessionInfo, raw: string): Reply {
  const sql = normalize(raw);
  if (sql === "") throw new ObError("parse", "");
  const now = info.now();
  return withState(info.labDir, info.cluster, (s) => {
    settle(s, now, info.labDir);
    settleReplica(info.labDir, s, now);
    settleUnits(s, now, migrationHeld(info.labDir));
    settleTenants(info.labDir, s, now);
    const tenant = info.tenant && info.tenant.toLowerCase() !== "sys" ? tenantByName(s, info.tenant) : undefined;
    if (tenant) {
      const readOnly = isV4(s) ? (tenantRoleOf(s, tenant.id) === "STANDBY" ? "standbyTenantReadOnly" : null) : roleOf(s) !== "PRIMARY" ? "standbyWeakReadOnly" : null;
      return executeTenant(s, tenant.id, info.connectionId, raw, sql, now, context(s, info, now), readOnly);
    }
    if (/^SELECT\b/i.test(sql)) return { kind: "rows", result: runSelect(sql, context(s, info, now)) };
    let m: RegExpExecArray | null;
    if ((m = /^SHOW\s+PARAMETERS(?:\s+LIKE\s+('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|\s+WHERE\s+(.+))?$/i.exec(sql))) {
      const where = m[1] ? ` WHERE NAME LIKE ${m[1]}` : m[2] ? ` WHERE ${m[2]}` : "";
      return { kind: "rows", result: runSelect(`SELECT * FROM __PARAMETERS${where}`, context(s, info, now)) };
    }
    if (/^(SET\s+(NAMES|SESSION|@@SESSION|AUTOCOMMIT|CHARACTER|TIME_ZONE)|USE\s|BEGIN$|COMMIT$|ROLLBACK$)/i.test(sql)) return { kind: "ok", affectedRows: 0 };
    if (isV4(s) && /^CREATE STANDBY TENANT /i.test(sql)) {
      createStandbyTenant(info.labDir, s, sql, raw, now);
      return { kind: "ok", affectedRows: 0 };
    }
    if (/^ALTER\s+SYSTEM\s/i.test(sql)) {
      // Zones and servers are managed the same way on 4.x (ADD/DELETE SERVER, ADD/START/STOP/DELETE/MODIFY ZONE).
      const done = ((!isV4(s) || ZONE_SERVER.test(sql)) && alterStandby(info.labDir, s, sql, raw, now)) || (isV4(s) && alterTenantRole(info.labDir, s, sql, raw, now)) || (isV4(s) ? alterSystem4(s, sql, now) : alterSystem3(s, sql, now));
      if (!done) throw new ObError("parse", sql.slice(13, 53));
      settle(s, now, info.labDir);
      return { kind: "ok", affectedRows: 0 };
    }
    if (alterUser(s, raw)) return { kind: "ok", affectedRows: 0 };
    throw new ObError("parse", sql.slice(0, 40));
  });
}

const ZONE_SERVER = /^ALTER SYSTEM (?:ADD|DELETE|START|STOP|ALTER|CHANGE|MODIFY) (?:ZONE|SERVER) /i;
