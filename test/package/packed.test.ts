/**
 * What is published works, not only the checkout: `npm pack` here, the tarball installed into a
 * scratch Pulumi program outside the repository (with the SDK the program brings, as a user's
 * does), and the README's quickstart (seed 7.1) applied on the lab through the local engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ENGINE_CLI } from "../helpers/engine-cli";
import { REPO, startLab, type Lab } from "../helpers/lab";
import { NPM_QUIET, ok, run, scratchDir, userEnv } from "./helpers";

jest.setTimeout(600_000);

let dir: string;
let app: string;
let lab: Lab | undefined;
let tarball: string;
let packed: string[];

/** The README's quickstart, its hosts taken from the lab. */
const PROGRAM = `"use strict";
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const { dm } = require("pulumi-dbcluster");

const lab = JSON.parse(fs.readFileSync(process.env.LAB_JSON, "utf8")).hosts;
const key = (h) => pulumi.secret(fs.readFileSync(h.privateKeyPath, "utf8"));
const on = (i) => ({ connection: { host: lab[i].address, port: lab[i].port, user: lab[i].user, privateKey: key(lab[i]), hostKey: lab[i].hostKey }, ip: lab[i].address });
const data = (i, name) => lab[i].dataRoot + "/quickstart/" + name;

const cluster = new dm.DpcCluster("dpc", {
  sysdbaPassword: new pulumi.Config().requireSecret("sysdbaPassword"),
  instances: [
    { name: "MP",  mode: "MP", ...on(0), path: data(0, "mp"),  portNum: 5239, apPortNum: 6003, mpPort: 9000 },
    { name: "SP1", mode: "SP", ...on(1), path: data(1, "sp1"), portNum: 5236, apPortNum: 6000 },
    { name: "BP1", mode: "BP", ...on(2), path: data(2, "bp1"), portNum: 5237, apPortNum: 6001 },
    { name: "BP2", mode: "BP", ...on(3), path: data(3, "bp2"), portNum: 5238, apPortNum: 6002 },
  ],
  rafts: [
    { name: "RAFT_1", role: "BP", members: ["BP1"] },
    { name: "RAFT_2", role: "BP", members: ["BP2"] },
    { name: "RAFT_SP1", role: "SP", members: ["SP1"] },
  ],
  bpGroups: [{ name: "BG_1", rafts: ["RAFT_1", "RAFT_2"] }],
  faultDomains: [{ name: "FDOM_1", instances: ["MP", "BP1", "BP2"] }],
});
exports.spEndpoints = cluster.spEndpoints;
`;

beforeAll(async () => {
  dir = scratchDir("packed-");
  const r = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: REPO });
  if (r.code !== 0) throw new Error(`npm pack failed:\n${r.stderr.slice(-4000)}`);
  // npm prints the prepare build's output before the JSON.
  const info = JSON.parse(r.stdout.slice(r.stdout.indexOf("[\n"))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(dir, info[0].filename);
  packed = info[0].files.map((f) => f.path);
});

afterAll(async () => {
  await lab?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the tarball holds the SDK, the provider the plugin loads, LICENSE and README, and nothing of the lab", () => {
  expect(packed).toEqual(expect.arrayContaining(["package.json", "LICENSE", "README.md", "dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/sdk/dm/index.js", "dist/provider/dispatch.js", "dist/provider/converge.js", "dist/provider/core/engine-log.js"]));
  expect(packed.filter((f) => !/^(package\.json|LICENSE|README\.md|dist\/(sdk|provider)\/.+)$/.test(f))).toEqual([]);
  expect(fs.readFileSync(path.join(REPO, "LICENSE"), "utf8")).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
  expect(pkg.license).toBe("Apache-2.0");
  expect(pkg.peerDependencies).toEqual({ "@pulumi/pulumi": "^3" });
  expect(pkg.dependencies["@pulumi/pulumi"]).toBeUndefined();
});

test("installed from the tarball outside the repository, the quickstart deploys on the lab and a second up changes nothing", async () => {
  app = path.join(dir, "app");
  fs.mkdirSync(app);
  const sdk = JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version as string;
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "quickstart", private: true, main: "index.js", dependencies: { "@pulumi/pulumi": sdk, "pulumi-dbcluster": `file:${tarball}` } }, null, 2));
  fs.writeFileSync(path.join(app, "Pulumi.yaml"), "name: quickstart\nruntime: nodejs\n");
  fs.writeFileSync(path.join(app, "index.js"), PROGRAM);
  expect(ok(await run("npm", ["install", ...NPM_QUIET], { cwd: app }))).toEqual({ code: 0, tail: "" });

  // A copy, not a link into the checkout; and one SDK in the program (ours is a peer dependency).
  const installed = fs.realpathSync(path.join(app, "node_modules", "pulumi-dbcluster"));
  expect(installed.startsWith(fs.realpathSync(app))).toBe(true);
  expect(fs.existsSync(path.join(installed, "node_modules", "@pulumi", "pulumi"))).toBe(false);
  expect(fs.existsSync(path.join(installed, "dist", "lab"))).toBe(false);

  lab = await startLab({ hosts: 4 });
  for (const h of lab.hosts) fs.mkdirSync(h.dataRoot, { recursive: true });
  const env = userEnv({ LAB_JSON: path.join(lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "packed" });
  const engine = (...args: string[]) => run(process.execPath, [ENGINE_CLI, ...args, "--cwd", app, "--stack", "lab", "--backend", path.join(dir, "state")], { cwd: app, env });
  expect(ok(await engine("config", "set", "--secret", "sysdbaPassword", "Packed_Dameng_123"))).toEqual({ code: 0, tail: "" });

  const up = await engine("up");
  expect(ok(up)).toEqual({ code: 0, tail: "" });
  expect(up.stdout).toMatch(/^Resources: 12 created$/m);
  expect(up.stdout).toMatch(/^\[dbcluster\] dm:RaftGroup\/RAFT_1 create [0-9a-f]{6} phase 1\/\d+ /m);
  const out = await engine("stack", "output", "--json");
  expect(JSON.parse(out.stdout)).toEqual({ spEndpoints: [`${lab.hosts[1].address}:5236`] });

  const again = await engine("up");
  expect(ok(again)).toEqual({ code: 0, tail: "" });
  expect(again.stdout).toMatch(/^Resources: 12 unchanged$/m);
});
