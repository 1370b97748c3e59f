// One BackupPolicy per entry of spec.json, created one after another (they share the lab's
// first OceanBase 3.x cluster and its destinations), each carrying a hostile string in its free
// text fields: storage.name, secondary.storage.name and alarmCommand.
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { oceanbase } = require("pulumi-dbcluster");
const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));
const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
const cluster = lab.oceanbase[0];
const conn = (h) => ({ host: h.address, port: h.port, user: h.user, privateKey: pulumi.secret(fs.readFileSync(h.privateKeyPath, "utf8")), hostKey: h.hostKey });
const byName = (n) => lab.hosts.find((h) => h.name === n);
let previous;
const observed = {};
for (const p of spec.policies) {
  const policy = new oceanbase.BackupPolicy(p.name, {
    name: p.name,
    cluster: { connection: conn(byName(cluster.servers[0].host)), host: cluster.servers[0].address, port: cluster.servers[0].sqlPort, password: pulumi.secret(fs.readFileSync(cluster.passwordFile, "utf8")) },
    storage: { name: p.text, file: { path: `${cluster.sharedDir}/backup` } },
    schedule: { period: "week", days: [{ day: 7, mode: "full" }], time: "01:00" },
    secondary: { storage: { name: p.text, file: { path: `${cluster.sharedDir}/backup2` } }, schedule: { period: "week", days: [1], time: "05:00" } },
    alarmCommand: p.text,
    job: { connection: conn(lab.hosts[lab.hosts.length - 1]) },
  }, { dependsOn: previous ? [previous] : [] });
  previous = policy;
  observed[p.name] = policy.observed.apply((o) => ({ storageName: o.storageName, secondaryStorageName: o.secondaryStorageName }));
}
exports.observed = observed;
