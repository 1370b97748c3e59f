/** refresh reads every resource: a hand edit shows as drift and is recorded; a vanished object
 *  leaves the state. */
import * as fs from "fs";
import {
  assertBuilt, copyProgram, engine, filePath, ops, Program, removeProgram, setResources, stateResources, summary, urnOf,
} from "./helpers";

jest.setTimeout(240_000);

let p: Program;
beforeAll(() => assertBuilt());
beforeEach(() => (p = copyProgram()));
afterEach(() => removeProgram(p));

test("refresh records a hand edit and drops a vanished resource", async () => {
  setResources(p, [
    { name: "edited", path: filePath(p, "edited"), content: "original" },
    { name: "vanished", path: filePath(p, "vanished"), content: "v" },
    { name: "untouched", path: filePath(p, "untouched"), content: "u" },
  ]);
  expect((await engine(p, ["up"])).code).toBe(0);
  fs.writeFileSync(filePath(p, "edited"), "changed by hand");
  fs.rmSync(filePath(p, "vanished"));

  const r = await engine(p, ["refresh", "--json"]);
  expect(r.code).toBe(0);
  expect(ops(p).filter((o) => o.startsWith("read")).sort()).toEqual(["read edited", "read untouched", "read vanished"]);
  expect(summary(r)).toEqual({ create: 0, update: 1, delete: 1, replace: 0, same: 2 });
  const drift = r.events.find((e) => e.step?.op === "update")!.step;
  expect(drift.name).toBe("edited");
  expect(drift.keys).toEqual(expect.arrayContaining(["content", "digest"]));
  expect(r.events.find((e) => e.step?.op === "delete")!.step.name).toBe("vanished");

  const state = stateResources(p);
  expect(state.find((x) => x.urn === urnOf(p, "edited"))!.outputs.content).toBe("changed by hand");
  expect(state.some((x) => x.urn === urnOf(p, "vanished"))).toBe(false);

  // The next up puts the desired content back and recreates the vanished file.
  const up = await engine(p, ["up", "--json"]);
  expect(summary(up)).toMatchObject({ create: 1, update: 1 });
  expect(fs.readFileSync(filePath(p, "edited"), "utf8")).toBe("original");
  expect(fs.existsSync(filePath(p, "vanished"))).toBe(true);
});
