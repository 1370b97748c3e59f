/** What examples/dpc-bp-raft (seed 7.2) must look like on a 4-host lab, checked from the outside. */
import { Cluster, EngineRun, mutating } from "./cluster";

export const EXAMPLE = "dpc-bp-raft";
export const RESOURCES = 18;
/** The example spreads its instances over the hosts in turn (examples/shared/hosts.ts placeOn). */
export const HOST_OF: Record<string, string> = {
  SP1: "host1", MP: "host2", BP11: "host3", BP12: "host4", BP13: "host1", BP21: "host2", BP22: "host3", BP23: "host4",
};
export const MP_HOST = "host2";
export const MP_PORT = 5237;

const EXPECTED_INSTANCES = [
  { name: "BP11", mode: "BP", raft: "RAFT_1", domain: "FDOM_1" },
  { name: "BP12", mode: "BP", raft: "RAFT_1", domain: "FDOM_2" },
  { name: "BP13", mode: "BP", raft: "RAFT_1", domain: "FDOM_3" },
  { name: "BP21", mode: "BP", raft: "RAFT_2", domain: "FDOM_1" },
  { name: "BP22", mode: "BP", raft: "RAFT_2", domain: "FDOM_2" },
  { name: "BP23", mode: "BP", raft: "RAFT_2", domain: "FDOM_3" },
  { name: "MP", mode: "MP", raft: "MP_RAFT", domain: "FDOM_1" },
  { name: "SP1", mode: "SP", raft: "RAFT_SP1", domain: null },
];

/** The catalog as seed 7.2 leaves it, every process running, each BP group with one leader. */
export async function expectSeed72(c: Cluster): Promise<void> {
  const cat = await c.catalog(MP_HOST, MP_PORT);
  expect(cat.instances.map(({ name, mode, raft, domain }) => ({ name, mode, raft, domain })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(EXPECTED_INSTANCES);
  expect(cat.rafts).toEqual(["MP_RAFT", "RAFT_1", "RAFT_2", "RAFT_SP1"]);
  expect(cat.bpGroups).toEqual({ BG_1: ["RAFT_1", "RAFT_2"] });
  expect(cat.domains).toEqual(["FDOM_1", "FDOM_2", "FDOM_3"]);
  for (const raft of ["RAFT_1", "RAFT_2"]) {
    const modes = cat.instances.filter((i) => i.raft === raft).map((i) => i.sysMode).sort();
    expect({ raft, modes }).toEqual({ raft, modes: ["PRIMARY", "STANDBY", "STANDBY"] });
  }
  expect(cat.instances.filter((i) => i.mode !== "BP").map((i) => `${i.name}:${i.sysMode}`).sort()).toEqual(["MP:NORMAL", "SP1:NORMAL"]);
  expect(await c.running()).toEqual(Object.keys(HOST_OF).sort());
}

/** A further up: all unchanged, no plan, and no command that changes anything on any host. */
export async function expectQuietUp(c: Cluster): Promise<void> {
  const mark = c.mark();
  const r = await c.up();
  expect({ code: r.code, errors: r.errors }).toEqual({ code: 0, errors: [] });
  expect(r.summary).toEqual({ create: 0, update: 0, delete: 0, replace: 0, same: RESOURCES });
  expect(r.providerLines.filter((l) => / plan: /.test(l))).toEqual([]);
  expect(mutating(c.commandsSince(mark))).toEqual([]);
}

/** Everything the run printed, for a failure message. */
export function transcript(r: EngineRun): string {
  return `exit ${r.code}\n${r.errors.join("\n")}\n${r.providerLines.slice(-40).join("\n")}\n${r.stderr.slice(-3000)}`;
}
