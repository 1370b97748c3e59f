/** Failures: a half-done create is recorded and finished by the next up; provider and program
 *  errors make the run fail with the resource's URN, and a failed run deletes nothing. */
import * as fs from "fs";
import {
  assertBuilt, clearTrace, copyProgram, engine, filePath, ops, Program, removeProgram, setResources, stateResources, summary, urnOf,
} from "./helpers";

jest.setTimeout(240_000);

let p: Program;
beforeAll(() => assertBuilt());
beforeEach(() => (p = copyProgram()));
afterEach(() => removeProgram(p));

test("a create that fails after the object exists is recorded, and the next up updates it", async () => {
  const half = { name: "half", path: filePath(p, "half"), content: "v1", failInit: true };
  setResources(p, [half]);
  let r = await engine(p, ["up"]);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toContain(urnOf(p, "half"));
  expect(r.stdout).toMatch(/post-write check failed/);
  const rec = stateResources(p).find((x) => x.urn === urnOf(p, "half"))!;
  expect(rec.id).toBe(half.path);
  expect(rec.initErrors).toEqual(["post-write check failed"]);
  expect(rec.outputs.digest).toEqual(expect.any(String));

  clearTrace(p);
  r = await engine(p, ["up", "--json"]);
  expect(r.code).toBe(0);
  // Same inputs, and the provider's Diff says "no change": only the init error forces the update.
  expect(ops(p)).toEqual(["check half", "diff half", "update half"]);
  expect(summary(r)).toMatchObject({ update: 1, create: 0 });
  expect(stateResources(p).find((x) => x.urn === urnOf(p, "half"))!.initErrors).toBeUndefined();

  clearTrace(p);
  r = await engine(p, ["up", "--json"]);
  expect(summary(r)).toMatchObject({ update: 0, same: 2 });
});

test("a refresh that reads a half-created resource clears its initialization error, as the real engine does", async () => {
  const half = { name: "half", path: filePath(p, "half"), content: "v1", failInit: true };
  setResources(p, [half]);
  expect((await engine(p, ["up"])).code).not.toBe(0);
  expect(stateResources(p).find((x) => x.urn === urnOf(p, "half"))!.initErrors).toEqual(["post-write check failed"]);

  const refreshed = await engine(p, ["refresh", "--json"]);
  expect(refreshed.code).toBe(0);
  expect(stateResources(p).find((x) => x.urn === urnOf(p, "half"))!.initErrors).toBeUndefined();
  // Nothing forces an update any more: the provider's Diff ("no change") decides.
  clearTrace(p);
  const r = await engine(p, ["up", "--json"]);
  expect(r.code).toBe(0);
  expect(ops(p)).toEqual(["check half", "diff half"]);
  expect(summary(r)).toMatchObject({ update: 0, same: 2 });
});

test("invalid inputs fail the run with the URN, and the run deletes nothing", async () => {
  const keep = { name: "keep", path: filePath(p, "keep"), content: "k" };
  setResources(p, [keep]);
  expect((await engine(p, ["up"])).code).toBe(0);
  setResources(p, [{ name: "bad", path: 42, content: "x" }]);
  const r = await engine(p, ["up", "--json"]);
  expect(r.code).not.toBe(0);
  const diag = r.events.find((e) => e.diag)!.diag;
  expect(diag.urn).toBe(urnOf(p, "bad"));
  expect(diag.message).toMatch(/path must be a string/);
  // `keep` is no longer in the program, but a failed run must not delete it.
  expect(fs.existsSync(keep.path)).toBe(true);
  expect(stateResources(p).some((x) => x.urn === urnOf(p, "keep"))).toBe(true);
  expect(r.events[r.events.length - 1]).toHaveProperty("summary");
});

test("a program that throws makes the run fail", async () => {
  fs.writeFileSync(`${p.dir}/index.js`, `throw new Error("the program is broken");\n`);
  const r = await engine(p, ["up"]);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(/the program is broken/);
});
