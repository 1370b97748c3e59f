/** Resource options: protect, retainOnDelete, ignoreChanges, dependsOn, and --parallel. */
import * as fs from "fs";
import {
  assertBuilt, clearTrace, copyProgram, engine, filePath, ops, Program, readTrace, removeProgram,
  setResources, stateResources, summary, urnOf,
} from "./helpers";

jest.setTimeout(240_000);

let p: Program;
beforeAll(() => assertBuilt());
beforeEach(() => (p = copyProgram()));
afterEach(() => removeProgram(p));

test("protect refuses delete and replace, naming the resource", async () => {
  const guarded = { name: "guarded", path: filePath(p, "g"), content: "keep", protect: true };
  setResources(p, [guarded]);
  expect((await engine(p, ["up"])).code).toBe(0);

  setResources(p, [{ ...guarded, path: filePath(p, "g2") }]);
  let r = await engine(p, ["up"]);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toContain(urnOf(p, "guarded"));
  expect(r.stdout).toMatch(/protected and cannot be replaced/);

  clearTrace(p);
  setResources(p, []);
  r = await engine(p, ["up"]);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(new RegExp(`${urnOf(p, "guarded").replace(/[$/.]/g, "\\$&")}: resource is protected`));
  expect(ops(p)).not.toContain("delete guarded");
  expect(fs.readFileSync(guarded.path, "utf8")).toBe("keep");
  expect(stateResources(p).some((x) => x.urn === urnOf(p, "guarded"))).toBe(true);

  r = await engine(p, ["destroy"]);
  expect(r.code).not.toBe(0);
  expect(fs.existsSync(guarded.path)).toBe(true);
});

test("retainOnDelete drops the resource from state without calling Delete", async () => {
  const kept = { name: "kept", path: filePath(p, "kept"), content: "stays", retainOnDelete: true };
  setResources(p, [kept, { name: "gone", path: filePath(p, "gone"), content: "goes" }]);
  expect((await engine(p, ["up"])).code).toBe(0);
  clearTrace(p);
  setResources(p, []);
  const r = await engine(p, ["up", "--json"]);
  expect(r.code).toBe(0);
  expect(summary(r)).toMatchObject({ delete: 2 });
  expect(ops(p)).toEqual(["delete gone"]);
  expect(fs.existsSync(kept.path)).toBe(true);
  expect(stateResources(p).some((x) => x.urn === urnOf(p, "kept"))).toBe(false);
});

test("ignoreChanges keeps the old value of an ignored input", async () => {
  const f = { name: "f", path: filePath(p, "f"), content: "first", ignoreChanges: ["content"] };
  setResources(p, [f]);
  expect((await engine(p, ["up"])).code).toBe(0);
  setResources(p, [{ ...f, content: "second" }]);
  let r = await engine(p, ["up", "--json"]);
  expect(summary(r)).toMatchObject({ update: 0, same: 2 });
  expect(fs.readFileSync(f.path, "utf8")).toBe("first");

  // Without the option the same change is an update: the test above is not vacuous.
  setResources(p, [{ ...f, content: "second", ignoreChanges: [] }]);
  r = await engine(p, ["up", "--json"]);
  expect(summary(r)).toMatchObject({ update: 1 });
  expect(fs.readFileSync(f.path, "utf8")).toBe("second");
});

test("dependsOn orders creation and deletion without a data dependency", async () => {
  // `first` is slow: without dependsOn `second` would finish before it.
  const specs = [
    { name: "first", path: filePath(p, "first"), content: "1", delayMs: 800 },
    { name: "second", path: filePath(p, "second"), content: "2", dependsOn: ["first"] },
  ];
  setResources(p, specs);
  expect((await engine(p, ["up"])).code).toBe(0);
  const o = ops(p);
  expect(o.indexOf("create-end first")).toBeLessThan(o.indexOf("create-start second"));
  expect(stateResources(p).find((x) => x.urn === urnOf(p, "second"))!.dependencies).toContain(urnOf(p, "first"));
  clearTrace(p);
  expect((await engine(p, ["destroy"])).code).toBe(0);
  expect(ops(p)).toEqual(["delete second", "delete first"]);
});

test("independent resources run in parallel, and one at a time with --parallel 1", async () => {
  const specs = [
    { name: "slow1", path: filePath(p, "s1"), content: "1", delayMs: 1500 },
    { name: "slow2", path: filePath(p, "s2"), content: "2", delayMs: 1500 },
  ];
  setResources(p, specs);
  expect((await engine(p, ["up"])).code).toBe(0);
  const t = (op: string, name: string) => readTrace(p).find((x) => x.op === op && x.name === name)!.t;
  // Overlap: each started before the other ended.
  expect(t("create-start", "slow2")).toBeLessThan(t("create-end", "slow1"));
  expect(t("create-start", "slow1")).toBeLessThan(t("create-end", "slow2"));

  expect((await engine(p, ["destroy"])).code).toBe(0);
  clearTrace(p);
  expect((await engine(p, ["up", "--parallel", "1"])).code).toBe(0);
  const [first, second] = ["slow1", "slow2"].sort((x, y) => t("create-start", x) - t("create-start", y));
  expect(t("create-end", first)).toBeLessThanOrEqual(t("create-start", second));
});
