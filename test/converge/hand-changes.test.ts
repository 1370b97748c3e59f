/**
 * Hand changes to a built seed 7.2 cluster (examples/dpc-bp-raft): each is made the way an
 * operator would (SQL on the MP, a killed process, an edited ini over SSH); `refresh` reports
 * it on the resource that owns it (state `inSync: false`, a "drift: the next up would run" log
 * naming the repair) and on no other; the next `up` updates that resource only and repairs it;
 * the up after that changes nothing.
 */
import { Cluster, editOnHost, stateOutputs, stepsByOp, type EngineRun } from "./cluster";
import { EXAMPLE, HOST_OF, MP_HOST, MP_PORT, expectQuietUp, expectSeed72, transcript } from "./bp-raft";

jest.setTimeout(300_000);

let c: Cluster;
beforeAll(async () => {
  c = await Cluster.start(EXAMPLE);
  const r = await c.up();
  if (r.code !== 0) throw new Error(`the first up failed:\n${transcript(r)}`);
  await expectSeed72(c);
}, 300_000);
afterAll(async () => {
  await c?.stop();
});

const res = (name: string) => `${EXAMPLE}-${name}`;

/** Refresh; exactly `drifted` are out of sync, and each one's drift log matches its pattern. */
async function expectDrift(drifted: Record<string, RegExp>): Promise<EngineRun> {
  const r = await c.refresh();
  expect({ code: r.code, errors: r.errors }).toEqual({ code: 0, errors: [] });
  const outOfSync = r.events
    .filter((e) => e.step?.op === "update" && (e.step.keys as string[]).includes("inSync"))
    .map((e) => String(e.step.name))
    .sort();
  expect(outOfSync).toEqual(Object.keys(drifted).map(res).sort());
  for (const [name, pattern] of Object.entries(drifted)) {
    expect(stateOutputs(c, EXAMPLE, res(name)).inSync).toBe(false);
    const kind = r.providerLines.find((l) => new RegExp(`^\\[dbcluster\\] dm:\\w+/${name} refresh \\w+ drift: `).test(l));
    if (!kind) throw new Error(`no drift line for ${name}:\n${transcript(r)}`);
    expect(kind).toMatch(pattern);
  }
  // Only the drifted resources say so.
  expect(r.providerLines.filter((l) => / drift: /.test(l)).length).toBe(Object.keys(drifted).length);
  return r;
}

/** Up updates exactly `names` (the drifted ones), then the cluster is seed 7.2 again and quiet. */
async function expectRepairedBy(names: string[], step: RegExp): Promise<void> {
  const r = await c.up();
  if (r.code !== 0) throw new Error(`the repairing up failed:\n${transcript(r)}`);
  expect(stepsByOp(r)).toEqual({ update: names.map(res).sort() });
  expect(r.providerLines.join("\n")).toMatch(step);
  for (const n of names) expect(stateOutputs(c, EXAMPLE, res(n)).inSync).toBe(true);
  await expectSeed72(c);
  await expectQuietUp(c);
  // And a refresh now finds nothing to do anywhere.
  const again = await c.refresh();
  expect(again.providerLines.filter((l) => / drift: /.test(l))).toEqual([]);
}

test("an instance moved out of its fault domain by hand: FDOM_2 drifts, up moves it back", async () => {
  await c.sql(MP_HOST, MP_PORT, ["SP_FAULT_DOMAIN_MV_INST(NULL, 'BP12');"]);
  expect((await c.catalog(MP_HOST, MP_PORT)).instances.find((i) => i.name === "BP12")!.domain).toBeNull();

  await expectDrift({ FDOM_2: /SP_FAULT_DOMAIN_MV_INST\('FDOM_2', 'BP12'\);.*BP12 not in it/ });
  expect(stateOutputs(c, EXAMPLE, res("FDOM_2")).observed).toEqual({ domainId: expect.any(Number), instances: ["BP22"] });
  await expectRepairedBy(["FDOM_2"], /FDOM_2 update .*SP_FAULT_DOMAIN_MV_INST\('FDOM_2', 'BP12'\); \$ 'disql' -S -L \/nolog .* \.\.\. ok/);
});

