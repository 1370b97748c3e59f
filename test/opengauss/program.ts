/**
 * A Pulumi program of opengauss.DisasterRecovery resources whose inputs come from a JSON file the
 * test writes (so a test sets every field, hostile values included, and one run can hold many
 * resources). In args, `{"$host": "host1"}` becomes that lab host's connection and
 * `{"$secret": v}` a Pulumi secret. Runs go through hostile/harness's `engine`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Program } from "../hostile/harness";
import { REPO } from "../hostile/harness";
import type { Lab } from "../helpers/lab";

const PROGRAM = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { opengauss } = require("pulumi-dbcluster");
const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8"));
const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "spec.json"), "utf8"));
function resolve(v) {
  if (Array.isArray(v)) return v.map(resolve);
  if (v && typeof v === "object") {
    if ("$host" in v) {
      const h = lab.hosts.find((x) => x.name === v.$host);
      return { host: h.address, port: h.port, user: h.user, privateKey: pulumi.secret(fs.readFileSync(h.privateKeyPath, "utf8")), hostKey: h.hostKey };
    }
    if ("$secret" in v) return pulumi.secret(v.$secret);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  }
  return v;
}
for (const r of spec.resources) new opengauss.DisasterRecovery(r.name, resolve(r.args));
`;

export interface DrResource {
  readonly name: string;
  readonly args: Record<string, unknown>;
}

/** Writes (or rewrites) the program `name` in the lab directory; its state backend beside it. */
export function writeDrProgram(lab: Lab, name: string, resources: DrResource[]): Program {
  const dir = path.join(lab.dir, "programs", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n`);
  fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
  fs.writeFileSync(path.join(dir, "spec.json"), JSON.stringify({ resources }));
  if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, backend: path.join(lab.dir, "state", name) };
}

/** The `clusters` input for lab clusters (each node's connection, ip and dataIp from the lab). */
export function clustersArg(clusters: { name: string; port: number; nodes: { host: string; address: string; dataIp: string }[] }[]) {
  return clusters.map((c) => ({ name: c.name, port: c.port, nodes: c.nodes.map((n) => ({ connection: { $host: n.host }, ip: n.address, dataIp: n.dataIp })) }));
}
