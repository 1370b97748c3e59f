/**
 * Secrets stay secrets whatever the user passes: a plain-string SYSDBA password and a plain
 * private key in the connection never appear in the engine's state file (the SDK wraps them in
 * pulumi.secret), nor in what the engine prints.
 */
import * as fs from "node:fs";
import { withoutSdkDebug } from "../helpers/engine-cli";
import { dpcProgram, labOf, outcome, type Lab } from "./helpers";

jest.setTimeout(300_000);

let lab: Lab;

beforeAll(async () => {
  lab = await labOf(1);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

test("a plain password and a plain private key are stored encrypted and never printed", async () => {
  const password = "Plain_Pass_0x5EC";
  const privateKey = fs.readFileSync(lab.host("host1").privateKeyPath, "utf8");
  const keyBody = privateKey.split("\n")[1];
  const topology = {
    sysdbaPassword: password,
    instances: [
      { name: "MP", mode: "MP", host: "host1", dir: "plain/mp", portNum: 5239, apPortNum: 6003, connectionExtra: { privateKey } },
      { name: "SP1", mode: "SP", host: "host1", dir: "plain/sp1", portNum: 5240, apPortNum: 6004, connectionExtra: { privateKey } },
    ],
    rafts: [{ name: "RAFT_SP1", role: "SP", members: ["SP1"] }],
  };
  const stack = dpcProgram(lab, topology, "plain");
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  const refresh = await stack.engine("refresh");
  expect(outcome(refresh)).toEqual({ code: 0, tail: "" });
  const text = fs.readFileSync(stack.stateFile(), "utf8");
  expect(text.length).toBeGreaterThan(1000);
  expect(text).not.toContain(password);
  expect(text).not.toContain(keyBody);
  // What this package prints, at every level (the SDK's own debug lines echo registrations raw).
  for (const r of [up, refresh]) {
    expect(withoutSdkDebug(r.out)).not.toContain(password);
    expect(withoutSdkDebug(r.out)).not.toContain(keyBody);
  }
  // The values are there, encrypted: each DM resource's inputs and outputs hold ciphertext.
  const state = JSON.parse(text) as { resources: { type: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[] };
  const dm = state.resources.filter((x) => /dynamic\/dm:/.test(x.type));
  expect(dm.length).toBe(4);
  for (const x of dm) {
    expect(JSON.stringify(x.inputs.sysdbaPassword)).toMatch(/ciphertext/);
    expect(JSON.stringify(x.outputs.sysdbaPassword)).toMatch(/ciphertext/);
  }
});
