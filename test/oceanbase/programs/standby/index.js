// One oceanbase.StandbyCluster from STANDBY_ARGS, a JSON object shaped like
// oceanbase.StandbyClusterArgs except:
//   primary            omitted: lab.json's first OceanBase cluster from its first server's host;
//                      fields given are merged over it (e.g. a wrong password)
//   primaryConnection  fields merged over the primary's SSH connection (e.g. dialErrorLimit)
//   zones[i].hosts     lab host names ("host4"), or {count, from: [names], machineType}
//   machineTypes       {host4: "big"}: the hosts' machine-type labels
//   observer           omitted fields: each host's own obHome and <dataRoot>/obstandby/store
//   passwordViaResource true: root@sys's password comes out of another resource (created in the
//                      same run), so a preview does not know it yet
// so that each test case is just data.
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const { oceanbase } = require("pulumi-dbcluster");

const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));
const { primary, primaryConnection = {}, zones, machineTypes = {}, observer = {}, passwordViaResource, ...rest } = JSON.parse(process.env.STANDBY_ARGS || "{}");
const byName = (n) => lab.hosts.find((h) => h.name === n);
const conn = (h) => ({ host: h.address, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: fs.readFileSync(h.privateKeyPath, "utf8") });
const host = (n) => {
  const h = byName(n);
  if (!h) return { connection: { host: n }, address: n };
  const own = {};
  if (observer.home === undefined) own.home = h.obHome;
  if (observer.dataDir === undefined) own.dataDir = `${h.dataRoot}/obstandby/store`;
  return { connection: conn(h), address: h.address, ...own, ...(machineTypes[n] ? { machineType: machineTypes[n] } : {}) };
};
const c = lab.oceanbase[0];
const first = byName(c.servers[0].host);

// `copy` is an output only: a preview of its create does not know it.
const passthrough = { async create(inputs) { return { id: "password", outs: { value: inputs.value, copy: inputs.value } }; } };
const readPassword = () => fs.readFileSync(c.passwordFile, "utf8");
const password = passwordViaResource ? new pulumi.dynamic.Resource(passthrough, "password", { value: pulumi.secret(readPassword()), copy: undefined }).copy : readPassword();

const standby = new oceanbase.StandbyCluster("standby", {
  primary: { connection: { ...conn(first), ...primaryConnection }, host: c.servers[0].address, port: c.servers[0].sqlPort, password, ...primary },
  zones: (zones || []).map((z) => ({ ...z, hosts: Array.isArray(z.hosts) ? z.hosts.map(host) : { ...z.hosts, from: (z.hosts.from || []).map(host) } })),
  observer: { home: "/per-host/home", dataDir: "/per-host/store", ...observer },
  clusterId: 2,
  version: "3.2.4",
  ...rest,
});

exports.standbyCluster = standby.observed;
