/**
 * Host keys through the engine: a connection pinning a wrong `hostKey` is refused before any
 * command runs; without `hostKey` the first key seen is recorded in the resources' state, and a
 * later key that differs from the recorded one is refused the same way (refresh, destroy).
 */
import * as fs from "node:fs";
import { dpcProgram, labOf, mark, outcome, since, type EngineRun, type Lab } from "./helpers";

jest.setTimeout(300_000);

let lab: Lab;

/** A one-MP cluster on host1 (an Instance and the MP group), its connection's hostKey as given. */
const cluster = (hostKey: string | null | undefined) => ({
  sysdbaPassword: "Lab_Dameng_123",
  instances: [{ name: "MP", mode: "MP", host: "host1", dir: "hk/mp", portNum: 5239, apPortNum: 6003, hostKey }],
  rafts: [],
});
/** The key text without a comment, as the provider records it. */
const keyOf = (host: string) => lab.host(host).hostKey.trim().split(/\s+/).slice(0, 2).join(" ");

beforeAll(async () => {
  lab = await labOf(2);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

function expectRefusal(r: EngineRun, what: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`SSH host key of`);
  expect(r.out).toMatch(new RegExp(`SSH host key of \\S*${lab.host("host1").address.replace(/\./g, "\\.")}\\S* ${what.source}`));
  // How to accept it: the key the host presented, to paste into hostKey.
  expect(r.out).toContain(`hostKey to the new key text: \\"${keyOf("host1")}\\"`);
}

test("a pinned hostKey that is not the host's: up is refused before any command, and nothing goes into state", async () => {
  const stack = dpcProgram(lab, cluster(keyOf("host2")), "pinned");
  const m = mark(lab);
  const r = await stack.engine("up");
  expectRefusal(r, /does not match the connection's hostKey/);
  expect(since(lab, m)).toEqual([]);
  const state = JSON.parse(fs.readFileSync(stack.stateFile(), "utf8")) as { resources: { type: string }[] };
  expect(state.resources.filter((x) => /dynamic\/dm:/.test(x.type))).toEqual([]);
});

test("no hostKey: the first key seen is recorded; a different key later is refused by refresh and destroy", async () => {
  const stack = dpcProgram(lab, cluster(null), "tofu");
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  const stateText = fs.readFileSync(stack.stateFile(), "utf8");
  const state = JSON.parse(stateText) as { resources: { type: string; outputs: { hostKeys?: Record<string, string> } }[] };
  const dm = state.resources.filter((x) => /dynamic\/dm:/.test(x.type));
  expect(dm).toHaveLength(2);
  for (const x of dm) expect(Object.values(x.outputs.hostKeys ?? {})).toEqual([keyOf("host1")]);

  // The host now presents another key than the recorded one (the record edited, as a re-keyed host).
  fs.writeFileSync(stack.stateFile(), stateText.split(keyOf("host1")).join(keyOf("host2")));
  const m = mark(lab);
  const refreshed = await stack.engine("refresh");
  expectRefusal(refreshed, /changed since it was first recorded/);
  const destroyed = await stack.engine("destroy");
  expectRefusal(destroyed, /changed since it was first recorded/);
  expect(since(lab, m)).toEqual([]);
  // Still running: nothing was stopped.
  expect((await lab.status()).hosts.find((h) => h.name === "host1")?.processes.filter((p) => p.alive).map((p) => p.instance)).toEqual(["MP"]);
});

test("a jump host's key is recorded on first use, and a later different key is refused like a target's", async () => {
  const t = { sysdbaPassword: "Lab_Dameng_123", instances: [{ name: "MP", mode: "MP", host: "host1", dir: "hk/jump", portNum: 5240, apPortNum: 6004, mpPort: 9001, proxy: { host: "host2", hostKey: null } }], rafts: [] };
  const stack = dpcProgram(lab, t, "jump");
  const m0 = mark(lab);
  const up = await stack.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  // Everything reached host1 through host2: host2 ran no command itself.
  expect(since(lab, m0).filter((c) => c.host === "host2")).toEqual([]);
  const jump = `${lab.host("host2").user}@${lab.host("host2").address}:${lab.host("host2").port}`;
  const stateText = fs.readFileSync(stack.stateFile(), "utf8");
  const state = JSON.parse(stateText) as { resources: { type: string; outputs: { hostKeys?: Record<string, string> } }[] };
  const dm = state.resources.filter((x) => /dynamic\/dm:/.test(x.type));
  expect(dm).toHaveLength(2);
  for (const x of dm) expect(x.outputs.hostKeys?.[jump]).toBe(keyOf("host2"));

  // The jump host now presents another key than the recorded one.
  fs.writeFileSync(stack.stateFile(), stateText.split(keyOf("host2")).join(keyOf("host1")));
  const m = mark(lab);
  const refreshed = await stack.engine("refresh");
  expect(refreshed.code).not.toBe(0);
  expect(refreshed.out).toContain(`SSH host key of ${jump} changed since it was first recorded`);
  expect(refreshed.out).toContain(`hostKey to the new key text: \\"${keyOf("host2")}\\"`);
  expect(since(lab, m)).toEqual([]);
});
