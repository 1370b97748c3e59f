/** The engine's pure parts: value encodings, secret re-marking, ignoreChanges, URNs, the crypter. */
import { Crypter } from "../../lab/engine/secrets";
import { makeUrn } from "../../lab/engine/urn";
import { applyIgnoreChanges, changedKeys, remarkSecrets, secret, stripSecrets, UNKNOWN } from "../../lab/engine/values";

test("secrets are stripped deeply and re-marked only at the top level", () => {
  const inputs = { a: secret("x"), b: { c: secret(1) }, d: "plain" };
  expect(stripSecrets(inputs)).toEqual({ a: "x", b: { c: 1 }, d: "plain" });
  const outs = remarkSecrets({ a: "x", b: { c: 1 }, d: "plain", e: 5 }, inputs, ["e"]);
  expect(outs).toEqual({ a: secret("x"), b: secret({ c: 1 }), d: "plain", e: secret(5) });
});

test("changedKeys ignores secret wrapping and listed keys, and sees unknowns as changes", () => {
  expect(changedKeys({ a: 1, p: "old" }, { a: secret(1), p: "new" }, ["p"])).toEqual([]);
  expect(changedKeys({ a: 1 }, { a: UNKNOWN })).toEqual(["a"]);
  expect(changedKeys({ a: 1 }, {})).toEqual(["a"]);
});

test("ignoreChanges keeps old values at top-level and dotted paths", () => {
  const olds = { a: 1, n: { x: 1, y: 2 } };
  expect(applyIgnoreChanges(olds, { a: 2, n: { x: 9, y: 9 }, z: 3 }, ["a", "n.x"])).toEqual({ a: 1, n: { x: 1, y: 9 }, z: 3 });
  expect(applyIgnoreChanges({}, { a: 2 }, ["a"])).toEqual({});
});

test("URNs nest parent types except the stack's", () => {
  const stack = makeUrn("dev", "p", "", "pulumi:pulumi:Stack", "p-dev");
  const comp = makeUrn("dev", "p", stack, "my:Group", "g");
  expect(comp).toBe("urn:pulumi:dev::p::my:Group::g");
  expect(makeUrn("dev", "p", comp, "t:m:R", "r")).toBe("urn:pulumi:dev::p::my:Group$t:m:R::r");
});

test("the crypter round-trips, checks the passphrase, and keeps Pulumi's v1 formats", () => {
  const c = Crypter.open("pw");
  expect(c.salt).toMatch(/^v1:[A-Za-z0-9+/=]{12}:v1:[^:]+:[^:]+$/);
  const text = c.encrypt("s3cret");
  expect(text).toMatch(/^v1:[^:]+:[^:]+$/);
  expect(Crypter.open("pw", c.salt).decrypt(text)).toBe("s3cret");
  expect(() => Crypter.open("wrong", c.salt)).toThrow(/incorrect passphrase/);
  expect(() => Crypter.open(undefined, c.salt)).toThrow(/PULUMI_CONFIG_PASSPHRASE/);
});
