/**
 * `oceanbase:Backup` (OCP's 立即备份, backup now): schema, OCP's prechecks with the seed's exact
 * texts, and the planner. The resource records the backup it started in a small file on the
 * cluster host (`~/.dbcluster/ob-backup-now/<name>.json`: set id, mode, trigger), so that later
 * reads report that set, and a changed `trigger` runs a new backup. Deleting it removes the
 * record only; the backup stays.
 */
import { z } from "zod";
import type { Operation, Plan } from "../core/operation";
import { sh } from "../core/quote/sh";
import { sqlOp, waitOp, type Target } from "./commands";
import { ClusterSchema, policyName } from "./schema";
import type { ClusterBackupState } from "./read";
import { SQL3, SQL4, isV4, tenantIdent } from "./sql";
import { PlanRefusal } from "./plan-common";
import { passwordLine } from "./script";

export const BackupSchema = z
  .object({
    name: policyName,
    cluster: ClusterSchema,
    mode: z.enum(["full", "incremental"]),
    /** 4.x: the user tenants to back up. @default every user tenant */
    tenants: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,127}$/, "a tenant name starts with a letter and holds letters, digits and _")).optional(),
    /** Compact first when the cluster needs it before a full (else the precheck refuses). @default false */
    compactIfNeeded: z.boolean().default(false),
    /** Any value; a change runs the backup again. */
    trigger: z.string().default(""),
    /** How long to wait for the backup to finish. @default 3600 */
    timeoutSeconds: z.number().int().min(10).max(7 * 86400).default(3600),
  })
  .strict();
export type BackupSpec = z.output<typeof BackupSchema>;

/** What the resource wrote when it started its backup. */
export interface BackupRecord {
  readonly setId: number;
  readonly mode: "full" | "incremental";
  readonly trigger: string;
  readonly tenants: string[];
}

/** OCP's precheck texts (seed 001), exactly. */
export const PRECHECK = {
  needFull: "full data backup needed before incremental data backup.",
  needCompaction: "Cluster compaction needed before full data backup",
} as const;

export const recordPath = (home: string, name: string) => `${home}/.dbcluster/ob-backup-now/${name}.json`;

export function readRecordCommand(name: string): string {
  return sh`printf '%s\n' "$HOME"; cat "$HOME"/.dbcluster/ob-backup-now/${`${name}.json`} 2>/dev/null; exit 0`;
}

interface Target4 {
  readonly id: number;
  readonly name: string;
}

/** The backup targets: the cluster (3.x, one null) or the chosen user tenants (4.x). */
export function backupTargets(spec: BackupSpec, c: ClusterBackupState): Target4[] | null {
  if (!isV4(c.version)) {
    if (spec.tenants !== undefined) throw new PlanRefusal(`tenants is for OceanBase 4.x; ${c.version} backs up the whole cluster: remove tenants`);
    return null;
  }
  const all = c.tenants ?? [];
  if (spec.tenants === undefined) return all.map((t) => ({ id: t.id, name: t.name }));
  return spec.tenants.map((n) => {
    const t = all.find((x) => x.name.toLowerCase() === n.toLowerCase());
    if (!t) throw new PlanRefusal(`tenant ${n} is not a user tenant of this cluster (${all.map((x) => x.name).join(", ") || "none"})`);
    return { id: t.id, name: t.name };
  });
}