test("a RAFT group taken out of its BP group by hand: BG_1 drifts, up puts it back", async () => {
  await c.sql(MP_HOST, MP_PORT, ["SP_BP_GROUP_DEL_RAFT('BG_1', 'RAFT_2');"]);
  expect((await c.catalog(MP_HOST, MP_PORT)).bpGroups).toEqual({ BG_1: ["RAFT_1"] });

  await expectDrift({ BG_1: /SP_BP_GROUP_ADD_RAFT\('BG_1', 'RAFT_2'\);.*RAFT_2 not in the group/ });
  expect(stateOutputs(c, EXAMPLE, res("BG_1")).observed).toEqual({ groupId: expect.any(Number), rafts: ["RAFT_1"] });
  await expectRepairedBy(["BG_1"], /BG_1 update .*SP_BP_GROUP_ADD_RAFT\('BG_1', 'RAFT_2'\); \$ 'disql' -S -L \/nolog .* \.\.\. ok/);
});

test("a member killed (BP12): RAFT_1 drifts, up starts it again and it rejoins its group", async () => {
  await c.lab.fault(HOST_OF.BP12, "kill", "BP12");
  expect(await c.running()).not.toContain("BP12");

  await expectDrift({ RAFT_1: /start dmserver \S+\/bp12\/DAMENG\/dm\.ini dpc_mode=BS MOUNT \(BP12\)/ });
  const members = stateOutputs(c, EXAMPLE, res("RAFT_1")).observed.members as { name: string; running: boolean }[];
  expect(members.map((m) => `${m.name}:${m.running}`)).toEqual(["BP11:true", "BP12:false", "BP13:true"]);
  await expectRepairedBy(["RAFT_1"], /RAFT_1 update .*start dmserver \S+\/bp12\/DAMENG\/dm\.ini dpc_mode=BS MOUNT \(BP12\) \$ setsid nohup 'dmserver' '\S+\/bp12\/DAMENG\/dm\.ini' 'dpc_mode=BS' 'MOUNT'.* \.\.\. ok/);
});

test("a dm.ini port the Instance owns edited by hand (BP22's AP_PORT_NUM): the Instance drifts, up writes it back", async () => {
  const ini = c.dbFile(HOST_OF.BP22, "dpc_bp_raft", "BP22", "dm.ini");
  await editOnHost(c, HOST_OF.BP22, ini, (t) => t.replace(/^(\s*AP_PORT_NUM\s*=\s*)6006\b/m, "$16999"));

  await expectDrift({ BP22: /set AP_PORT_NUM = 6006 in \S+\/bp22\/DAMENG\/dm\.ini/ });
  expect(stateOutputs(c, EXAMPLE, res("BP22")).observed.dmIni.AP_PORT_NUM).toBe("6999");
  await expectRepairedBy(["BP22"], /BP22 update .*set AP_PORT_NUM = 6006 in \S+ \(BP22, dm\.ini\) \.\.\. ok/);
  expect((await c.lab.exec(HOST_OF.BP22, `grep -E '^\\s*AP_PORT_NUM' '${ini}'`)).stdout).toMatch(/AP_PORT_NUM\s*=\s*6006\b/);
});

test("a dm.ini key the RAFT group owns edited by hand (BP13's ARCH_INI = 0): RAFT_1 drifts, up sets it back", async () => {
  const ini = c.dbFile(HOST_OF.BP13, "dpc_bp_raft", "BP13", "dm.ini");
  await editOnHost(c, HOST_OF.BP13, ini, (t) => t.replace(/^(\s*ARCH_INI\s*=\s*)1\b/m, "$10"));

  await expectDrift({ RAFT_1: /set ARCH_INI = 1 in \S+\/bp13\/DAMENG\/dm\.ini/ });
  await expectRepairedBy(["RAFT_1"], /RAFT_1 update .*set ARCH_INI = 1 in \S+ \(BP13, dm\.ini\) \.\.\. ok/);
  expect((await c.lab.exec(HOST_OF.BP13, `grep -E '^\\s*ARCH_INI' '${ini}'`)).stdout).toMatch(/ARCH_INI\s*=\s*1\b/);
});

test("dmarch.ini edited by hand (BP22's vote interval): RAFT_2 drifts, up rewrites it", async () => {
  const file = c.dbFile(HOST_OF.BP22, "dpc_bp_raft", "BP22", "dmarch.ini");
  let before = "";
  await editOnHost(c, HOST_OF.BP22, file, (t) => {
    before = t;
    return t.replace(/^(\s*RAFT_VOTE_INTERVAL\s*=\s*)\d+/m, "$19999");
  });

  await expectDrift({ RAFT_2: /write \S+\/bp22\/DAMENG\/dmarch\.ini/ });
  await expectRepairedBy(["RAFT_2"], /RAFT_2 update .*write \S+\/bp22\/DAMENG\/dmarch\.ini .*\.\.\. ok/);
  expect((await c.lab.exec(HOST_OF.BP22, `cat '${file}'`)).stdout).toBe(before);
});
