/**
 * Seed 7.5.2 through the engine: members of a running multi-replica group of two RAFT replicas and
 * one shadow (three nodes, as DM counts them: shadows vote) change between RAFT replica and shadow
 * replica. A swap (one RAFT member becomes a shadow, the shadow becomes a RAFT member), then the
 * swap back. Only the converted members restart, the leader stays, each converted member's old
 * database is kept aside, no other member's dmarch.ini changes, there is no membership change (no
 * SP_ALTER_RAFT_NODE), and a second `up` changes nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Lab } from "../helpers/lab";
import { catalog, commandMark, commandsSince, instancesUnder, processes, topologyLab, upTwice as upTwiceOn, type Stack, type Topology } from "./helpers";

let lab: Lab;
let stack: Stack;
topologyLab((l, s) => ((lab = l), (stack = s)));

const inst = instancesUnder("conv");
const MP = inst("MP", "MP", "host1", 5239, 6003, { mpPort: 9000 });
const SP1 = inst("SP1", "SP", "host2", 5236, 6000);
const BPS = [inst("BP31", "BP", "host1", 5250, 6010), inst("BP32", "BP", "host2", 5251, 6011), inst("BP33", "BP", "host3", 5252, 6012)];

const topology = (shadows: string[]): Topology => ({
  instances: [MP, SP1, ...BPS],
  rafts: [{ name: "RAFT_3", role: "BP", members: BPS.map((i) => i.name), shadows }, { name: "RAFT_SP1", role: "SP", members: ["SP1"] }],
  bpGroups: [{ name: "BG_1", rafts: ["RAFT_3"] }],
});

const dbParent = (name: string) => {
  const i = BPS.find((x) => x.name === name)!;
  return path.join(lab.host(i.host).dataRoot, i.dir);
};
const dmarch = (name: string) => fs.readFileSync(path.join(dbParent(name), "DAMENG", "dmarch.ini"), "utf8");
const asideDirs = (name: string) => fs.readdirSync(dbParent(name)).filter((f) => /^DAMENG\.replaced-\d{8}T\d{6}Z$/.test(f));
const upTwice = (next: Topology) => upTwiceOn(stack, next);

/** RAFT_3's rows of V$GLOBAL_RAFT_INFO: the shadows and the leader. */
async function raft3(): Promise<{ shadows: string[]; leader: string[]; members: string[] }> {
  const rows = (await catalog(lab)).raftInfo.filter((x) => x[0] === "RAFT_3");
  return { shadows: rows.filter((x) => x[3] === "1").map((x) => x[1]), leader: rows.filter((x) => x[2] === "LEADER").map((x) => x[1]), members: rows.map((x) => x[1]).sort() };
}

test("a group of two RAFT replicas and one shadow (seed 7.5)", async () => {
  await upTwice(topology(["BP33"]));
  const g = await raft3();
  expect(g.shadows).toEqual(["BP33"]);
  expect(g.leader).toHaveLength(1);
  expect(g.leader).not.toEqual(["BP33"]);
  expect(g.members).toEqual(["BP31", "BP32", "BP33"]);
}, 600_000);

async function swap(from: string[], to: string[]): Promise<void> {
  const { leader } = await raft3();
  const converted = BPS.map((i) => i.name).filter((n) => from.includes(n) !== to.includes(n));
  const before = await processes(lab);
  const aside = Object.fromEntries(converted.map((n) => [n, asideDirs(n).length]));
  const steady = BPS.map((i) => i.name).filter((n) => !converted.includes(n));
  const archBefore = Object.fromEntries(steady.map((n) => [n, dmarch(n)]));
  const mark = commandMark(lab);
  const r = await upTwice(topology(to));
  expect(stack.steps(r, "update")).toEqual(["topo-RAFT_3"]);
  const now = await processes(lab);
  for (const n of Object.keys(before)) if (!converted.includes(n)) expect([n, now[n]]).toEqual([n, before[n]]);
  for (const n of converted) expect(now[n]).toBeDefined();
  const g = await raft3();
  expect(g.leader).toEqual(leader);
  expect(g.shadows).toEqual(to);
  expect(g.members).toEqual(["BP31", "BP32", "BP33"]);
  // no membership change: no SP_ALTER_RAFT_NODE, the other members' dmarch.ini as they were
  expect(r.out).not.toMatch(/SP_ALTER_RAFT_NODE/);
  expect(Object.fromEntries(steady.map((n) => [n, dmarch(n)]))).toEqual(archBefore);
  // the manual's statements: the leader's online backup, SHADOW for the new shadow
  for (const n of to) expect(r.out).toMatch(new RegExp(`BACKUP DATABASE FULL SHADOW BACKUPSET '[^']*CONVERT_${n}_`));
  // the old databases are kept aside, a new one is in place
  for (const n of converted) {
    expect([n, asideDirs(n).length]).toEqual([n, aside[n] + 1]);
    expect(fs.existsSync(path.join(dbParent(n), "DAMENG", "dm.ini"))).toBe(true);
  }
  const cmds = commandsSince(lab, mark);
  // each converted member exits alone (no exit all), nothing else is stopped
  expect(cmds.filter((x) => /kill -USR1/.test(x.command))).toEqual([]);
  expect(cmds.filter((x) => /\brm -rf '[^']*\/DAMENG'/.test(x.command))).toEqual([]);
  expect(cmds.filter((x) => /dmrman'? .*UPDATE DB_MAGIC/.test(x.command)).map((x) => x.host).sort()).toEqual(converted.map((n) => BPS.find((i) => i.name === n)!.host).sort());
}

/** The RAFT member converted to a shadow: never the leader (seed 7.5.2 rebuilds it from the leader's backup). */
let victim = "";

test("swap: a RAFT member becomes a shadow replica and BP33 a RAFT replica; only they restart, the leader stays", async () => {
  const { leader } = await raft3();
  victim = ["BP32", "BP31"].find((n) => n !== leader[0])!;
  await swap(["BP33"], [victim]);
}, 600_000);

test("and back: that member a RAFT replica again, BP33 a shadow", async () => {
  await swap([victim], ["BP33"]);
}, 600_000);

test("converting the leader is refused before anything stops", async () => {
  const { leader } = await raft3();
  const before = await processes(lab);
  const r = await stack.engine("up", topology([leader[0]]));
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(new RegExp(`${leader[0]} is the group's leader and cannot be converted .* switch the leadership over`));
  expect(await processes(lab)).toEqual(before);
  expect((await raft3()).shadows).toEqual(["BP33"]);
}, 600_000);