/** The same checks OCP's Pre check step makes, plus what the server itself would refuse. */
function precheck(spec: BackupSpec, c: ClusterBackupState, tenants: Target4[] | null): { compact: boolean } {
  const units = tenants === null
    ? [{ label: "the cluster", archive: c.archiveStatus, running: c.running.length, fulls: c.sets.filter((x) => x.mode === "full" && x.status === "SUCCESS" && x.fileStatus === "AVAILABLE").length, compacted: c.lastMergedTime / 1000 >= c.archiveStartMs }]
    : tenants.map((t) => {
        const s = c.tenants!.find((x) => x.id === t.id)!;
        return { label: `tenant ${t.name}`, archive: s.archiveStatus, running: s.running.length, fulls: s.sets.filter((x) => x.mode === "full" && x.status === "SUCCESS" && x.fileStatus === "AVAILABLE").length, compacted: s.lastCompactionMs >= s.archiveStartMs };
      });
  for (const u of units) {
    if (u.archive !== "DOING") throw new PlanRefusal(`Pre check: log archiving of ${u.label} is ${u.archive}, not DOING: a data backup needs it (declare an oceanbase.BackupPolicy, or ALTER SYSTEM ARCHIVELOG)`);
    if (u.running > 0) throw new PlanRefusal(`Pre check: a data backup of ${u.label} is already running: wait for it to finish (never two at once), then run up again`);
    if (spec.mode === "incremental" && u.fulls === 0) throw new PlanRefusal(`Pre check: ${PRECHECK.needFull}`);
  }
  const needs = spec.mode === "full" && units.some((u) => !u.compacted);
  if (needs && !spec.compactIfNeeded) throw new PlanRefusal(`Pre check: ${PRECHECK.needCompaction} (set compactIfNeeded: true to compact first)`);
  return { compact: needs };
}

