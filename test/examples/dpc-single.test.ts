/**
 * Seed 7.1 as a user runs it: the examples/dpc-single program, the local engine (real Pulumi
 * runtime and dynamic-provider plugin), real SSH into lab hosts, the DM simulator.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..");
const LAB = path.join(REPO, "dist", "lab", "cli.js");
const ENGINE = path.join(REPO, "dist", "lab", "engine", "cli.js");
const PROGRAM = path.join(REPO, "examples", "dpc-single");
const PASSWORD = "Lab_Dameng_123";

let dir: string;
let env: NodeJS.ProcessEnv;

async function engine(...args: string[]): Promise<{ code: number; out: string; summary: Record<string, number> | undefined }> {
  try {
    const r = await run("node", [ENGINE, ...args, "--cwd", PROGRAM, "--stack", "lab", "--backend", path.join(dir, "state"), "--json"], { env, maxBuffer: 64 << 20, timeout: 600_000 });
    return { code: 0, out: r.stdout + r.stderr, summary: lastSummary(r.stdout) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: (err.stdout ?? "") + (err.stderr ?? ""), summary: lastSummary(err.stdout ?? "") };
  }
}

function lastSummary(stdout: string): Record<string, number> | undefined {
  const last = stdout.trim().split("\n").pop() ?? "";
  try {
    return (JSON.parse(last) as { summary?: Record<string, number> }).summary;
  } catch {
    return undefined;
  }
}

function commandLogs(): string {
  const lab = JSON.parse(fs.readFileSync(path.join(dir, "lab.json"), "utf8")) as { hosts: { commandLog: string }[] };
  return lab.hosts.map((h) => (fs.existsSync(h.commandLog) ? fs.readFileSync(h.commandLog, "utf8") : "")).join("\n");
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbc-example-"));
  await run("node", [LAB, "up", "--hosts", "4", "--dir", dir], { timeout: 60_000 });
  env = { ...process.env, LAB_JSON: path.join(dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "test-passphrase" };
}, 120_000);

afterAll(async () => {
  await run("node", [LAB, "down", "--dir", dir], { timeout: 60_000 }).catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("up builds seed 7.1 across four hosts and reports the SP endpoint and each group's leader", async () => {
  const r = await engine("up");
  expect({ code: r.code, tail: r.code === 0 ? "" : r.out.slice(-4000) }).toEqual({ code: 0, tail: "" });
  expect(r.summary).toMatchObject({ create: 12, update: 0, delete: 0, replace: 0 });
  const outputs = await run("node", [ENGINE, "stack", "output", "--cwd", PROGRAM, "--stack", "lab", "--backend", path.join(dir, "state"), "--json"], { env });
  const o = JSON.parse(outputs.stdout) as { spEndpoints: string[]; leaders: Record<string, string> };
  const lab = JSON.parse(fs.readFileSync(path.join(dir, "lab.json"), "utf8")) as { hosts: { address: string; dmHome: string; hostDir: string }[] };
  expect(o.spEndpoints).toEqual([`${lab.hosts[1].address}:5236`]);
  expect(o.leaders).toEqual({ MP_RAFT: "MP", RAFT_1: "BP1", RAFT_2: "BP2", RAFT_SP1: "SP1" });

  // The catalog as the seed lists it, read with the simulator's disql on the MP's host.
  const disql = path.join(lab.hosts[0].dmHome, "bin", "disql");
  const q = await run("bash", ["-c", `printf '%s\\n' 'CONN SYSDBA/"${PASSWORD}"@${lab.hosts[0].address}:5239' 'SET LINESHOW OFF' 'select NAME, DPC_MODE, INST_ID, INFO1 from DPC_INSTANCE;' EXIT | ${disql} -S -L /nolog`], {
    env: { ...process.env, LAB_HOST_ADDR: lab.hosts[0].address, LAB_HOST_DIR: lab.hosts[0].hostDir },
  });
  const rows = q.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter((c) => /^(MP|SP1|BP1|BP2)$/.test(c[0] ?? ""));
  expect(rows.map((c) => c.slice(0, 4))).toEqual([
    ["MP", "MP", "4096", "65536"],
    ["BP1", "BP", "4097", "65536"],
    ["BP2", "BP", "4098", "65536"],
    ["SP1", "SP", "4099", "NULL"],
  ]);
});

test("a second up changes nothing and runs no step", async () => {
  const r = await engine("up");
  expect(r.code).toBe(0);
  expect(r.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0, same: 12 });
  expect(r.out).not.toMatch(/plan: phase/);
});

test("the SYSDBA password is in neither the state file nor any command line", async () => {
  const state = fs.readFileSync(path.join(dir, "state", "dpc-single", "lab.json"), "utf8");
  expect(state).not.toContain(PASSWORD);
  expect(state).not.toContain("BEGIN OPENSSH PRIVATE KEY");
  expect(commandLogs()).not.toContain(PASSWORD);
});

test("a killed BP shows in refresh and the next up starts it again", async () => {
  await run("node", [LAB, "fault", "--dir", dir, "--host", "host3", "kill", "BP1"]);
  const refreshed = await engine("refresh");
  expect(refreshed.code).toBe(0);
  expect(refreshed.out).toMatch(/RAFT_1 refresh .*drift/);
  const r = await engine("up");
  expect(r.code).toBe(0);
  expect(r.summary).toMatchObject({ update: 1, create: 0, delete: 0 });
  expect(r.out).toMatch(/start dmserver \S+bp1\/DAMENG\/dm\.ini dpc_mode=BP \(BP1\) \.\.\. ok/);
  const again = await engine("up");
  expect(again.summary).toMatchObject({ update: 0, create: 0, same: 12 });
});

test("bad input is refused before anything is touched, naming field, value and rule", async () => {
  const bad = path.join(dir, "bad-program");
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, "Pulumi.yaml"), "name: bad\nruntime: nodejs\nmain: index.js\n");
  fs.writeFileSync(
    path.join(bad, "index.js"),
    `const { dm } = require(${JSON.stringify(REPO)});
new dm.DpcCluster("bad", { sysdbaPassword: "short", instances: [
  { name: "MP_WITH_A_VERY_LONG_NAME", mode: "MP", connection: { host: "127.0.10.1" }, path: "/nonexistent/x", ip: "127.0.10.1", apPortNum: 6000 },
  { name: "SP1", mode: "SP", connection: { host: "127.0.10.1" }, path: "/nonexistent/y", ip: "127.0.10.1", apPortNum: 6000 } ],
  rafts: [{ name: "RAFT_SP1", role: "SP", members: ["SP1"] }], faultDomains: [{ name: "F1", instances: ["SP1"] }] });\n`,
  );
  const before = commandLogs().length;
  let out = "";
  try {
    await run("node", [ENGINE, "up", "--cwd", bad, "--stack", "lab", "--backend", path.join(dir, "bad-state")], { env });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout) + String((e as { stderr?: string }).stderr);
  }
  expect(out).toMatch(/sysdbaPassword: .*9 to 48/);
  expect(out).toMatch(/instances\[0\]\.name: .*16/);
  expect(out).toMatch(/F1|faultDomains\[0\]/);
  expect(out).toMatch(/6000/);
  expect(commandLogs().length).toBe(before);
});
