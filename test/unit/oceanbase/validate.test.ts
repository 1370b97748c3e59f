import { validatePolicy } from "../../../provider/oceanbase/validate";
import { obString } from "../../../provider/oceanbase/sql";
import { cronBlock } from "../../../provider/oceanbase/plan";
import { tokenize } from "../../../lab/sim/oceanbase/sql/select";
import { hostileStrings } from "../../fixtures/hostile-strings";

const conn = { host: "10.0.0.1", user: "admin", privateKey: "KEY" };
const good = () => ({
  name: "weekly",
  cluster: { connection: conn, host: "127.0.0.1", port: 2881, password: "S3cret!pw" },
  storage: { name: "nfs", file: { path: "/data/nfs/backup" } },
  schedule: { period: "week", days: [{ day: 7, mode: "full" }, { day: 1, mode: "incremental" }], time: "01:00" },
  cleanup: { enabled: true, expiryDays: 7, time: "03:00" },
  job: { connection: conn },
});

function failures(inputs: unknown): string[] {
  const v = validatePolicy(inputs);
  return v.ok ? [] : v.failures.map((f) => `${f.path}: ${f.rule} (got ${JSON.stringify(f.value)})`);
}

test("the seed's policy is valid and gets OCP's defaults", () => {
  const v = validatePolicy(good());
  expect(v.ok).toBe(true);
  if (v.ok) expect(v.spec).toMatchObject({ storage: { capacityAlarmPercent: 80 }, logBackup: { enabled: true, pieceSwitchDays: 1 }, method: "physical", schedule: { timeZone: "UTC" } });
});

