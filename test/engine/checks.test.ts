/**
 * Bad input through the engine: `up` of a DpcCluster program (test/engine/programs/dpc, its
 * topology from DPC_TOPOLOGY) is refused in check, each failure naming field, value and rule,
 * and not one command (nor SSH connection) reaches any host. The rules themselves are unit-tested
 * as pure functions in test/unit/dm/validate.test.ts; this is the proof that they stop a real run.
 * The DpcCluster checks the topology in the program; values only known as outputs (a secret
 * password) are checked by each resource's provider check.
 */
import { dpcProgram, labOf, type EngineRun, type Lab } from "../examples/helpers";

jest.setTimeout(300_000);

type Inst = { name: string; mode: "MP" | "SP" | "BP"; host: string; dir?: string; portNum: number; apPortNum: number; mpPort?: number; connectionExtra?: Record<string, unknown> };
interface Topology {
  sysdbaPassword: string;
  secretPassword?: boolean;
  instances: Inst[];
  rafts: { name: string; role: "SP" | "BP"; members: string[] }[];
  bpGroups: { name: string; rafts: string[] }[];
  faultDomains: { name: string; instances: string[] }[];
}

/** A valid seed-7.1-like cluster over two hosts; each case breaks one rule. */
function valid(): Topology {
  const i = (name: string, mode: Inst["mode"], host: string, portNum: number, apPortNum: number): Inst => ({ name, mode, host, dir: `checks/${name.toLowerCase()}`, portNum, apPortNum });
  return {
    sysdbaPassword: "Lab_Dameng_123",
    instances: [{ ...i("MP", "MP", "host1", 5239, 6003), mpPort: 9000 }, i("SP1", "SP", "host2", 5236, 6000), i("BP1", "BP", "host1", 5237, 6001), i("BP2", "BP", "host2", 5238, 6002)],
    rafts: [
      { name: "RAFT_1", role: "BP", members: ["BP1"] },
      { name: "RAFT_2", role: "BP", members: ["BP2"] },
      { name: "RAFT_SP1", role: "SP", members: ["SP1"] },
    ],
    bpGroups: [{ name: "BG_1", rafts: ["RAFT_1", "RAFT_2"] }],
    faultDomains: [{ name: "FDOM_1", instances: ["MP", "BP1", "BP2"] }],
  };
}

/** `n` more BPs on host2 (ports 5300+, 6300+), for groups of a given size. */
function bps(n: number): Inst[] {
  return Array.from({ length: n }, (_, k) => ({ name: `BPX${k + 1}`, mode: "BP" as const, host: "host2", dir: `checks/bpx${k + 1}`, portNum: 5300 + k, apPortNum: 6300 + k }));
}

let lab: Lab;
let addr1: string;

