/**
 * Nothing silent on delete: a RAFT group's delete that cannot read the MP catalog (disql fails on
 * the MP's host; the MP's host presents another key than the recorded one) fails, naming why,
 * and stops nothing, so the members are not left stopped with their registrations behind; once
 * the catalog answers again, destroy removes both.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { dmProcesses, dpcProgram, labOf, LAB_PASSWORD, mark, readCatalog, since, writes, type EngineRun, type Lab } from "../examples/helpers";

jest.setTimeout(300_000);

let lab: Lab;

/** The MP on host1, SP1 alone in its group on host2: a destroy deletes RAFT_SP1 first. */
const cluster = (dir: string) => ({
  sysdbaPassword: LAB_PASSWORD,
  instances: [
    { name: "MP", mode: "MP", host: "host1", dir: `${dir}/mp`, portNum: 5239, apPortNum: 6003, hostKey: null },
    { name: "SP1", mode: "SP", host: "host2", dir: `${dir}/sp1`, portNum: 5236, apPortNum: 6000, hostKey: null },
  ],
  rafts: [{ name: "RAFT_SP1", role: "SP", members: ["SP1"] }],
});
const keyOf = (host: string) => lab.host(host).hostKey.trim().split(/\s+/).slice(0, 2).join(" ");
const mpLogin = () => ({ ip: lab.host("host1").address, port: 5239, password: LAB_PASSWORD });

beforeAll(async () => {
  lab = await labOf(2);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

/** The destroy failed on RAFT_SP1 with `why`; SP1 still runs and is still registered; nothing but reads ran. */
async function expectRefusedKeepingSp1(r: EngineRun, m: Map<string, number>, why: RegExp): Promise<void> {
  expect(r.code).not.toBe(0);
  const failed = r.events.filter((e) => e.diag?.severity === "error" && String(e.diag.urn ?? "").endsWith("::dpc-RAFT_SP1"));
  expect(failed.map((e) => String(e.diag.message))).toEqual([expect.stringMatching(why)]);
  expect(writes(since(lab, m))).toEqual([]);
  expect(await dmProcesses(lab)).toEqual({ host1: ["MP"], host2: ["SP1"] });
  expect((await readCatalog(lab, "host1", mpLogin())).instance.map((i) => i.NAME).sort()).toEqual(["MP", "SP1"]);
}

async function expectDestroyed(stack: ReturnType<typeof dpcProgram>): Promise<void> {
  const m = mark(lab);
  const r = await stack.engine("destroy");
  expect({ code: r.code, tail: r.code === 0 ? "" : r.out.slice(-4000) }).toEqual({ code: 0, tail: "" });
  expect(since(lab, m).filter((c) => /disql/.test(c.command)).length).toBeGreaterThan(0);
  expect(await dmProcesses(lab)).toEqual({ host1: [], host2: [] });
}

test("disql failing on the MP's host: RAFT_SP1's delete fails and SP1 keeps running; the next destroy removes it", async () => {
  const stack = dpcProgram(lab, cluster("unreadable"), "unreadable");
  const up = await stack.engine("up");
  expect({ code: up.code, tail: up.code === 0 ? "" : up.out.slice(-4000) }).toEqual({ code: 0, tail: "" });

  // The destroy's first disql is RAFT_SP1's catalog read.
  await lab.fault("host1", "fail", "disql", 1);
  const m = mark(lab);
  const r = await stack.engine("destroy");
  expect(fs.existsSync(path.join(lab.host("host1").hostDir, "faults", "fail", "disql"))).toBe(false);
  await expectRefusedKeepingSp1(r, m, /RaftGroup RAFT_SP1: cannot read the MP catalog.*nothing was stopped/);
  await expectDestroyed(stack);
});

test("the MP's host presents another key than the recorded one: RAFT_SP1's delete says so, and stops nothing", async () => {
  const stack = dpcProgram(lab, cluster("rekeyed"), "rekeyed");
  const up = await stack.engine("up");
  expect({ code: up.code, tail: up.code === 0 ? "" : up.out.slice(-4000) }).toEqual({ code: 0, tail: "" });

  // As if host1 had been re-keyed: its recorded key edited to another one, host2's left as they are.
  const text = fs.readFileSync(stack.stateFile(), "utf8");
  fs.writeFileSync(stack.stateFile(), text.split(keyOf("host1")).join(keyOf("host2")));
  const m = mark(lab);
  const r = await stack.engine("destroy");
  await expectRefusedKeepingSp1(r, m, /SSH host key of \S+ changed since it was first recorded/);

  fs.writeFileSync(stack.stateFile(), text);
  await expectDestroyed(stack);
});
