/**
 * Hostile strings that the schemas accept and that DM stores: BP group, fault domain and
 * instance-registration descriptions, catalog names with `$` and `#`. One up creates a BP group
 * and a fault domain per string; each must read back from the catalog exactly (a WHERE with the
 * string as a literal finds its row, so trailing blanks count), a second up must change nothing,
 * and no command line may carry a string outside single quotes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startLab, type Lab } from "../helpers/lab";
import { allCommands, failures, disql, engine, findNamed, malformedCommands, PASSWORD, skeleton, sqlText, writeProgram, type Program } from "./harness";
import { accepts, CANARY_NAMES, hostile } from "./strings";

let lab: Lab;
let canaryDir: string;
let strings: string[];
let accepted: string[];
let program: Program;


const NAMES = ["FD$1", "_#X", "A$$", "Z#$_9", "lower_case"];

beforeAll(async () => {
  lab = await startLab({ hosts: 1 });
  canaryDir = path.join(lab.dir, "c");
  fs.mkdirSync(canaryDir);
  strings = hostile(canaryDir);
  accepted = strings.filter(accepts.description);
  const h = lab.hosts[0];
  program = writeProgram(lab, "catalog", [
    {
      kind: "DpcCluster",
      name: "hc",
      args: {
        sysdbaPassword: { $secret: PASSWORD },
        instances: [{ name: "MP", mode: "MP", connection: { $host: 0 }, ip: h.address, path: `${h.dataRoot}/hc/mp`, portNum: 5239, apPortNum: 6003, mpPort: 9000, description: accepted.find((s) => s.includes("CANARY1")) }],
        rafts: [],
        bpGroups: [...accepted.map((s, i) => ({ name: `BG_${i}`, description: s, rafts: [] })), ...NAMES.map((n) => ({ name: `B${n}`, description: n, rafts: [] }))],
        faultDomains: [...accepted.map((s, i) => ({ name: `FD_${i}`, description: s, instances: [] })), ...NAMES.map((n) => ({ name: n, description: n, instances: [] }))],
      },
    },
  ]);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

test("every accepted description is stored exactly, and a second up changes nothing", async () => {
  expect(accepted.length).toBeGreaterThan(75);
  const r = await engine(lab, program, "up");
  expect({ code: r.code, tail: failures(r) }).toEqual({ code: 0, tail: "" });

  const h = lab.hosts[0];
  const login = { password: PASSWORD, ip: h.address, port: 5239 };
  // One query per string: the row comes back only if NAME and DESCRIPTION match byte for byte.
  const probe = (table: string, name: string, description: string) => `SELECT NAME FROM ${table} WHERE NAME = ${sqlText(name)} AND DESCRIPTION = ${sqlText(description)};`;
  const expected = [
    ...accepted.map((s, i) => ["DPC_BP_GROUP", `BG_${i}`, s]),
    ...accepted.map((s, i) => ["DPC_FAULT_DOMAIN", `FD_${i}`, s]),
    ...NAMES.map((n) => ["DPC_BP_GROUP", `B${n}`, n]),
    ...NAMES.map((n) => ["DPC_FAULT_DOMAIN", n, n]),
  ];
  const q = await disql(lab, "host1", login, expected.map(([t, n, d]) => probe(t, n, d)));
  const found = q.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
  expect(found).toEqual(expected.map(([, n]) => n));

  const again = await engine(lab, program, "up");
  expect(again.code).toBe(0);
  expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
}, 300_000);

test("the command logs show every value quoted and no canary", async () => {
  const commands = allCommands(lab);
  expect(await malformedCommands(commands, lab.dir)).toEqual([]);
  const leaked = commands.filter((c) => strings.some((s) => s.length >= 6 && skeleton(c).includes(s)));
  expect(leaked).toEqual([]);
  expect(await findNamed(lab.dir, CANARY_NAMES)).toEqual([]);
});