/** Starts the backup and records its set id, in one step (the record names what this resource started). */
function startOp(t: Target, spec: BackupSpec, c: ClusterBackupState, tenants: Target4[] | null, home: string, compact: boolean): Operation {
  const v4 = tenants !== null;
  const statements: string[] = [];
  const newest = v4
    ? `SELECT max(backup_set_id) FROM oceanbase.CDB_OB_BACKUP_JOBS WHERE tenant_id = ${tenants![0].id}`
    : SQL3.newestSet;
  if (v4) for (const x of tenants!) statements.push(SQL4.backup(spec.mode, tenantIdent(x.name)));
  else statements.push(SQL3.backup(spec.mode));
  // {"setId": <from the server>, then the rest as JSON}: the shell only splices a number in.
  const rest = JSON.stringify({ mode: spec.mode, trigger: spec.trigger, tenants: (tenants ?? []).map((x) => x.name) }).replace(/^\{/, ",");
  const ob = (extra: string) => sh`obclient --defaults-extra-file="$f" -h${spec.cluster.host} -P${spec.cluster.port} -uroot@sys -N -s` + extra;
  // 4.x: every chosen tenant's compaction must be IDLE; 3.x: the cluster's merge_status.
  const idleQuery = v4 ? `SELECT count(*) FROM oceanbase.CDB_OB_MAJOR_COMPACTION WHERE tenant_id IN (${tenants!.map((x) => x.id).join(", ")}) AND status <> 'IDLE'` : SQL3.mergeStatus;
  const waitIdle = compact
    ? sh`; n=0; q=${idleQuery}; w=${v4 ? "0" : "IDLE"}; ` +
      `until [ "$(${ob(' -e "$q"')})" = "$w" ]; do n=$((n + 1)); if [ $n -gt ${spec.timeoutSeconds * 4} ]; then echo "compaction did not finish within ${spec.timeoutSeconds}s" >&2; exit 1; fi; sleep 0.25; done`
    : "";
  const freeze = compact ? (v4 ? tenants!.map((x) => `ALTER SYSTEM MAJOR FREEZE TENANT = ${tenantIdent(x.name)}`) : [SQL3.majorFreeze]) : [];
  const file = recordPath(home, spec.name);
  const command =
    sh`umask 077; f=$(mktemp) || exit 1; trap 'rm -f "$f"' EXIT; IFS= read -r l; printf '[client]\n%s\n' "$l" > "$f"` +
    (freeze.length > 0 ? sh`; ` + ob(sh` -e ${freeze.join("; ")}`) + " || exit 1" + waitIdle : "") +
    sh`; ` + ob(sh` -e ${statements.join("; ")}`) + " || exit 1" +
    sh`; set=$(` + ob(sh` -e ${newest}`) + sh`) || exit 1; case "$set" in ''|*[!0-9]*) echo "no backup set id after the backup started (got '$set')" >&2; exit 1;; esac; mkdir -p "$(dirname ${file})" && printf '{"setId":%s%s\n' "$set" ${rest} > ${file}`;
  return {
    host: t.host,
    connKey: t.connKey,
    kind: "backup",
    describe: `${compact ? `${freeze.join("; ")}; wait for IDLE; ` : ""}${statements.join("; ")}; record the set in ${file}`,
    command,
    stdin: `${passwordLine(spec.cluster.password)}\n`,
    reason: `backup now (${spec.mode}${spec.trigger ? `, trigger ${JSON.stringify(spec.trigger)}` : ""})`,
    hint: "see CDB_OB_BACKUP_PROGRESS / CDB_OB_BACKUP_JOBS for the server's view",
    timeoutMs: (spec.timeoutSeconds + 60) * 1000,
  };
}

export interface BackupActual {
  readonly cluster: ClusterBackupState;
  readonly home: string;
  readonly record: BackupRecord | null;
}

/** The recorded set as the server lists it (3.x: the sys tenant's row; 4.x: the first tenant's). */
export function recordedSet(a: BackupActual) {
  if (!a.record) return null;
  const sets = a.cluster.tenants ? (a.cluster.tenants.find((t) => t.name === a.record!.tenants[0])?.sets ?? []) : a.cluster.sets;
  const running = a.cluster.tenants ? (a.cluster.tenants.find((t) => t.name === a.record!.tenants[0])?.running ?? []) : a.cluster.running;
  return { set: sets.find((x) => x.setId === a.record!.setId) ?? null, running: running.some((x) => x.setId === a.record!.setId) };
}

export function planBackup(spec: BackupSpec, a: BackupActual, t: Target): Plan {
  const tenants = backupTargets(spec, a.cluster);
  const r = a.record;
  const wanted = r !== null && r.trigger === spec.trigger && r.mode === spec.mode && JSON.stringify(r.tenants) === JSON.stringify((tenants ?? []).map((x) => x.name));
  if (!wanted) {
    const { compact } = precheck(spec, a.cluster, tenants);
    return [{ title: "backup now", operations: [startOp(t, spec, a.cluster, tenants, a.home, compact)] }];
  }
  const seen = recordedSet(a)!;
  if (seen.set?.status === "FAILED") throw new PlanRefusal(`backup set ${r.setId} FAILED: see CDB_OB_BACKUP_SET_FILES; change trigger to run it again`);
  if (seen.set === null || seen.running) {
    const q = tenants === null
      ? `SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = 1 AND bs_key = ${r.setId} AND status IN ('SUCCESS', 'FAILED')`
      : `SELECT count(*) FROM oceanbase.CDB_OB_BACKUP_SET_FILES WHERE tenant_id = ${tenants[0].id} AND backup_set_id = ${r.setId} AND status IN ('SUCCESS', 'FAILED')`;
    return [{ title: "wait for the backup", operations: [waitOp(t, { host: spec.cluster.host, port: spec.cluster.port, password: spec.cluster.password }, q, "1", spec.timeoutSeconds, { describe: `wait for backup set ${r.setId} to finish`, watch: "finished sets", reason: `set ${r.setId} is still running`, hint: "the backup goes on in the server; run up again to wait more" })] }];
  }
  return [];
}

export function planBackupDelete(spec: BackupSpec, a: BackupActual, t: Target): Plan {
  if (!a.record) return [];
  const file = recordPath(a.home, spec.name);
  return [{ title: "forget the backup (the data stays)", operations: [{ host: t.host, connKey: t.connKey, kind: "rm", describe: `remove ${file}`, command: sh`rm -f ${file}`, reason: "the Backup resource is deleted; its backup set is kept", timeoutMs: 60_000 }] }];
}
