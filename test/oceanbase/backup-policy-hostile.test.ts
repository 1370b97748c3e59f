/**
 * The hostile-string suite through oceanbase.BackupPolicy's free-text fields (storage.name,
 * secondary.storage.name, alarmCommand), via the engine on a lab OceanBase 3.x cluster: a string
 * check refuses is refused naming field and rule, before any host is touched; every other one
 * is stored and read back exactly (the refresh outputs, the job script's ALARM_COMMAND as bash
 * reads it), a second up changes nothing, no canary ran, every command parses. The restricted
 * fields (name, paths, times, tenants, OSS) are covered string by string in
 * test/unit/oceanbase/hostile.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { allCommands, decodedOutput, engine, failures, malformedCommands, type Program } from "../hostile/harness";
import { CANARY_NAMES, hostile } from "../hostile/strings";
import { REPO } from "../examples/helpers";
import { startObLab, type ObLab } from "./helpers";

jest.setTimeout(900_000);

let ob: ObLab;
let canaryDir: string;
let accepted: string[];
let refused: string[];
const JOB = "host4";
const textOk = (s: string) => s.length >= 1 && s.length <= 64 && !/[\0\r\n]/.test(s);

function program(name: string, texts: string[]): Program {
  const dir = path.join(ob.lab.dir, "programs", name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ["index.js", "Pulumi.yaml"]) fs.copyFileSync(path.join(REPO, "test", "oceanbase", "programs", "hostile-policies", f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, "spec.json"), JSON.stringify({ policies: texts.map((text, i) => ({ name: `h${i}`, text })) }));
  if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, backend: path.join(ob.lab.dir, "state", name) };
}

/** ALARM_COMMAND as bash reads it from the job script (the assignment evaluated by bash itself). */
function alarmCommandOf(policy: string): string {
  const script = fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "home", ".dbcluster", "ob-backup", policy, "run.sh"), "utf8");
  const start = script.indexOf("\nALARM_COMMAND=") + "\nALARM_COMMAND=".length;
  const word = script.slice(start, script.indexOf("\nalarm_target() {", start));
  return execFileSync("bash", ["-c", 'eval "x=$1"; printf %s "$x"', "_", word], { encoding: "utf8" });
}

beforeAll(async () => {
  ob = await startObLab({ version: "3.2.4", hosts: 4 });
  canaryDir = path.join(ob.lab.dir, "c");
  fs.mkdirSync(canaryDir);
  const strings = hostile(canaryDir);
  accepted = strings.filter(textOk);
  refused = strings.filter((s) => !textOk(s));
});
afterAll(async () => {
  await ob?.stop();
});

test("a storage name check refuses (a line break, NUL, too long) is refused naming field and rule; nothing ran", async () => {
  expect(refused.length).toBeGreaterThan(3);
  const cases: [string, RegExp][] = [
    [refused.find((x) => /\n/.test(x))!, /storage\.name: cannot contain NUL or a line break \(got "[^"]*\\n/],
    [refused.find((x) => x.length > 64 && !/[\0\r\n]/.test(x))!, /storage\.name: Too big: expected string to have <=64 characters/],
    // A NUL does not survive the engine's wire format: the value arrives missing, and is refused as such.
    [refused.find((x) => x.includes("\0"))!, /storage\.name: (cannot contain NUL or a line break|Invalid input: expected string, received undefined)/],
  ];
  for (const [s, rule] of cases) {
    const r = await engine(ob.lab, program("refused", [s]), "up");
    expect(r.code).not.toBe(0);
    const out = decodedOutput(r);
    expect(out).toMatch(rule);
    expect(out).toMatch(/secondary\.storage\.name: /);
  }
  for (const h of ob.lab.hosts) expect(ob.lab.commandLog(h.name).filter((e) => "command" in e || (e as { event?: string }).event === "forward")).toEqual([]);
});

test(`every other hostile string is stored and read back exactly; a second up changes nothing; no canary ran`, async () => {
  const p = program("accepted", accepted);
  const up = await engine(ob.lab, p, "up");
  expect(failures(up)).toBe("");
  expect(up.summary).toMatchObject({ create: accepted.length + 1 });
  const outputs = JSON.parse(execFileSync(process.execPath, [path.join(REPO, "dist", "lab", "engine", "cli.js"), "stack", "output", "--json", "--cwd", p.dir, "--stack", "lab", "--backend", p.backend], { encoding: "utf8", env: { ...process.env, LAB_JSON: path.join(ob.lab.dir, "lab.json"), PULUMI_CONFIG_PASSPHRASE: "hostile-test" } }));
  accepted.forEach((s, i) => {
    expect(outputs.observed[`h${i}`]).toEqual({ storageName: s, secondaryStorageName: s });
    expect(alarmCommandOf(`h${i}`)).toBe(s);
  });
  const again = await engine(ob.lab, p, "up");
  expect(failures(again)).toBe("");
  expect(again.summary).toMatchObject({ same: accepted.length + 1 });
  for (const c of CANARY_NAMES) expect(fs.existsSync(path.join(canaryDir, c)) || fs.existsSync(path.join(ob.lab.host(JOB).hostDir, "home", c))).toBe(false);
  expect(await malformedCommands(allCommands(ob.lab), ob.lab.dir)).toEqual([]);
  const d = await engine(ob.lab, p, "destroy");
  expect(failures(d)).toBe("");
  expect(fs.readFileSync(path.join(ob.lab.host(JOB).hostDir, "crontab"), "utf8")).not.toContain("pulumi-dbcluster");
});
