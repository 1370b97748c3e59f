/**
 * Hostile strings in the fields that reach shell command lines and ini files: an Instance's
 * `path` (dminit's PATH, every command that touches the database), `dmHome` (the tools' path)
 * and `dmIni` values (dm.ini lines, set through awk with the pairs on stdin). One up creates an
 * Instance per string that the schema accepts; each must land exactly where it says, a second
 * up must change nothing, and destroy (deleteData) must remove exactly those directories.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startLab, type Lab } from "../helpers/lab";
import { allCommands, failures, engine, findNamed, malformedCommands, PASSWORD, shellWord, skeleton, writeProgram, type Program } from "./harness";
import { accepts, CANARY_NAMES, hostile } from "./strings";

let lab: Lab;
let strings: string[];
let cases: { i: number; s: string; path: string; dmHome: string; ini: string | undefined }[];
let program: Program;
let root: string;
let homes: string;


beforeAll(async () => {
  lab = await startLab({ hosts: 1 });
  strings = hostile(path.join(lab.dir, "c"));
  fs.mkdirSync(path.join(lab.dir, "c"));
  const h = lab.hosts[0];
  root = path.join(h.dataRoot, "hp");
  homes = path.join(h.dataRoot, "hh");
  cases = strings
    .map((s, i) => ({ i, s, path: `${root}/${s}`, dmHome: `${homes}/${s}`, ini: accepts.iniValue(s) ? s : undefined }))
    .filter((c) => accepts.path(c.path) && accepts.path(c.dmHome));
  // Each hostile dmHome is a real DM home: its bin/ is the lab's tools.
  for (const c of cases) {
    fs.mkdirSync(c.dmHome, { recursive: true });
    if (!fs.existsSync(path.join(c.dmHome, "bin"))) fs.symlinkSync(path.join(h.dmHome, "bin"), path.join(c.dmHome, "bin"));
  }
  // Decoys that a glob or a split word in `rm -rf` would reach.
  fs.mkdirSync(path.join(root, "zz-decoy", "DAMENG"), { recursive: true });
  fs.writeFileSync(path.join(root, "zz-decoy", "DAMENG", "KEEP"), "");
  program = writeProgram(
    lab,
    "paths",
    cases.map((c) => ({
      kind: "Instance",
      name: `i${c.i}`,
      args: {
        name: `I${c.i}`, mode: "BP", connection: { $host: 0 }, path: c.path, dmHome: c.dmHome, ip: h.address, portNum: 5237, apPortNum: 6001,
        sysdbaPassword: { $secret: PASSWORD }, mpNodes: [{ host: h.address, port: 9000 }], dmIni: c.ini === undefined ? {} : { HOSTILE_VALUE: c.ini }, deleteData: true,
      },
    })),
  );
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

test("each accepted path and dmHome is used exactly: the database is where the path says, dminit ran from that home", async () => {
  expect(cases.length).toBeGreaterThan(70);
  const r = await engine(lab, program, "up");
  expect({ code: r.code, tail: failures(r) }).toEqual({ code: 0, tail: "" });
  const commands = allCommands(lab).join("\n");
  const wrong: string[] = [];
  for (const c of cases) {
    const ini = path.join(c.path, "DAMENG", "dm.ini");
    if (!fs.existsSync(ini)) wrong.push(`${JSON.stringify(c.s)}: no ${ini}`);
    else {
      const text = fs.readFileSync(ini, "utf8");
      if (!new RegExp(`^\\s*INSTANCE_NAME\\s*=\\s*I${c.i}\\s`, "m").test(text)) wrong.push(`${JSON.stringify(c.s)}: dm.ini of another instance`);
      if (c.ini !== undefined && !text.split("\n").includes(`HOSTILE_VALUE = ${c.ini}`)) wrong.push(`${JSON.stringify(c.s)}: dm.ini lacks the value line`);
    }
    if (!commands.includes(shellWord(`${c.dmHome}/bin/dminit`))) wrong.push(`${JSON.stringify(c.s)}: no dminit run from ${c.dmHome}`);
  }
  expect(wrong).toEqual([]);

  const again = await engine(lab, program, "up");
  expect({ code: again.code, tail: failures(again) }).toEqual({ code: 0, tail: "" });
  expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
}, 600_000);

test("destroy with deleteData removes exactly those databases", async () => {
  const r = await engine(lab, program, "destroy");
  expect({ code: r.code, tail: failures(r) }).toEqual({ code: 0, tail: "" });
  expect(cases.filter((c) => fs.existsSync(path.join(c.path, "DAMENG"))).map((c) => c.s)).toEqual([]);
  expect(fs.existsSync(path.join(root, "zz-decoy", "DAMENG", "KEEP"))).toBe(true);
  expect(fs.existsSync(path.join(lab.hosts[0].dmHome, "bin", "dminit"))).toBe(true);
}, 600_000);

test("the command logs show every value quoted and no canary", async () => {
  const commands = allCommands(lab);
  expect(await malformedCommands(commands, lab.dir)).toEqual([]);
  const leaked = commands.filter((c) => strings.some((s) => s.length >= 6 && skeleton(c).includes(s)));
  expect(leaked).toEqual([]);
  expect(await findNamed(lab.dir, CANARY_NAMES)).toEqual([]);
});
