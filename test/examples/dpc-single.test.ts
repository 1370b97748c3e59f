/**
 * Seed 7.1 as a user runs it: the examples/dpc-single program, the local engine (real Pulumi
 * runtime and dynamic-provider plugin), real SSH into lab hosts, the DM simulator.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { commands, labOf, LAB_PASSWORD, outcome, REPO, sql, stackOn, type Lab, type Stack } from "./helpers";

let lab: Lab;
let stack: Stack;

beforeAll(async () => {
  lab = await labOf(4);
  stack = stackOn(lab, path.join(REPO, "examples", "dpc-single"));
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

const commandText = () => commands(lab).map((c) => c.command).join("\n");

test("up builds seed 7.1 across four hosts and reports the SP endpoint and each group's leader", async () => {
  const r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  expect(r.summary).toMatchObject({ create: 12, update: 0, delete: 0, replace: 0 });
  const o = await stack.outputs();
  expect(o.spEndpoints).toEqual([`${lab.hosts[1].address}:5236`]);
  expect(o.leaders).toEqual({ MP_RAFT: "MP", RAFT_1: "BP1", RAFT_2: "BP2", RAFT_SP1: "SP1" });

  // The catalog as the seed lists it, read with disql over SSH on the MP's host.
  const [rows] = await sql(lab, "host1", { ip: lab.hosts[0].address, port: 5239, password: LAB_PASSWORD }, ["select NAME, DPC_MODE, INST_ID, INFO1 from DPC_INSTANCE"]);
  // RAFT_1 and RAFT_2 register at the same time, so BP1 and BP2 take 4097 and 4098 in either order.
  const id = (name: string) => rows.find((r) => r.NAME === name)?.INST_ID;
  expect([id("MP"), [id("BP1"), id("BP2")].sort(), id("SP1")]).toEqual(["4096", ["4097", "4098"], "4099"]);
  expect(rows.map((r) => [r.NAME, r.DPC_MODE, r.INFO1]).sort()).toEqual([
    ["BP1", "BP", "65536"],
    ["BP2", "BP", "65536"],
    ["MP", "MP", "65536"],
    ["SP1", "SP", "NULL"],
  ]);
});

test("a second up changes nothing and runs no step", async () => {
  const r = await stack.engine("up");
  expect(r.code).toBe(0);
  expect(r.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0, same: 12 });
  expect(r.out).not.toMatch(/plan: phase/);
});

test("the SYSDBA password is in neither the state file nor any command line", async () => {
  const state = fs.readFileSync(stack.stateFile(), "utf8");
  expect(state).not.toContain(LAB_PASSWORD);
  expect(state).not.toContain("BEGIN OPENSSH PRIVATE KEY");
  expect(commandText()).not.toContain(LAB_PASSWORD);
});

test("a killed BP shows in refresh and the next up starts it again", async () => {
  await lab.fault("host3", "kill", "BP1");
  const refreshed = await stack.engine("refresh");
  expect(refreshed.code).toBe(0);
  expect(refreshed.out).toMatch(/RAFT_1 refresh .*drift/);
  const r = await stack.engine("up");
  expect(r.code).toBe(0);
  expect(r.summary).toMatchObject({ update: 1, create: 0, delete: 0 });
  expect(r.out).toMatch(/start dmserver \S+bp1\/DAMENG\/dm\.ini dpc_mode=BP \(BP1\) \$ setsid nohup 'dmserver' '\S+bp1\/DAMENG\/dm\.ini' 'dpc_mode=BP'.* \.\.\. ok/);
  const again = await stack.engine("up");
  expect(again.summary).toMatchObject({ update: 0, create: 0, same: 12 });
});
