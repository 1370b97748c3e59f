/**
 * Every hostile string in every string field that has a rule: `check` must refuse exactly the
 * strings the rule forbids, naming the field, the value and the rule, and nothing may run on a
 * host. Many strings ride in one resource (array fields, dm.ini keys) or one topology, so each
 * field costs one engine run at most.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startLab, type Lab } from "../helpers/lab";
import { commandCount, decodedOutput, engine, findNamed, PASSWORD, writeProgram, type Resource } from "./harness";
import { accepts, CANARY_NAMES, hostile } from "./strings";

let lab: Lab;
let strings: string[];

beforeAll(async () => {
  lab = await startLab({ hosts: 1 });
  fs.mkdirSync(path.join(lab.dir, "c"));
  strings = hostile(path.join(lab.dir, "c"));
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

interface Field {
  /** The part of the output that speaks of string i (default: all of it). */
  scope?: (out: string, i: number) => string;
  /** Failure path of string i, e.g. `members[3].ip`. */
  at: (i: number) => string;
  /** The value string i becomes in that field. */
  value: (s: string) => string;
  accepted: (v: string) => boolean;
}

/**
 * Runs `up` on the resources; for every field and string, a refusal names path, value and rule
 * exactly when the rule forbids the value. Returns the output, and proves no command ran.
 */
async function expectRefusals(name: string, resources: Resource[], fields: Record<string, Field>, list: readonly string[] = strings): Promise<string> {
  const before = commandCount(lab);
  const r = await engine(lab, writeProgram(lab, name, resources), "up");
  expect(r.code).not.toBe(0);
  const out = decodedOutput(r);
  const wrong: string[] = [];
  for (const [label, f] of Object.entries(fields)) {
    list.forEach((s, i) => {
      const v = f.value(s);
      const text = f.scope ? f.scope(out, i) : out;
      const at = text.indexOf(`${f.at(i)}: `);
      const refused = at >= 0;
      if (refused === f.accepted(v)) wrong.push(`${label} ${JSON.stringify(v).slice(0, 60)}: ${refused ? "refused" : "accepted"}`);
      // The failure names the value (JSON) right after its rule.
      else if (refused && !text.slice(at, at + 400 + JSON.stringify(v).length).includes(`(got ${JSON.stringify(v)})`)) wrong.push(`${label} ${JSON.stringify(v).slice(0, 60)}: refusal does not show the value`);
    });
  }
  expect(wrong).toEqual([]);
  expect(commandCount(lab)).toBe(before);
  return out;
}

/** The check failure line the engine printed for the resource whose URN ends with `::name`. */
function failureOf(out: string, name: string): string {
  const lines = out.split("\n");
  const at = lines.findIndex((l) => l.startsWith("urn:") && l.endsWith(`::${name}`) && lines[lines.indexOf(l) - 1]?.startsWith("invalid inputs:"));
  return at > 0 ? lines[at - 1] : "";
}

const orEmpty = (rule: (s: string) => boolean) => (s: string) => s === "" || rule(s);

test("an instance's names, addresses, paths, dm home and description, as RAFT group members and MP logins", async () => {
  const h = lab.hosts[0];
  const group: Resource = {
    kind: "RaftGroup",
    name: "rg",
    args: {
      name: "RG",
      role: "BP",
      members: strings.map((s) => ({ name: s, mode: "BP", connection: { $host: 0 }, path: `${h.dataRoot}/${s}`, dbName: s, ip: s, ipExternal: s, portNum: 5237, apPortNum: 6001, dmHome: `/opt/${s}`, description: s })),
      mp: strings.map((s) => ({ name: s, connection: { $host: 0 }, ip: s, portNum: 5239, dmHome: `/opt/${s}` })),
      sysdbaPassword: { $secret: PASSWORD },
    },
  };
  const member = (f: string) => (i: number) => `members[${i}].${f}`;
  const login = (f: string) => (i: number) => `mp[${i}].${f}`;
  const same = (s: string) => s;
  await expectRefusals("refuse-members", [group], {
    "member name": { at: member("name"), value: same, accepted: accepts.instanceName },
    "member dbName": { at: member("dbName"), value: same, accepted: accepts.instanceName },
    "member ip": { at: member("ip"), value: same, accepted: accepts.address },
    "member ipExternal": { at: member("ipExternal"), value: same, accepted: orEmpty(accepts.address) },
    "member path": { at: member("path"), value: (s) => `${h.dataRoot}/${s}`, accepted: accepts.path },
    "member dmHome": { at: member("dmHome"), value: (s) => `/opt/${s}`, accepted: accepts.path },
    "member description": { at: member("description"), value: same, accepted: accepts.description },
    "MP login name": { at: login("name"), value: same, accepted: accepts.instanceName },
    "MP login ip": { at: login("ip"), value: same, accepted: accepts.address },
    "MP login dmHome": { at: login("dmHome"), value: (s) => `/opt/${s}`, accepted: accepts.path },
  });
}, 120_000);

