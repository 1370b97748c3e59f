/**
 * A DmdpcCluster whose whole topology is read from the JSON file named by DPC_TOPOLOGY, placed
 * on the lab named by LAB_JSON, so that a test can change one running cluster step by step with
 * successive `up`s. The JSON is DpcClusterArgs with, per instance, `host` (a lab host's name)
 * and `dir` (a directory under that host's dataRoot) instead of connection, ip and path.
 */
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const { dm } = require("pulumi-dbcluster");

const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));
const topology = JSON.parse(fs.readFileSync(process.env.DPC_TOPOLOGY, "utf8"));

function place(i) {
  const h = lab.hosts.find((x) => x.name === i.host);
  if (!h) throw new Error(`topology: instance ${i.name} names no lab host ${i.host}`);
  const { host: _h, dir, ...rest } = i;
  return {
    ...rest,
    ip: h.address,
    path: `${h.dataRoot}/${dir}`,
    connection: { host: h.address, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: pulumi.secret(fs.readFileSync(h.privateKeyPath, "utf8")) },
  };
}

const cluster = new dm.DpcCluster("topo", {
  ...topology,
  sysdbaPassword: pulumi.secret(topology.sysdbaPassword ?? "Lab_Dameng_123"),
  instances: topology.instances.map(place),
});

exports.spEndpoints = cluster.spEndpoints;
exports.leaders = cluster.leaders;
