/** Several instances' host state in one command: each part parses exactly as its own read would. */
import * as fs from "node:fs";
import * as path from "node:path";
import { files, hostStateCommand, hostStatesCommand, parseHostState, parseHostStates, type InstanceLayout } from "../../../provider/dm/commands";
import { makeFakeTools, type FakeTools } from "./helpers/fake-tools";

let t: FakeTools;
beforeEach(() => {
  t = makeFakeTools();
});
afterEach(() => t.cleanup());

function layout(name: string): InstanceLayout {
  return { path: path.join(t.dir, "data", name), dbName: "DAMENG" };
}

test("a batched read of several directories gives each one what its own read gives", () => {
  const a = layout("a p'x");
  const b = layout("b");
  const c = layout("never made");
  fs.mkdirSync(files.dbDir(a), { recursive: true });
  fs.mkdirSync(files.dbDir(b), { recursive: true });
  // No trailing newline, and a line that looks like the next part's announcement.
  fs.writeFileSync(files.dmIni(a), "INSTANCE_NAME = A\nPORT_NUM = 5236");
  fs.writeFileSync(files.dmarchIni(a), "\n--batch-- 1\n[ARCHIVE_LOCAL1]\n");
  fs.writeFileSync(files.mpIni(b), "mp_host = 127.0.0.1\nmp_port = 9000\n");
  // b has run before: DM's log of it is in its log directory.
  fs.mkdirSync(files.dmLogDir(b));
  fs.writeFileSync(path.join(files.dmLogDir(b), "dm_B_202612.log"), "startup\n");
  const reads = [a, b, c].map((l, i) => ({ layout: l, marker: `--state-${i}-7f3a--` }));
  const batch = "--batch-9c1e--";
  const r = t.run(hostStatesCommand(reads, batch));
  expect(r.code).toBe(0);
  const got = parseHostStates(r.stdout, reads, batch, "h");
  const single = reads.map((x) => {
    const one = t.run(hostStateCommand(x.layout, x.marker));
    return parseHostState(one.stdout, x.layout, x.marker, "h");
  });
  expect(got).toEqual(single);
  expect(got[0].dmIni).toBe("INSTANCE_NAME = A\nPORT_NUM = 5236");
  expect(got[0].dmarchIni).toBe("\n--batch-- 1\n[ARCHIVE_LOCAL1]\n");
  expect(got[1]).toMatchObject({ pathExists: true, ranBefore: true, dmIni: null, mpIni: "mp_host = 127.0.0.1\nmp_port = 9000\n" });
  expect(got[2]).toMatchObject({ pathExists: false, ranBefore: false, dmIni: null, pids: [] });
  expect(got[0].ranBefore).toBe(false);
});

test("a batched read cut short is refused, not half-parsed", () => {
  const reads = [layout("a"), layout("b")].map((l, i) => ({ layout: l, marker: `--state-${i}-1d2e--` }));
  const batch = "--batch-77aa--";
  const r = t.run(hostStatesCommand(reads, batch));
  const cut = r.stdout.slice(0, r.stdout.indexOf(`\n${batch} 1`));
  expect(() => parseHostStates(cut, reads, batch, "h")).toThrow(/missing from the batched read/);
});