test("dm.ini values and mp.ini hosts of Instances", async () => {
  const h = lab.hosts[0];
  // mp.ini names at most 9 MPs: 9 hosts per Instance; all dm.ini values in the first.
  const chunks = Array.from({ length: Math.ceil(strings.length / 9) }, (_x, k) => strings.slice(9 * k, 9 * k + 9));
  const instances: Resource[] = chunks.map((chunk, k) => ({
    kind: "Instance",
    name: `inst${k}`,
    args: {
      name: `I${k}`, mode: "BP", connection: { $host: 0 }, path: `${h.dataRoot}/i${k}`, ip: h.address, portNum: 5237, apPortNum: 6001, sysdbaPassword: { $secret: PASSWORD },
      dmIni: k === 0 ? Object.fromEntries(strings.map((s, i) => [`HOSTILE_${i}`, s])) : {},
      mpNodes: chunk.map((s, j) => ({ host: s, port: 20000 + j })),
    },
  }));
  await expectRefusals("refuse-instance", instances, {
    "dm.ini value": { scope: (out) => failureOf(out, "inst0"), at: (i) => `dmIni.HOSTILE_${i}`, value: (s) => s, accepted: accepts.iniValue },
    "mp.ini host": { scope: (out, i) => failureOf(out, `inst${Math.floor(i / 9)}`), at: (i) => `mpNodes[${i % 9}].host`, value: (s) => s, accepted: accepts.address },
  });
}, 120_000);

test("names and descriptions of RAFT groups, BP groups and fault domains, and the names they list", async () => {
  const h = lab.hosts[0];
  // DM names are case-insensitive: a second "null" after "NULL" would be refused as a duplicate.
  const list = strings.filter((s, i) => strings.findIndex((x) => x.toUpperCase() === s.toUpperCase()) === i);
  const cluster: Resource = {
    kind: "DpcCluster",
    name: "topo",
    args: {
      sysdbaPassword: PASSWORD,
      instances: [
        { name: "MP", mode: "MP", connection: { $host: 0 }, ip: h.address, path: `${h.dataRoot}/mp`, portNum: 5239, apPortNum: 6003 },
        ...list.map((s, i) => ({ name: s, mode: "BP", connection: { $host: 0 }, ip: h.address, path: `${h.dataRoot}/b${i}`, portNum: 30000 + 2 * i, apPortNum: 30001 + 2 * i, description: s })),
      ],
      rafts: list.map((s) => ({ name: s, role: "BP", members: [s] })),
      bpGroups: list.map((s) => ({ name: s, description: s, rafts: [s] })),
      faultDomains: list.map((s) => ({ name: s, description: s, instances: [s] })),
    },
  };
  const same = (s: string) => s;
  await expectRefusals("refuse-topology", [cluster], {
    "instance name": { at: (i) => `instances[${i + 1}].name`, value: same, accepted: accepts.instanceName },
    "instance description": { at: (i) => `instances[${i + 1}].description`, value: same, accepted: accepts.description },
    "RAFT group name": { at: (i) => `rafts[${i}].name`, value: same, accepted: accepts.catalogName },
    "RAFT group member": { at: (i) => `rafts[${i}].members[0]`, value: same, accepted: accepts.instanceName },
    "BP group name": { at: (i) => `bpGroups[${i}].name`, value: same, accepted: accepts.catalogName },
    "BP group description": { at: (i) => `bpGroups[${i}].description`, value: same, accepted: accepts.description },
    "BP group RAFT": { at: (i) => `bpGroups[${i}].rafts[0]`, value: same, accepted: accepts.catalogName },
    "fault domain name": { at: (i) => `faultDomains[${i}].name`, value: same, accepted: accepts.catalogName },
    "fault domain description": { at: (i) => `faultDomains[${i}].description`, value: same, accepted: accepts.description },
    "fault domain instance": { at: (i) => `faultDomains[${i}].instances[0]`, value: same, accepted: accepts.instanceName },
  }, list);
}, 120_000);

test("the SYSDBA password: refused ones never shown, accepted ones pass check", async () => {
  const h = lab.hosts[0];
  const before = commandCount(lab);
  // One fault domain per password (a password is one per resource); the MP does not exist, so
  // the accepted ones fail later, at the catalog read, and never at check.
  const resources: Resource[] = strings.map((s, i) => ({
    kind: "FaultDomain",
    name: `fd${i}`,
    args: { name: `FD_${i}`, instances: [], mp: [{ name: "MP", connection: { $host: 0 }, ip: h.address, portNum: 5999 }], sysdbaPassword: { $secret: s } },
  }));
  const r = await engine(lab, writeProgram(lab, "refuse-passwords", resources), "preview");
  const out = decodedOutput(r);
  expect(r.code).not.toBe(0);
  const wrong = strings.flatMap((s, i) => {
    const refused = failureOf(out, `fd${i}`).includes("sysdbaPassword: ");
    return refused === accepts.password(s) ? [`${JSON.stringify(s).slice(0, 60)}: ${refused ? "refused" : "accepted"}`] : [];
  });
  expect(wrong).toEqual([]);
  // Accepted ones were previewed as creates.
  expect(strings.filter((s, i) => accepts.password(s) && !out.includes(`dm:FaultDomain::fd${i}\n`)).length).toBe(0);
  expect(out).not.toMatch(/sysdbaPassword: [^\n]*\(got "(?!\[secret\])/);
  expect(commandCount(lab)).toBe(before);
  expect(await findNamed(lab.dir, CANARY_NAMES)).toEqual([]);
}, 120_000);
