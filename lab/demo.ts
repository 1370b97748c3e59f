/**
 * `npm run demo`: starts a lab of four virtual hosts, applies the quickstart (seed 7.1,
 * examples/dpc-single) with the local engine, prints the stack's outputs and the lab's status,
 * and says how to look around and how to tear it all down.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const repo = path.resolve(__dirname, "..", "..");
const dir = path.join(repo, ".lab", "demo");
const program = path.join(repo, "examples", "dpc-single");
const backend = path.join(dir, "state");
/** A stack of its own: the README's `--stack lab` commands keep theirs (its config is salted for their passphrase). */
const stack = "demo";
const env = { ...process.env, LAB_JSON: path.join(dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "demo" };

function step(title: string, args: string[]): void {
  console.log(`\n== ${title}\n$ ${["node", ...args.map((a) => path.relative(repo, a) || a)].join(" ")}`);
  const r = spawnSync("node", args, { env, stdio: "inherit", cwd: repo });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

const lab = path.join(repo, "dist", "lab", "cli.js");
const engine = path.join(repo, "dist", "lab", "engine", "cli.js");
if (fs.existsSync(path.join(dir, "lab.json"))) spawnSync("node", [lab, "down", "--dir", dir], { stdio: "ignore" });
fs.rmSync(dir, { recursive: true, force: true });
// The demo starts afresh each time: its state went with its lab, its stack's config (salted for
// the demo's passphrase) goes too.
fs.rmSync(path.join(program, `Pulumi.${stack}.yaml`), { force: true });
fs.mkdirSync(dir, { recursive: true });
step("start 4 lab hosts", [lab, "up", "--hosts", "4", "--dir", dir]);
step("pulumi up (local engine): seed 7.1 on the lab", [engine, "up", "--cwd", program, "--stack", stack, "--backend", backend]);
step("stack outputs", [engine, "stack", "output", "--cwd", program, "--stack", stack, "--backend", backend]);
step("lab status", [lab, "status", "--dir", dir]);
console.log(`
The cluster keeps running. Try:
  LAB_JSON=${path.relative(repo, env.LAB_JSON)} PULUMI_CONFIG_PASSPHRASE=${env.PULUMI_CONFIG_PASSPHRASE} npm run engine -- up --cwd examples/dpc-single --stack ${stack} --backend ${path.relative(repo, backend)}   # changes nothing
  npm run lab -- down --dir ${path.relative(repo, dir)}   # stop the hosts and every process`);
