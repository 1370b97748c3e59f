/** The local engine's state file: secrets sealed as Pulumi's passphrase provider seals them, and
 *  an unchanged secret keeps its ciphertext when the file is rewritten after the next step. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LazyCrypter } from "../../../lab/engine/secrets";
import { StateStore, type StackState } from "../../../lab/engine/state-store";
import { SECRET_SIG, SIG_KEY } from "../../../lab/engine/values";

const secret = (value: string) => ({ [SIG_KEY]: SECRET_SIG, value });
let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "state-store-"))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function stack(password: string, other = "hunter2-other"): StackState {
  const res = (urn: string, pw: string) => ({ urn, type: "t", custom: true, id: urn, inputs: { pw: secret(pw) as never, plain: "x" }, outputs: { pw: secret(pw) as never }, dependencies: [] });
  return { version: 1, project: "p", stack: "s", resources: [res("urn:a", password), res("urn:b", other), res("urn:c", password)] };
}

const ciphertexts = (file: string) => {
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as StackState;
  return raw.resources.map((r) => [(r.inputs.pw as { ciphertext: string }).ciphertext, (r.outputs.pw as { ciphertext: string }).ciphertext]);
};

test("rewriting the file keeps an unchanged secret's ciphertext, re-seals a changed one, and never writes plaintext", () => {
  const file = path.join(dir, "a.json");
  const crypter = new LazyCrypter("passphrase", undefined);
  const store = new StateStore(file, () => crypter);
  store.save(stack("hunter2-first"));
  const first = ciphertexts(file);
  store.save(stack("hunter2-first"));
  expect(ciphertexts(file)).toEqual(first);
  // Equal values of two resources are sealed apart (their own nonce): the file does not show they are equal.
  expect(first[0][0]).not.toBe(first[2][0]);

  store.save(stack("hunter2-second"));
  const second = ciphertexts(file);
  expect(second[0][0]).not.toBe(first[0][0]);
  expect(second[1]).toEqual(first[1]);
  const text = fs.readFileSync(file, "utf8");
  expect(text).not.toMatch(/hunter2/);

  // Read back by a new store (a later run): the values are the new ones, and saving changes nothing.
  const later = new StateStore(file, () => new LazyCrypter("passphrase", StateStore.peekSalt(file)));
  const loaded = later.load("p", "s");
  expect(loaded.resources.map((r) => (r.inputs.pw as { value: string }).value)).toEqual(["hunter2-second", "hunter2-other", "hunter2-second"]);
  later.save(loaded);
  expect(fs.readFileSync(file, "utf8")).toBe(text);
});
