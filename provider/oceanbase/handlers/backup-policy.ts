import type { Logic } from "../../converge";
import type { SshTarget } from "../../core/ssh";
import { connectionKey, parseConnection } from "../../core/connection";
import { cronBegin, cronEnd } from "../commands";
import { PlanRefusal, endpoint, planPolicy, planPolicyDelete, targets, unverifiedKeys } from "../plan";
import { readPolicy, type BackupSetRow, type PolicyActual } from "../read";
import { copyExpiryDays } from "../sql";
import { destUri, sameDest, withoutKeys } from "../storage";
import type { BackupPolicySpec } from "../schema";
import { validatePolicy } from "../validate";

const secretsOf = (c: { password?: string; privateKey?: string; privateKeyPassword?: string; proxy?: { password?: string; privateKey?: string } }) =>
  [c.password, c.privateKey, c.privateKeyPassword, c.proxy?.password, c.proxy?.privateKey].filter((s): s is string => typeof s === "string" && s.length > 0);

export const backupPolicyLogic: Logic<BackupPolicySpec, PolicyActual> = {
  kind: "oceanbase:BackupPolicy",
  validate: (inputs) => {
    const v = validatePolicy(inputs);
    if (v.ok) return v;
    return { ok: false, failures: v.failures.map((f) => ({ property: f.path, reason: `${f.rule} (got ${JSON.stringify(f.value)})` })) };
  },
  name: (s) => s.name,
  secrets: (s) => [s.cluster.password, ...secretsOf(s.cluster.connection), ...(s.cluster.servers ?? []).flatMap((sv) => secretsOf(sv.connection)), ...secretsOf(s.job.connection), ...(s.storage.oss ? [s.storage.oss.accessKey] : []), ...(s.secondary?.storage.oss ? [s.secondary.storage.oss.accessKey] : [])],
  connections: (s, olds) => {
    const out = new Map<string, SshTarget["conn"]>();
    for (const spec of olds ? [olds, s] : [s]) {
      const t = targets(spec);
      out.set(t.cluster.connKey, spec.cluster.connection);
      out.set(t.job.connKey, spec.job.connection);
      for (const sv of spec.cluster.servers ?? []) out.set(connectionKey(parseConnection(sv.connection)), sv.connection);
    }
    return out;
  },
  read: (s, ctx) => {
    const t = targets(s);
    return readPolicy(ctx, t.cluster.connKey, t.job.connKey, endpoint(s), s.name);
  },
  plan: (s, actual) => {
    try {
      return planPolicy(s, actual, cronBegin(s.name), cronEnd(s.name));
    } catch (err) {
      if (err instanceof PlanRefusal) throw new Error(`oceanbase:BackupPolicy ${s.name}: ${err.message}`);
      throw err;
    }
  },
  planDelete: (s, actual) => planPolicyDelete(s, actual),
  observe: (s, a) => {
    const c = a.cluster;
    const last = (sets: BackupSetRow[], mode: string) => [...sets].reverse().find((x) => x.mode === mode && x.status === "SUCCESS" && x.fileStatus === "AVAILABLE") ?? null;
    // The storages' names (OCP's 存储配置名称) as declared: labels, read back with the rest.
    const job = { storageName: s.storage.name, secondaryStorageName: s.secondary?.storage.name ?? null, alarms: a.job.alarms, cronInstalled: a.job.cron !== "", cronEntries: a.job.cron, scriptSha256: a.job.scriptSha256, lastRuns: a.job.runs.slice(-5), unverifiedKeys: unverifiedKeys(s, a) };
    if (c.tenants) {
      return {
        version: c.version,
        tenants: c.tenants.map((t) => ({ name: t.name, archiveStatus: t.archiveStatus, archiveDest: withoutKeys(t.archiveDest.path ?? ""), dataDest: withoutKeys(t.dataDest), recoveryWindowDays: t.recoveryWindowDays, runningBackups: t.running, lastFull: last(t.sets, "full"), lastIncremental: last(t.sets, "incremental"), backupSets: t.sets.filter((x) => x.fileStatus === "AVAILABLE").length })),
        ...job,
      };
    }
    return {
      version: c.version,
      backupDest: withoutKeys(c.backupDest),
      backupDestOption: c.backupDestOption,
      destinationAsDeclared: sameDest(c.backupDest, destUri(s.storage)),
      archiveStatus: c.archiveStatus,
      archiveRound: c.archiveRound,
      runningBackups: c.running,
      lastFull: last(c.sets, "full"),
      lastIncremental: last(c.sets, "incremental"),
      backupSets: c.sets.filter((x) => x.fileStatus === "AVAILABLE").length,
      secondary: s.secondary || c.backupBackupDest !== "" ? { backupBackupDest: withoutKeys(c.backupBackupDest), destinationAsDeclared: sameDest(c.backupBackupDest, s.secondary ? destUri(s.secondary.storage) : ""), copiedSets: [...new Set(c.copies.filter((x) => x.status === "SUCCESS" && x.fileStatus === "AVAILABLE").map((x) => x.setId))].length, expiryDays: copyExpiryDays(c.backupBackupDestOption) || null } : null,
      ...job,
    };
  },
  diff: (olds, news) => {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    const changes = [...keys].filter((k) => JSON.stringify((olds as any)[k]) !== JSON.stringify((news as any)[k])).sort();
    // The name keys the job's directory and cron block: a new name is a new policy.
    const replaces = changes.filter((k) => k === "name");
    return { replaces, changes: changes.filter((k) => k !== "name") };
  },
  deleteBeforeReplace: false,
};
