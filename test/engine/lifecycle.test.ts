/** The step kinds and their order: create, same, update, replace, delete, preview and destroy. */
import * as fs from "fs";
import {
  assertBuilt, clearTrace, copyProgram, engine, filePath, ops, Program, readTrace, removeProgram,
  setResources, stateResources, steps, summary,
} from "./helpers";

jest.setTimeout(240_000);

let p: Program;
beforeAll(() => assertBuilt());
beforeEach(() => (p = copyProgram()));
afterEach(() => removeProgram(p));

test("create, then a second up changes nothing, then update, replace and delete are counted", async () => {
  const a = { name: "a", path: filePath(p, "a"), content: "one" };
  const b = { name: "b", path: filePath(p, "b"), content: "two" };
  const c = { name: "c", path: filePath(p, "c"), content: "three" };
  setResources(p, [a, b, c]);
  let r = await engine(p, ["up", "--json"]);
  expect(r.code).toBe(0);
  expect(summary(r)).toEqual({ create: 4, update: 0, delete: 0, replace: 0, same: 0 });
  expect(fs.readFileSync(a.path, "utf8")).toBe("one");
  // The provider required ssh2 inside create: module resolution works in the plugin process.
  expect(stateResources(p).find((x) => x.urn.endsWith("::a"))!.outputs.ssh2).toBe("function");
  expect(r.events[r.events.length - 1]).toEqual({ summary: summary(r) });

  clearTrace(p);
  r = await engine(p, ["up", "--json"]);
  expect(r.code).toBe(0);
  expect(summary(r)).toEqual({ create: 0, update: 0, delete: 0, replace: 0, same: 4 });
  expect(ops(p).filter((o) => /^(create|update|delete)/.test(o))).toEqual([]);

  setResources(p, [{ ...a, content: "one!" }, { ...b, path: filePath(p, "b2") }]);
  r = await engine(p, ["up", "--json"]);
  expect(r.code).toBe(0);
  expect(summary(r)).toEqual({ create: 0, update: 1, delete: 1, replace: 1, same: 1 });
  expect(r.events.find((e) => e.step?.op === "update")!.step.keys).toEqual(["content"]);
  expect(fs.readFileSync(a.path, "utf8")).toBe("one!");
  expect(fs.existsSync(b.path)).toBe(false);
  expect(fs.existsSync(filePath(p, "b2"))).toBe(true);
  expect(fs.existsSync(c.path)).toBe(false);
  expect(stateResources(p).map((x) => x.urn.split("::").pop())).toEqual(expect.not.arrayContaining(["c"]));
});

test("preview calls Check and Diff only, shows unknowns, and writes no state", async () => {
  const a = { name: "a", path: filePath(p, "a"), content: "A" };
  setResources(p, [a, { name: "b", path: filePath(p, "b"), content: "B", after: "a" }]);
  let r = await engine(p, ["preview", "--json"]);
  expect(r.code).toBe(0);
  expect(summary(r)).toMatchObject({ create: 3 });
  expect(ops(p)).toEqual(["check a", "check b"]);
  // b's input is a's digest, which only create computes: in preview the plugin sees the unknown.
  expect(readTrace(p)[1].upstream).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
  expect(r.events.find((e) => e.outputs)!.outputs.digests).toEqual({ a: "[unknown]", b: "[unknown]" });
  expect(fs.existsSync(a.path)).toBe(false);
  expect(fs.existsSync(`${p.dir}/.pulumi-state`)).toBe(false);

  expect((await engine(p, ["up"])).code).toBe(0);
  clearTrace(p);
  setResources(p, [{ ...a, content: "A2" }]);
  r = await engine(p, ["preview", "--json"]);
  expect(r.code).toBe(0);
  expect(summary(r)).toEqual({ create: 0, update: 1, delete: 1, replace: 0, same: 1 });
  expect(ops(p)).toEqual(["check a", "diff a"]);
  expect(fs.readFileSync(a.path, "utf8")).toBe("A");
  expect(fs.existsSync(filePath(p, "b"))).toBe(true);
});

test("dependents are created after and deleted before what they depend on", async () => {
  const specs = [
    { name: "a", path: filePath(p, "a"), content: "a" },
    { name: "b", path: filePath(p, "b"), content: "b", after: "a" },
    { name: "c", path: filePath(p, "c"), content: "c", after: "b" },
  ];
  setResources(p, specs);
  expect((await engine(p, ["up"])).code).toBe(0);
  const creates = ops(p).filter((o) => o.startsWith("create-end"));
  expect(creates).toEqual(["create-end a", "create-end b", "create-end c"]);
  const state = stateResources(p);
  expect(state.find((x) => x.urn.endsWith("::c"))!.dependencies).toContain(state.find((x) => x.urn.endsWith("::b"))!.urn);

  clearTrace(p);
  setResources(p, [specs[0]]);
  const r = await engine(p, ["up", "--json"]);
  expect(r.code).toBe(0);
  expect(ops(p).filter((o) => o.startsWith("delete"))).toEqual(["delete c", "delete b"]);
  expect(steps(r, "delete")).toEqual(["c", "b"]);
});

test("replace creates the new copy first by default, deletes first with deleteBeforeReplace", async () => {
  const cbd = { name: "cbd", path: filePath(p, "cbd1"), content: "x" };
  const dbr = { name: "dbr", path: filePath(p, "dbr1"), content: "y", deleteBeforeReplace: true };
  setResources(p, [cbd, dbr]);
  expect((await engine(p, ["up"])).code).toBe(0);
  clearTrace(p);
  setResources(p, [{ ...cbd, path: filePath(p, "cbd2") }, { ...dbr, path: filePath(p, "dbr2") }]);
  const r = await engine(p, ["up", "--json"]);
  expect(r.code).toBe(0);
  expect(summary(r)).toMatchObject({ replace: 2, delete: 0 });
  const o = ops(p);
  expect(o.indexOf("create-start cbd")).toBeLessThan(o.indexOf("delete cbd"));
  expect(o.indexOf("delete dbr")).toBeLessThan(o.indexOf("create-start dbr"));
  for (const f of ["cbd1", "dbr1"]) expect(fs.existsSync(filePath(p, f))).toBe(false);
  for (const f of ["cbd2", "dbr2"]) expect(fs.existsSync(filePath(p, f))).toBe(true);
  expect(stateResources(p).filter((x) => x.delete)).toEqual([]);
});

test("destroy deletes everything in reverse dependency order", async () => {
  setResources(p, [
    { name: "group", component: true },
    { name: "a", path: filePath(p, "a"), content: "a", parent: "group" },
    { name: "b", path: filePath(p, "b"), content: "b", dependsOn: ["a"], parent: "group" },
  ]);
  expect((await engine(p, ["up"])).code).toBe(0);
  const childUrn = stateResources(p).find((x) => x.urn.endsWith("::a"))!.urn;
  expect(childUrn).toContain("files:index:Group$pulumi-nodejs:dynamic/files:LocalFile::a");
  clearTrace(p);
  const r = await engine(p, ["destroy", "--json"]);
  expect(r.code).toBe(0);
  expect(summary(r)).toEqual({ create: 0, update: 0, delete: 4, replace: 0, same: 0 });
  expect(ops(p)).toEqual(["delete b", "delete a"]);
  const order = steps(r, "delete");
  expect(order.indexOf("group")).toBeGreaterThan(order.indexOf("a"));
  expect(order[order.length - 1]).toBe("files-dev");
  expect(stateResources(p)).toEqual([]);
  expect(fs.existsSync(filePath(p, "a"))).toBe(false);
});
