/**
 * Every string field of oceanbase.BackupPolicy with every hostile string: check refuses it
 * naming that field (and only with the field's own rule), or accepts it, and then what it
 * becomes is exact: the SQL literal reads back as the destination (the stand-in's tokenizer
 * reads MySQL-mode escapes), and every shell command of the plan parses with bash -n. The
 * engine suite (test/oceanbase/backup-policy-hostile.test.ts) stores the free-text fields on
 * the lab and reads them back.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planPolicy } from "../../../provider/oceanbase/plan";
import type { PolicyActual } from "../../../provider/oceanbase/read";
import { validatePolicy } from "../../../provider/oceanbase/validate";
import { tokenize } from "../../../lab/sim/oceanbase/sql/select";
import { BackupSchema } from "../../../provider/oceanbase/backup-now";
import { hostile } from "../../hostile/strings";

const conn = { host: "10.0.0.1", user: "admin", privateKey: "KEY" };
const base = () => ({
  name: "weekly",
  cluster: { connection: conn, password: "S3cret!pw" },
  storage: { name: "nfs", file: { path: "/nfs/backup" } },
  schedule: { period: "week", days: [{ day: 7, mode: "full" }], time: "01:00" },
  secondary: { storage: { name: "nfs2", file: { path: "/nfs2/backup" } }, schedule: { period: "week", days: [1], time: "05:00" } },
  job: { connection: { ...conn, host: "10.0.0.4" } },
});
const oss = { endpoint: "oss-cn-hangzhou.aliyuncs.com", bucket: "ob-b", path: "p", accessId: "id", accessKey: "key" };
const FIELDS: Record<string, (s: string) => object> = {
  name: (s) => ({ name: s }),
  "cluster.host": (s) => ({ cluster: { ...base().cluster, host: s } }),
  "cluster.password": (s) => ({ cluster: { ...base().cluster, password: s } }),
  "storage.name": (s) => ({ storage: { name: s, file: { path: "/nfs/backup" } } }),
  "storage.file.path": (s) => ({ storage: { name: "n", file: { path: `/nfs/${s}` } } }),
  "storage.oss.endpoint": (s) => ({ storage: { name: "n", oss: { ...oss, endpoint: s } } }),
  "storage.oss.bucket": (s) => ({ storage: { name: "n", oss: { ...oss, bucket: s } } }),
  "storage.oss.path": (s) => ({ storage: { name: "n", oss: { ...oss, path: s } } }),
  "storage.oss.accessId": (s) => ({ storage: { name: "n", oss: { ...oss, accessId: s } } }),
  "storage.oss.accessKey": (s) => ({ storage: { name: "n", oss: { ...oss, accessKey: s } } }),
  "schedule.time": (s) => ({ schedule: { ...base().schedule, time: s } }),
  "schedule.timeZone": (s) => ({ schedule: { ...base().schedule, timeZone: s } }),
  "cleanup.time": (s) => ({ cleanup: { enabled: true, time: s } }),
  alarmCommand: (s) => ({ alarmCommand: s }),
  "tenants[0]": (s) => ({ tenants: [s], secondary: undefined }),
  "secondary.storage.name": (s) => ({ secondary: { ...base().secondary, storage: { name: s, file: { path: "/nfs2/backup" } } } }),
  "secondary.storage.file.path": (s) => ({ secondary: { ...base().secondary, storage: { name: "n", file: { path: `/nfs2/${s}` } } } }),
  "secondary.schedule.time": (s) => ({ secondary: { ...base().secondary, schedule: { ...base().secondary.schedule, time: s } } }),
};
const job = { home: "/home/admin", cron: "", scriptSha256: null, cnfSha256: null, cnfMode: null, runs: [], alarms: [], keys: "" };
const fresh3: PolicyActual = { cluster: { version: "3.2.4.0", backupDest: "", backupDestOption: {}, backupBackupDest: "", backupBackupDestOption: {}, archiveStatus: "STOP", archiveRound: 0, sets: [], copies: [], running: [], mergeStatus: "IDLE", lastMergedTime: 0, archiveStartMs: 0 }, job };

test("every string field, every hostile string: refused naming the field, or planned into exact SQL and parsable shell", () => {
  const strings = hostile("/tmp/canary");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ob-hostile-"));
  const commands: string[] = [];
  let accepted = 0;
  for (const [field, put] of Object.entries(FIELDS)) {
    for (const s of strings) {
      const v = validatePolicy({ ...base(), ...put(s) });
      if (!v.ok) {
        // Refused: for this field (a value valid elsewhere is never blamed on another field).
        const prefix = field.replace(/\[0\]$/, "");
        expect(v.failures.map((f) => f.path).every((p) => p.startsWith(prefix) || p === "storage" || p === "secondary.storage")).toBe(true);
        // A secret is never echoed.
        if (/password|accessKey/.test(field)) expect(v.failures.filter((f) => f.path === field).map((f) => f.value)).toEqual(v.failures.filter((f) => f.path === field).map(() => "[secret]"));
        continue;
      }
      accepted++;
      if (v.spec.tenants) continue; // 4.x: planned per tenant against a 4.x server (the engine suites)
      const plan = planPolicy(v.spec, fresh3, "B", "E");
      for (const op of plan.flatMap((p) => p.operations)) {
        commands.push(op.command);
        if (op.kind !== "sql") continue;
        // Each statement's literals read back as the destinations the spec names.
        for (const stmt of op.stdin!.split("\n").slice(1).filter((l) => l !== "")) {
          const lits = tokenize(stmt.replace(/;$/, "")).filter((t) => t.t === "str").map((t) => t.v);
          for (const lit of lits) if (lit.startsWith("file://")) expect([`file://${v.spec.storage.file?.path}`, `file://${v.spec.secondary?.storage.file?.path}`]).toContain(lit);
        }
      }
    }
  }
  expect(accepted).toBeGreaterThan(200);
  // bash -n over every command at once (each in a function of its own).
  const file = path.join(scratch, "c.sh");
  fs.writeFileSync(file, commands.map((c, i) => `f${i}() {\n${c}\n}\n`).join(""));
  expect(() => execFileSync("bash", ["-n", file])).not.toThrow();
  fs.rmSync(scratch, { recursive: true, force: true });
});

test("oceanbase.Backup's restricted string fields (name, cluster.host, tenants) with every hostile string: refused naming the field, or a plain identifier (its trigger is the engine suite's, test/oceanbase/backup-now.test.ts)", () => {
  const ok = { name: "now", cluster: { connection: conn, password: "S3cret!pw" }, mode: "full" };
  const put: Record<string, (s: string) => object> = { name: (s) => ({ name: s }), "cluster.host": (s) => ({ cluster: { ...ok.cluster, host: s } }), "tenants.0": (s) => ({ tenants: [s] }) };
  for (const [field, f] of Object.entries(put)) {
    for (const s of hostile("/tmp/canary")) {
      const r = BackupSchema.safeParse({ ...ok, ...f(s) });
      if (!r.success) expect(r.error.issues.map((i) => i.path.join("."))).toEqual(r.error.issues.map(() => field));
      else expect(s).toMatch(/^[A-Za-z0-9_.:-]+$/);
    }
  }
});
