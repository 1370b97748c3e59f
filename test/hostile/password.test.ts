/**
 * Hostile SYSDBA passwords (and instance-registration descriptions) through the engine: one
 * MP-only cluster per password the schema accepts, all in one up. Each password must log in
 * afterwards, must appear in no command line, no state file in plain and no engine output, and
 * no canary may exist. Each cluster's MP is registered with a hostile DESCRIPTION that must read
 * back exactly.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startLab, type Lab } from "../helpers/lab";
import { allCommands, disql, engine, failures, findNamed, malformedCommands, skeleton, sqlText, writeProgram, type EngineRun, type Program } from "./harness";
import { accepts, CANARY_NAMES, hostile } from "./strings";

let lab: Lab;
let strings: string[];
let clusters: { password: string; description: string; host: number; port: number }[];
let program: Program;
const runs: EngineRun[] = [];


beforeAll(async () => {
  lab = await startLab({ hosts: 2 });
  fs.mkdirSync(path.join(lab.dir, "c"));
  strings = hostile(path.join(lab.dir, "c"));
  const passwords = strings.filter(accepts.password);
  // Descriptions: the accepted ones that are not passwords (those would be redacted from the
  // output as secrets), quotes and canaries first.
  const descriptions = strings
    .filter((s) => accepts.description(s) && !passwords.includes(s))
    .sort((a, b) => Number(/['"`$;]/.test(b)) - Number(/['"`$;]/.test(a)));
  clusters = passwords.map((password, i) => ({ password, description: descriptions[i], host: i % 2, port: 10000 + 10 * i }));
  program = writeProgram(
    lab,
    "passwords",
    clusters.map((c, i) => {
      const h = lab.hosts[c.host];
      return {
        kind: "DpcCluster",
        name: `pw${i}`,
        args: {
          sysdbaPassword: { $secret: c.password },
          instances: [{ name: "MP", mode: "MP", connection: { $host: c.host }, ip: h.address, path: `${h.dataRoot}/pw${i}`, portNum: c.port, apPortNum: c.port + 1, mpPort: c.port + 2, description: c.description }],
          rafts: [],
        },
      };
    }),
  );
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

test("every accepted password is the one SYSDBA logs in with, and each MP's description is stored exactly", async () => {
  expect(clusters.length).toBeGreaterThan(20);
  const r = await engine(lab, program, "up");
  runs.push(r);
  expect({ code: r.code, tail: failures(r) }).toEqual({ code: 0, tail: "" });
  const wrong: string[] = [];
  for (const c of clusters) {
    const h = lab.hosts[c.host];
    const q = await disql(lab, h.name, { password: c.password, ip: h.address, port: c.port }, [`SELECT NAME FROM DPC_INSTANCE WHERE DESCRIPTION = ${sqlText(c.description)};`]);
    if (q.code !== 0 || q.stdout.trim() !== "MP") wrong.push(`${JSON.stringify(c.password)} / ${JSON.stringify(c.description)}: ${q.stdout.trim()}`);
  }
  expect(wrong).toEqual([]);
  // The check can fail: a password one character off is refused.
  const c0 = clusters[0];
  const bad = await disql(lab, lab.hosts[c0.host].name, { password: `${c0.password}x`, ip: lab.hosts[c0.host].address, port: c0.port }, ["SELECT NAME FROM DPC_INSTANCE;"]);
  expect(bad.code).not.toBe(0);

  const again = await engine(lab, program, "up");
  runs.push(again);
  expect({ code: again.code, tail: failures(again) }).toEqual({ code: 0, tail: "" });
  expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
}, 600_000);

test("no password is on a command line, in the state file or in the engine's output", () => {
  const commands = allCommands(lab).join("\n");
  const state = fs.readFileSync(path.join(program.backend, "passwords", "lab.json"), "utf8");
  const output = runs.map((r) => r.out).join("\n");
  const where = (s: string) => [commands.includes(s) && "command log", state.includes(s) && "state", state.includes(JSON.stringify(s).slice(1, -1)) && "state (JSON)", output.includes(s) && "output", output.includes(JSON.stringify(s).slice(1, -1)) && "output (JSON)"].filter(Boolean);
  expect(clusters.map((c) => [c.password, where(c.password)]).filter(([, w]) => w.length > 0)).toEqual([]);
});

test("the command logs show every value quoted and no canary", async () => {
  const commands = allCommands(lab);
  expect(await malformedCommands(commands, lab.dir)).toEqual([]);
  expect(commands.filter((c) => strings.some((s) => s.length >= 6 && skeleton(c).includes(s)))).toEqual([]);
  expect(await findNamed(lab.dir, CANARY_NAMES)).toEqual([]);
});
