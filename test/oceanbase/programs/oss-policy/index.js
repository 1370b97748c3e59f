// A BackupPolicy to the lab's OSS stand-in on the lab's OceanBase cluster named by OB_CLUSTER
// (lab.json's first when unset): fulls on Wednesdays and Sundays, incrementals the other days at
// 01:00 UTC, cleanup after a day at 03:00, the job on the lab's last host. OB_CAPACITY_PERCENT sets a
// capacity alarm (which check refuses on OSS). OB_FILE_DIR puts the backups in that (shared) directory
// instead, OB_POLICY names the policy, OB_TENANTS (4.x) lists its tenants.
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const { oceanbase } = require("pulumi-dbcluster");
const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));
const cluster = process.env.OB_CLUSTER ? lab.oceanbase.find((c) => c.name === process.env.OB_CLUSTER) : lab.oceanbase[0];
if (!cluster) throw new Error(`lab.json has no OceanBase cluster ${process.env.OB_CLUSTER}`);
const conn = (h) => ({ host: h.address, port: h.port, user: h.user, privateKey: pulumi.secret(fs.readFileSync(h.privateKeyPath, "utf8")), hostKey: h.hostKey });
const byName = (n) => lab.hosts.find((h) => h.name === n);
const key = JSON.parse(fs.readFileSync(lab.oss.credentialsFile, "utf8")).accessKey;
const policy = new oceanbase.BackupPolicy("oss", {
  name: process.env.OB_POLICY ?? `oss-${cluster.name}`,
  ...(process.env.OB_TENANTS ? { tenants: process.env.OB_TENANTS.split(",") } : {}),
  cluster: {
    connection: conn(byName(cluster.servers[0].host)),
    host: cluster.servers[0].address,
    port: cluster.servers[0].sqlPort,
    password: pulumi.secret(fs.readFileSync(cluster.passwordFile, "utf8")),
    servers: cluster.servers.slice(1).map((sv) => ({ connection: conn(byName(sv.host)) })),
  },
  storage: process.env.OB_FILE_DIR ? { name: "nfs", file: { path: process.env.OB_FILE_DIR } } : { name: "oss", oss: { endpoint: lab.oss.endpoint, bucket: lab.oss.bucket, path: cluster.name, accessId: lab.oss.accessId, accessKey: pulumi.secret(key) }, ...(process.env.OB_CAPACITY_PERCENT ? { capacityAlarmPercent: Number(process.env.OB_CAPACITY_PERCENT) } : {}) },
  schedule: { period: "week", days: [3, 7].map((day) => ({ day, mode: "full" })).concat([1, 2, 4, 5, 6].map((day) => ({ day, mode: "incremental" }))), time: "01:00" },
  logBackup: { enabled: true, pieceSwitchDays: 1 },
  cleanup: { enabled: true, expiryDays: 1, time: "03:00" },
  job: { connection: conn(lab.hosts[lab.hosts.length - 1]) },
});
exports.observed = policy.observed;