beforeAll(async () => {
  lab = await labOf(2);
  addr1 = lab.host("host1").address;
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

/** Every log line of every host (commands and SSH connections), to prove nothing reached them. */
const logSizes = () => lab.hosts.map((h) => lab.commandLog(h.name).length);

async function refused(t: Topology): Promise<string> {
  const before = logSizes();
  const r: EngineRun = await dpcProgram(lab, t).engine("up");
  expect(r.code).not.toBe(0);
  expect(r.events.filter((e) => e.step && /dynamic\/dm:/.test(e.step.type))).toEqual([]);
  expect(logSizes()).toEqual(before);
  // The JSON events escape quotes; the messages are easier to match without that.
  return r.out.replace(/\\"/g, '"');
}

test("the valid topology the cases start from passes check (preview)", async () => {
  const before = logSizes();
  const r = await dpcProgram(lab, valid()).engine("preview");
  expect({ code: r.code, tail: r.code === 0 ? "" : r.out.slice(-3000) }).toEqual({ code: 0, tail: "" });
  expect(r.summary).toMatchObject({ create: 12 });
  expect(logSizes()).toEqual(before);
});

test("an MP group of three on one host, each MP on its own mp_port, passes check (seed 7.3's layout)", async () => {
  const t = valid();
  const mp = (name: string, portNum: number, apPortNum: number, mpPort: number): Inst => ({ name, mode: "MP", host: "host1", dir: `checks/${name.toLowerCase()}`, portNum, apPortNum, mpPort });
  t.instances = [mp("MP1", 5239, 6003, 9000), mp("MP2", 5240, 6004, 9001), mp("MP3", 5241, 6005, 9002), ...t.instances.slice(1)];
  t.faultDomains = [{ name: "FDOM_1", instances: ["MP1", "BP1", "BP2"] }];
  const before = logSizes();
  const r = await dpcProgram(lab, t).engine("preview");
  expect({ code: r.code, tail: r.code === 0 ? "" : r.out.replace(/\\"/g, '"').slice(-3000) }).toEqual({ code: 0, tail: "" });
  expect(r.summary).toMatchObject({ create: 14 });
  expect(logSizes()).toEqual(before);
});

test("the cluster's own dependsOn holds back every child: a dependency that fails leaves every host untouched", async () => {
  // Children do not inherit a component's dependsOn, but @pulumi/pulumi registers a child only
  // once its parent's URN is known, and the component's registration waits for its dependsOn:
  // so every child is held back as long as each one is created with `parent: this`.
  const before = logSizes();
  const r = await dpcProgram(lab, { ...valid(), gateFailsAfterMs: 3000 }).engine("up");
  expect(r.code).not.toBe(0);
  expect(r.out).toContain("the gate stays closed");
  expect(r.events.filter((e) => e.step && /dynamic\/dm:/.test(e.step.type))).toEqual([]);
  expect(logSizes()).toEqual(before);
});

test("an instance name longer than 16 characters", async () => {
  const t = valid();
  t.instances[2].name = "BP_NAME_TOO_LONG_1";
  t.rafts[0].members = ["BP_NAME_TOO_LONG_1"];
  t.faultDomains[0].instances = ["MP", "BP_NAME_TOO_LONG_1", "BP2"];
  expect(await refused(t)).toContain('instances[2].name: an instance name has at most 16 characters (INSTANCE_NAME) (got "BP_NAME_TOO_LONG_1")');
});

test("a misspelt connection field (privatekey) is refused in check, naming the field, its value redacted", async () => {
  const t = valid();
  t.instances[2].connectionExtra = { privatekey: "-----BEGIN OPENSSH PRIVATE KEY----- not-a-key", prot: 22 };
  const out = await refused(t);
  expect(out).toMatch(/instances\[2\]\.connection: unknown field "privatekey" \(did you mean privateKey\?\); unknown field "prot" \(did you mean port\?\) \(got \{[^}]*"privatekey":"\[secret\]"/);
  expect(out).not.toContain("not-a-key");
});

test("two instances with one name", async () => {
  const t = valid();
  t.instances[3].name = "bp1";
  expect(await refused(t)).toContain('instances[3]: instance names are unique in a cluster (same as instances[2]) (got {');
});

test("two instances on one host with one port", async () => {
  const t = valid();
  t.instances[2].portNum = 5239;
  expect(await refused(t)).toContain(`instances[2].portNum: port 5239 (port_num) is already used on host ${addr1} by instances[0].portNum (port_num) (got 5239)`);
});

test("the MP's mp_port equal to an ap_port_num on its own host, and on another host", async () => {
  const t = valid();
  t.instances[0].mpPort = 6001;
  const same = await refused(t);
  expect(same).toContain(`instances[2].apPortNum: port 6001 (ap_port_num) is already used on host ${addr1} by instances[0].mpPort (mp_port) (got 6001)`);
  t.instances[0].mpPort = 6002;
  expect(await refused(t)).toContain("instances[0].mpPort: mp_port 6002 collides with ap_port_num of instances[3].apPortNum (the seed: mp_port must differ from every ap_port_num) (got 6002)");
});

test("an SP in a fault domain", async () => {
  const t = valid();
  t.faultDomains[0].instances = ["MP", "SP1"];
  expect(await refused(t)).toContain('faultDomains[0].instances[1]: an SP cannot be in a fault domain (MP and BP only) (got "SP1")');
});

test("two members of one RAFT group in one fault domain", async () => {
  const t = valid();
  t.instances.push(...bps(2));
  t.rafts[0].members = ["BP1", "BPX1", "BPX2"];
  t.faultDomains = [{ name: "FDOM_1", instances: ["MP", "BP1", "BPX1"] }];
  expect(await refused(t)).toContain('faultDomains[0].instances[2]: two members of RAFT group RAFT_1 in one fault domain (also BP1) (got "BPX1")');
});

test("a multi-replica group of even size", async () => {
  const t = valid();
  t.instances.push(...bps(1));
  t.rafts[0].members = ["BP1", "BPX1"];
  expect(await refused(t)).toContain('rafts[0].members: a multi-replica RAFT group has an odd number of nodes, shadow replicas included (got 2) (got ["BP1","BPX1"])');
});

test("a group of more than 9", async () => {
  const t = valid();
  t.instances.push(...bps(10));
  t.rafts[0].members = ["BP1", ...bps(10).map((b) => b.name)];
  expect(await refused(t)).toContain("rafts[0].members: a RAFT group has at most 9 nodes, shadow replicas included (got 11) (got [");
});

test("a BP in an SP group", async () => {
  const t = valid();
  t.rafts[2].members = ["SP1", "BP2"];
  const out = await refused(t);
  expect(out).toContain('rafts[2].members[1]: a BP instance cannot be a member of a SP RAFT group (got "BP2")');
});

test("a BP group naming an unknown RAFT group", async () => {
  const t = valid();
  t.bpGroups[0].rafts = ["RAFT_1", "RAFT_9"];
  expect(await refused(t)).toContain('bpGroups[0].rafts[1]: names no RAFT group of this cluster (got "RAFT_9")');
});

test("a SYSDBA password shorter than 9 characters, in the program; its value never shown", async () => {
  const t = valid();
  t.sysdbaPassword = "Short_1";
  const out = await refused(t);
  expect(out).toContain('sysdbaPassword: the SYSDBA password has 9 to 48 characters (got "[secret]")');
  expect(out).not.toContain("Short_1");
});

test("a SYSDBA password longer than 48 characters, passed as a secret: each resource's check refuses it", async () => {
  const t = valid();
  t.sysdbaPassword = `Long_${"x".repeat(44)}`;
  t.secretPassword = true;
  const out = await refused(t);
  // Refused by the provider's check of each resource, named by its URN.
  for (const name of ["MP", "SP1", "BP1", "BP2"])
    expect(out).toMatch(new RegExp(`"message":"invalid inputs: sysdbaPassword: the SYSDBA password has 9 to 48 characters \\(got "\\[secret\\]"\\)","urn":"urn:pulumi:[^:]+::dpc::dbcluster:dm:DpcCluster\\$pulumi-nodejs:dynamic/dm:Instance::dpc-${name}"`));
  expect(out).not.toContain(t.sysdbaPassword);
});
