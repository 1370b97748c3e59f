import type { Logic } from "../../converge";
import { connectionKey, parseConnection } from "../../core/connection";
import type { SshTarget } from "../../core/ssh";
import { BackupSchema, planBackup, planBackupDelete, readRecordCommand, recordedSet, type BackupActual, type BackupRecord, type BackupSpec } from "../backup-now";
import { PlanRefusal } from "../plan-common";
import { openSession, readCluster } from "../read";

const target = (s: BackupSpec) => {
  const c = parseConnection(s.cluster.connection);
  return { host: c.host, connKey: connectionKey(c) };
};

const secretsOf = (c: { password?: string; privateKey?: string; privateKeyPassword?: string }) => [c.password, c.privateKey, c.privateKeyPassword].filter((x): x is string => typeof x === "string" && x.length > 0);

function parseRecord(lines: string[]): BackupRecord | null {
  try {
    const r = JSON.parse(lines.join("\n")) as BackupRecord;
    return typeof r.setId === "number" ? r : null;
  } catch {
    return null;
  }
}

export const backupLogic: Logic<BackupSpec, BackupActual> = {
  kind: "oceanbase:Backup",
  validate: (inputs) => {
    const v = BackupSchema.safeParse(inputs);
    if (v.success) return { ok: true, spec: v.data };
    return { ok: false, failures: v.error.issues.map((i) => ({ property: i.path.map(String).join(".") || "(inputs)", reason: `${i.message}${String(i.path[i.path.length - 1]) === "password" ? "" : ""}` })) };
  },
  name: (s) => s.name,
  secrets: (s) => [s.cluster.password, ...secretsOf(s.cluster.connection)],
  connections: (s) => new Map<string, SshTarget["conn"]>([[target(s).connKey, s.cluster.connection]]),
  read: async (s, ctx) => {
    const t = target(s);
    const [cluster, rec] = await Promise.all([
      (async () => {
        const session = await openSession(ctx, t.connKey, { host: s.cluster.host, port: s.cluster.port, password: s.cluster.password });
        try {
          return await readCluster(session);
        } finally {
          await session.end().catch(() => undefined);
        }
      })(),
      ctx.exec(t.connKey, readRecordCommand(s.name)),
    ]);
    const lines = rec.stdout.split("\n");
    return { cluster, home: lines[0] ?? "", record: parseRecord(lines.slice(1).filter((l) => l !== "")) };
  },
  plan: (s, a) => {
    try {
      return planBackup(s, a, target(s));
    } catch (err) {
      if (err instanceof PlanRefusal) throw new Error(`oceanbase:Backup ${s.name}: ${err.message}`);
      throw err;
    }
  },
  planDelete: (s, a) => planBackupDelete(s, a, target(s)),
  observe: (_s, a) => {
    const seen = recordedSet(a);
    const set = seen?.set ?? null;
    return {
      version: a.cluster.version,
      setId: a.record?.setId ?? null,
      mode: a.record?.mode ?? null,
      status: set?.status ?? (seen?.running ? "RUNNING" : null),
      fileStatus: set?.fileStatus ?? null,
      start: set?.start ?? null,
      end: set?.end ?? null,
      bytes: set?.bytes ?? null,
    };
  },
  diff: (olds, news) => {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    const changes = [...keys].filter((k) => JSON.stringify((olds as any)[k]) !== JSON.stringify((news as any)[k])).sort();
    return { replaces: changes.filter((k) => k === "name"), changes: changes.filter((k) => k !== "name") };
  },
};
