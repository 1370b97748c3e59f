/**
 * An update uses the new connection: a rotated login key works as soon as the old one is
 * revoked, and a changed host key is accepted exactly as the refusal says (set hostKey to the
 * new key text). Through the engine, on lab hosts whose sshd reads ~/.ssh/authorized_keys.
 */
import * as fs from "node:fs";
import { utils } from "ssh2";
import { dpcProgram, labOf, outcome, type Lab } from "./helpers";

jest.setTimeout(300_000);

let lab: Lab;

beforeAll(async () => {
  lab = await labOf(2);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

/** A one-MP cluster (an Instance and the MP group) on `host`. */
const cluster = (host: string, dir: string, extra: { hostKey?: string | null; connectionExtra?: Record<string, unknown> } = {}) => ({
  sysdbaPassword: "Lab_Dameng_123",
  instances: [{ name: "MP", mode: "MP", host, dir, portNum: 5239, apPortNum: 6003, ...extra }],
  rafts: [],
});

/** The key text without a comment, as the provider records it. */
const keyOf = (host: string) => lab.host(host).hostKey.trim().split(/\s+/).slice(0, 2).join(" ");

function newLoginKey(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519", { comment: "rotated" });
    // ssh2 1.17 sometimes draws a key it cannot parse back (mscdex/ssh2#1513): draw again.
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

test("a rotated login key: the old key revoked on the host, the next up logs in with the new one", async () => {
  const before = dpcProgram(lab, cluster("host1", "rot/mp"), "rotate");
  expect(outcome(await before.engine("up"))).toEqual({ code: 0, tail: "" });

  // Rotate as on any host: authorize the new key, revoke the old one (this login still uses it).
  const next = newLoginKey();
  const r = await lab.exec("host1", "cat > ~/.ssh/authorized_keys", next.public + "\n");
  expect(r.code).toBe(0);
  await expect(lab.exec("host1", "true")).rejects.toThrow(/authentication/i);

  const after = before.withEnv({ DPC_TOPOLOGY: JSON.stringify(cluster("host1", "rot/mp", { connectionExtra: { privateKey: next.private } })) });
  const up = await after.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  expect(up.summary).toMatchObject({ update: 2 });
  const again = await after.engine("up");
  expect(outcome(again)).toEqual({ code: 0, tail: "" });
  expect(again.summary).toMatchObject({ same: 4, update: 0 });
  expect(outcome(await after.engine("refresh"))).toEqual({ code: 0, tail: "" });
});

test("a changed host key: refused, then accepted by setting hostKey to the key text the message gives", async () => {
  const stack = dpcProgram(lab, cluster("host2", "hk/mp", { hostKey: null }), "accept");
  expect(outcome(await stack.engine("up"))).toEqual({ code: 0, tail: "" });
  // The host now presents another key than the recorded one (the record edited, as a re-keyed host).
  const text = fs.readFileSync(stack.stateFile(), "utf8");
  expect(text).toContain(keyOf("host2"));
  fs.writeFileSync(stack.stateFile(), text.split(keyOf("host2")).join(keyOf("host1")));

  const refused = await stack.engine("refresh");
  expect(refused.code).not.toBe(0);
  const advice = /accept it by setting the connection's hostKey to the new key text: \\"([^"\\]+)\\"/.exec(refused.out);
  expect(advice?.[1]).toBe(keyOf("host2"));

  const accepted = stack.withEnv({ DPC_TOPOLOGY: JSON.stringify(cluster("host2", "hk/mp", { hostKey: advice![1] })) });
  const up = await accepted.engine("up");
  expect(outcome(up)).toEqual({ code: 0, tail: "" });
  const state = JSON.parse(fs.readFileSync(accepted.stateFile(), "utf8")) as { resources: { type: string; outputs: { hostKeys?: Record<string, string> } }[] };
  for (const x of state.resources.filter((x) => /dynamic\/dm:/.test(x.type))) expect(Object.values(x.outputs.hostKeys ?? {})).toEqual([keyOf("host2")]);
  expect(outcome(await accepted.engine("refresh"))).toEqual({ code: 0, tail: "" });
  expect((await accepted.engine("up")).summary).toMatchObject({ same: 4, update: 0 });
});
