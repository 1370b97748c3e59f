/** Secrets from config and from the program never reach the state or stack file in plain text,
 *  and come back marked secret; without a passphrase the engine refuses to run. */
import * as fs from "fs";
import * as path from "path";
import {
  assertBuilt, copyProgram, engine, filePath, Program, removeProgram, setResources, stateResources, stateText, summary, urnOf,
} from "./helpers";

jest.setTimeout(240_000);

const PASS = { PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple" };
const CONFIG_SECRET = "cfg-Secret-0xC0FFEE";
const INLINE_SECRET = "inline-Secret-0xBEEF";

let p: Program;
beforeAll(() => assertBuilt());
beforeEach(() => (p = copyProgram()));
afterEach(() => removeProgram(p));

test("config secrets, pulumi.secret inputs and additionalSecretOutputs stay encrypted and marked", async () => {
  let r = await engine(p, ["config", "set", "--secret", "password", CONFIG_SECRET], PASS);
  expect(r.code).toBe(0);
  r = await engine(p, ["config", "set", "greeting", "hello"], PASS);
  expect(r.code).toBe(0);
  const stackFile = fs.readFileSync(path.join(p.dir, `Pulumi.${p.stack}.yaml`), "utf8");
  expect(stackFile).not.toContain(CONFIG_SECRET);
  expect(stackFile).toMatch(/files:password:\s*\n\s*secure: v1:/);
  expect(stackFile).toMatch(/encryptionsalt: v1:/);

  setResources(p, [
    { name: "fromConfig", path: filePath(p, "c"), contentFromConfig: "password" },
    { name: "inline", path: filePath(p, "i"), content: INLINE_SECRET, secret: true },
    { name: "plain", path: filePath(p, "p"), content: "public", additionalSecretOutputs: ["digest"] },
  ]);
  r = await engine(p, ["up", "--json"], PASS);
  expect(r.code).toBe(0);
  // The plugin saw plain values (it does not accept secrets): the files hold the secrets.
  expect(fs.readFileSync(filePath(p, "c"), "utf8")).toBe(CONFIG_SECRET);
  expect(fs.readFileSync(filePath(p, "i"), "utf8")).toBe(INLINE_SECRET);

  // Run again so the outputs the program sees come from the state file, not from the plugin.
  r = await engine(p, ["up", "--json"], PASS);
  expect(summary(r)).toMatchObject({ same: 4, update: 0 });
  const text = stateText(p);
  expect(text).not.toContain(CONFIG_SECRET);
  expect(text).not.toContain(INLINE_SECRET);
  const plain = stateResources(p).find((x) => x.urn === urnOf(p, "plain"))!;
  expect(plain.outputs.digest).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.stringMatching(/^v1:/) });
  expect(plain.outputs.content).toBe("public");

  const shown = r.events.find((e) => e.outputs)!.outputs;
  expect(shown.password).toBe("[secret]");
  expect(shown.greeting).toBe("hello");
  expect(shown.secretFlags).toEqual({
    fromConfig: { content: true, digest: false },
    inline: { content: true, digest: false },
    plain: { content: false, digest: true },
  });
  expect(r.stdout).not.toContain(CONFIG_SECRET);

  r = await engine(p, ["stack", "output", "--json"], { PULUMI_CONFIG_PASSPHRASE: undefined });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).password).toBe("[secret]");
  r = await engine(p, ["stack", "output", "--json", "--show-secrets"], PASS);
  expect(JSON.parse(r.stdout).password).toBe(CONFIG_SECRET);

  r = await engine(p, ["up"], { PULUMI_CONFIG_PASSPHRASE: "wrong" });
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(/incorrect passphrase/);
});

test("a run that would store a secret without a passphrase is refused", async () => {
  setResources(p, [{ name: "inline", path: filePath(p, "i"), content: INLINE_SECRET, secret: true }]);
  const r = await engine(p, ["up"], { PULUMI_CONFIG_PASSPHRASE: undefined, PULUMI_CONFIG_PASSPHRASE_FILE: undefined });
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(/PULUMI_CONFIG_PASSPHRASE/);
  const file = path.join(p.dir, ".pulumi-state", "files", `${p.stack}.json`);
  if (fs.existsSync(file)) expect(fs.readFileSync(file, "utf8")).not.toContain(INLINE_SECRET);
});

test("a stack without secrets needs no passphrase", async () => {
  setResources(p, [{ name: "plain", path: filePath(p, "p"), content: "x" }], { "files:greeting": "hi" });
  const r = await engine(p, ["up", "--json"], { PULUMI_CONFIG_PASSPHRASE: undefined, PULUMI_CONFIG_PASSPHRASE_FILE: undefined });
  expect(r.code).toBe(0);
  expect(r.events.find((e) => e.outputs)!.outputs.greeting).toBe("hi");
});
