// One DpcCluster from DPC_TOPOLOGY, a JSON object shaped like dm.DpcClusterArgs except:
//   instances[i].host      a lab host's name (host1...): its connection and address
//   instances[i].dir       the database's base directory under that host's dataRoot
//   instances[i].hostKey   pins this key instead of lab.json's; null leaves hostKey unset
//   instances[i].proxy      {host, hostKey}: reach the host through this lab host (hostKey as above)
//   instances[i].connectionExtra  fields merged into the connection (e.g. a misspelt one)
//   secretPassword         pass sysdbaPassword as a secret (checked by the resources, not the program)
//   gateFailsAfterMs       the cluster dependsOn a resource whose create fails after this long
// so that each test case is just data.
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const { dm } = require("pulumi-dbcluster");

const { secretPassword, gateFailsAfterMs, ...t } = JSON.parse(process.env.DPC_TOPOLOGY || "{}");
const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));

function connection(i) {
  const h = lab.hosts.find((x) => x.name === i.host);
  if (!h) return { host: i.host };
  const c = { host: h.address, port: h.port, user: h.user, privateKey: pulumi.secret(fs.readFileSync(h.privateKeyPath, "utf8")) };
  if (i.hostKey !== null) c.hostKey = i.hostKey === undefined ? h.hostKey : i.hostKey;
  if (i.proxy) {
    const j = lab.hosts.find((x) => x.name === i.proxy.host);
    c.proxy = { host: j.address, port: j.port, user: j.user, privateKey: fs.readFileSync(j.privateKeyPath, "utf8") };
    if (i.proxy.hostKey !== null) c.proxy.hostKey = i.proxy.hostKey === undefined ? j.hostKey : i.proxy.hostKey;
  }
  return { ...c, ...i.connectionExtra };
}

function addressOf(i) {
  const h = lab.hosts.find((x) => x.name === i.host);
  return h ? h.address : i.host;
}

const instances = (t.instances || []).map((i) => {
  const h = lab.hosts.find((x) => x.name === i.host);
  const { host: _host, dir, hostKey: _key, connectionExtra: _extra, proxy: _proxy, ...rest } = i;
  return { ip: addressOf(i), path: dir !== undefined && h ? `${h.dataRoot}/${dir}` : i.path, ...rest, connection: connection(i) };
});

const gate = gateFailsAfterMs === undefined ? undefined : new pulumi.dynamic.Resource(
  {
    async create() {
      await new Promise((r) => setTimeout(r, gateFailsAfterMs));
      throw new Error("the gate stays closed");
    },
  },
  "gate",
  {},
);

const cluster = new dm.DpcCluster("dpc", {
  ...t,
  sysdbaPassword: secretPassword ? pulumi.secret(t.sysdbaPassword) : t.sysdbaPassword,
  instances,
}, gate ? { dependsOn: [gate] } : {});

exports.spEndpoints = cluster.spEndpoints;
exports.leaders = cluster.leaders;
