/**
 * Every documented command works after `npm ci` alone, on a fresh clone of the committed HEAD
 * (issue 13): the README's and lab/README.md's lab, engine, demo and bench commands, as written
 * there, in the clone. Left out: `npm test` (it runs this file), a whole `npm run bench` (minutes;
 * `--help` shows it starts), the lab's plain `ssh` line (test/lab covers it).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO } from "../helpers/lab";
import { NPM_QUIET, ok, run, scratchDir, userEnv } from "./helpers";

jest.setTimeout(600_000);

let dir: string;
let clone: string;
const npm = (args: string[], env: NodeJS.ProcessEnv = {}) => run("npm", args, { cwd: clone, env: userEnv(env) });

beforeAll(() => {
  dir = scratchDir("fresh-clone-");
  clone = path.join(dir, "repo");
  const head = execFileSync("git", ["-C", REPO, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
  execFileSync("git", ["clone", "--quiet", "--no-hardlinks", REPO, clone]);
  execFileSync("git", ["-C", clone, "checkout", "--quiet", "--detach", head]);
});

afterAll(() => {
  // Whatever a failed test left running: labs are stopped through their own CLI, then removed.
  for (const lab of [path.join(clone, ".lab"), path.join(clone, ".lab", "demo")]) {
    if (fs.existsSync(path.join(lab, "lab.json")) && fs.existsSync(path.join(clone, "dist", "lab", "cli.js"))) {
      try {
        execFileSync(process.execPath, [path.join(clone, "dist", "lab", "cli.js"), "down", "--dir", lab], { stdio: "ignore", timeout: 60_000 });
      } catch {
        /* already down */
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test("npm ci alone builds what the documented commands run", async () => {
  expect(fs.existsSync(path.join(clone, "dist"))).toBe(false);
  expect(ok(await npm(["ci", ...NPM_QUIET]))).toEqual({ code: 0, tail: "" });
  for (const entry of ["lab/cli.js", "lab/engine/cli.js", "lab/demo.js", "bench/index.js", "sdk/index.js", "examples/dpc-single/index.js"]) {
    expect({ entry, built: fs.existsSync(path.join(clone, "dist", entry)) }).toEqual({ entry, built: true });
  }
  // @pulumi/command's install script only asks the pulumi CLI for its plugin: without the CLI
  // (a PATH holding node alone) it says so and exits 0, so installing this package never fails.
  const command = path.join(clone, "node_modules", "@pulumi", "command");
  const version = JSON.parse(fs.readFileSync(path.join(command, "package.json"), "utf8")).version as string;
  const script = await run(process.execPath, ["scripts/install-pulumi-plugin.js", "resource", "command", version], {
    cwd: command,
    env: { PATH: path.dirname(process.execPath), HOME: dir },
  });
  expect(script.code).toBe(0);
  expect(script.stderr).toMatch(/`pulumi` is not installed/);
});

test("README: lab up, the quickstart through the engine, its outputs, lab status and fault, destroy, lab down", async () => {
  const lab = path.join(clone, ".lab");
  expect(ok(await npm(["run", "lab", "--", "up", "--hosts", "4", "--dir", lab]))).toEqual({ code: 0, tail: "" });
  const env = { LAB_JSON: path.join(lab, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "x" };
  const up = await npm(["run", "engine", "--", "up", "--cwd", "examples/dpc-single", "--stack", "lab"], env);
  expect(ok(up)).toEqual({ code: 0, tail: "" });
  expect(up.stdout).toMatch(/^Resources: 12 created$/m);
  const out = await npm(["run", "engine", "--", "stack", "output", "--cwd", "examples/dpc-single", "--stack", "lab"], env);
  expect(ok(out)).toEqual({ code: 0, tail: "" });
  expect(out.stdout).toMatch(/^spEndpoints\t\["[\d.]+:5236"\]$/m);
  const status = await npm(["run", "lab", "--", "status", "--dir", lab]);
  expect(ok(status)).toEqual({ code: 0, tail: "" });
  expect(status.stdout).toMatch(/SP1/);
  expect(ok(await npm(["run", "lab", "--", "fault", "--dir", lab, "--host", "host1", "latency", "0"]))).toEqual({ code: 0, tail: "" });
  const destroyed = await npm(["run", "engine", "--", "destroy", "--cwd", "examples/dpc-single", "--stack", "lab"], env);
  expect(ok(destroyed)).toEqual({ code: 0, tail: "" });
  expect(destroyed.stdout).toMatch(/^Resources: 12 deleted$/m);
  expect(ok(await npm(["run", "lab", "--", "down", "--dir", lab]))).toEqual({ code: 0, tail: "" });
});

test("README: npm run demo starts a lab and applies the quickstart", async () => {
  const demo = await npm(["run", "demo"]);
  expect(ok(demo)).toEqual({ code: 0, tail: "" });
  expect(demo.stdout).toMatch(/^Resources: 12 created$/m);
  expect(ok(await npm(["run", "lab", "--", "down", "--dir", path.join(".lab", "demo")]))).toEqual({ code: 0, tail: "" });
});

test("README: npm run bench -- --help prints the bench's usage", async () => {
  const help = await npm(["run", "bench", "--", "--help"]);
  expect(ok(help)).toEqual({ code: 0, tail: "" });
  expect(help.stdout).toMatch(/npm run bench \[-- --json\]/);
});