test("every problem at once, each with field, value and rule", () => {
  const bad = {
    ...good(),
    storage: { name: "nfs", file: { path: "relative/dir?x" } },
    schedule: { period: "month", days: Array.from({ length: 11 }, (_, i) => ({ day: i + 1, mode: "incremental" })), time: "25:00" },
    logBackup: { enabled: false, pieceSwitchDays: 9 },
    method: "logical",
    secondary: { storage: { name: "copy", file: { path: "/data/nfs/backup/copies" } }, schedule: { period: "week", days: [8], time: "05:00" } },
  };
  const f = failures(bad);
  expect(f).toEqual(
    expect.arrayContaining([
      'storage.file.path: must be an absolute path (got "relative/dir?x")',
      `storage.file.path: cannot contain ? (OceanBase refuses '?' in an NFS backup path) (got "relative/dir?x")`,
      'schedule.time: a time of day is HH:MM (00:00 to 23:59) (got "25:00")',
      expect.stringMatching(/^schedule\.days: a monthly schedule has at most 10 days \(OCP's rule\)/),
      expect.stringMatching(/^schedule\.days: at least one day must run a full backup/),
      "logBackup.enabled: log backup is required for physical backup and cannot be turned off (OCP's rule) (got false)",
      "logBackup.pieceSwitchDays: the piece switch interval is 1 to 7 days (OceanBase's range) (got 9)",
      expect.stringMatching(/^method: logical backup is obdumper's job/),
      "secondary.schedule.days[0]: a day of the week is 1 (Monday) to 7 (Sunday) (got 8)",
    ]),
  );
});

test("secondary (backup of backups): its storage apart from the primary one, its own days; not with tenants (4.x)", () => {
  const sched = { period: "week", days: [1, 2, 3, 4, 5, 6, 7], time: "05:00" };
  const second = (storage: unknown, extra: object = {}) => failures({ ...good(), secondary: { storage, schedule: sched }, ...extra });
  expect(second({ name: "copy", file: { path: "/data/nfs2/backup" } })).toEqual([]);
  expect(second({ name: "copy", file: { path: "/data/nfs/backup" } })).toEqual(['secondary.storage: the secondary storage must differ from the primary storage and not lie inside it (the same directory) (got {"name":"copy","file":{"path":"/data/nfs/backup"}})']);
  expect(second({ name: "copy", file: { path: "/data/nfs/backup/copies" } })).toEqual(['secondary.storage: the secondary storage must differ from the primary storage and not lie inside it (/data/nfs/backup/copies is inside /data/nfs/backup) (got {"name":"copy","file":{"path":"/data/nfs/backup/copies"}})']);
  // A sibling whose name starts the same is not inside.
  expect(second({ name: "copy", file: { path: "/data/nfs/backup2" } })).toEqual([]);
  const oss = { endpoint: "oss-cn-hangzhou.aliyuncs.com", bucket: "ob-b", accessId: "id", accessKey: "key" };
  const primaryOss = { ...good(), storage: { name: "oss", oss: { ...oss, path: "prod" } } };
  expect(failures({ ...primaryOss, secondary: { storage: { name: "copy", oss: { ...oss, path: "prod/copy" } }, schedule: sched } })).toEqual([
    'secondary.storage: the secondary storage must differ from the primary storage and not lie inside it (oss://ob-b/prod/copy is inside oss://ob-b/prod) (got {"name":"copy","oss":{"endpoint":"oss-cn-hangzhou.aliyuncs.com","bucket":"ob-b","accessId":"id","accessKey":"[secret]","path":"prod/copy"}})',
  ]);
  expect(failures({ ...primaryOss, secondary: { storage: { name: "copy", oss: { ...oss, path: "copy" } }, schedule: sched } })).toEqual([]);
  expect(second({ name: "copy", file: { path: "/data/nfs2/backup" } }, { tenants: ["t1"] })).toEqual([expect.stringMatching(/^secondary: backup of backups is OceanBase 3\.x's \(cluster level\); tenants is for 4\.x/)]);
  expect(failures({ ...good(), secondary: { storage: { name: "copy", file: { path: "/x" } }, schedule: { period: "month", days: Array.from({ length: 11 }, (_, i) => i + 1), time: "5:00" } } })).toEqual([
    'secondary.schedule.time: a time of day is HH:MM (00:00 to 23:59) (got "5:00")',
    "secondary.schedule.days: a monthly schedule has at most 10 days (OCP's rule) (got [1,2,3,4,5,6,7,8,9,10,11])",
  ]);
});

test("week days are 1..7 and month days 1..31; a day is listed once", () => {
  const week = (days: number[]) => failures({ ...good(), schedule: { period: "week", days: days.map((day) => ({ day, mode: "full" })), time: "01:00" } });
  expect(week([0])).toEqual(["schedule.days[0].day: a day of the week is 1 (Monday) to 7 (Sunday) (got 0)"]);
  expect(week([8])).toEqual(["schedule.days[0].day: a day of the week is 1 (Monday) to 7 (Sunday) (got 8)"]);
  expect(week([3, 3])).toEqual(["schedule.days[1].day: a day is listed once (got 3)"]);
  expect(failures({ ...good(), schedule: { period: "month", days: [{ day: 31, mode: "full" }], time: "01:00" } })).toEqual([]);
  expect(failures({ ...good(), schedule: { period: "month", days: [{ day: 32, mode: "full" }], time: "01:00" } })).toEqual(["schedule.days[0].day: a day of the month is 1 to 31 (got 32)"]);
});

test("secrets never appear in a failure", () => {
  const f = failures({ ...good(), cluster: { connection: conn, password: "bad\npw" } });
  expect(f).toEqual(['cluster.password: the password cannot contain NUL or a line break (obclient\'s defaults file holds it on one line) (got "[secret]")']);
});

test("obString: every hostile string reads back exactly as one literal (MySQL-mode escapes, as the stand-in's tokenizer reads them)", () => {
  for (const s of hostileStrings.filter((x) => !x.includes("\0"))) {
    const toks = tokenize(`SELECT ${obString(s)} FROM t`);
    expect(toks.map((t) => t.t)).toEqual(["id", "str", "id", "id"]);
    expect(toks[1].v).toBe(s);
  }
  expect(() => obString("a\0b")).toThrow(/NUL/);
});

test("the cron block: one line per mode, cleanup daily, alarms hourly, CRON_TZ first", () => {
  const v = validatePolicy({ ...good(), schedule: { period: "month", days: [{ day: 1, mode: "full" }, { day: 15, mode: "incremental" }, { day: 8, mode: "incremental" }], time: "02:30", timeZone: "Asia/Shanghai" } });
  if (!v.ok) throw new Error("invalid");
  expect(cronBlock(v.spec, "B", "E").split("\n")).toEqual([
    "B",
    "CRON_TZ=Asia/Shanghai",
    `30 2 1 * * "$HOME"/'.dbcluster/ob-backup/weekly/run.sh' full >> "$HOME"/'.dbcluster/ob-backup/weekly/cron.out' 2>&1`,
    `30 2 8,15 * * "$HOME"/'.dbcluster/ob-backup/weekly/run.sh' incremental >> "$HOME"/'.dbcluster/ob-backup/weekly/cron.out' 2>&1`,
    `0 3 * * * "$HOME"/'.dbcluster/ob-backup/weekly/run.sh' cleanup >> "$HOME"/'.dbcluster/ob-backup/weekly/cron.out' 2>&1`,
    `0 * * * * "$HOME"/'.dbcluster/ob-backup/weekly/run.sh' alarms >> "$HOME"/'.dbcluster/ob-backup/weekly/cron.out' 2>&1`,
    "E",
  ]);
});

test("a capacity alarm on OSS is refused (a bucket has no size to fill); without it OSS storage is valid and no capacity is watched", () => {
  const oss = { endpoint: "oss-cn-hangzhou.aliyuncs.com", bucket: "ob-backup", path: "ob", accessId: "LTAIid", accessKey: "k3y" };
  expect(failures({ ...good(), storage: { name: "oss", oss, capacityAlarmPercent: 90 } })).toEqual([
    "storage.capacityAlarmPercent: OSS has no capacity to fill (a bucket grows without limit; OSS reports only the bytes used), so there is no percent to alarm on: remove capacityAlarmPercent, or watch the bucket's size with OSS's own monitoring (got 90)",
  ]);
  expect(failures({ ...good(), storage: { name: "oss", oss } })).toEqual([]);
});
