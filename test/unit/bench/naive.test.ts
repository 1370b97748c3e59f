/**
 * The bench's naive script is the seed's procedure built from the product's own planners: the
 * same database work as the provider, as one flat list of commands (no lab needed to check it).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LabJson } from "../../../lab/hosts/lab-json";
import { naiveCommands } from "../../../bench/naive";
import { topology } from "../../../bench/topologies";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-naive-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fakeLab(n: number): LabJson {
  const key = path.join(dir, "id");
  fs.writeFileSync(key, "not a key: never dialed here\n");
  return {
    dir,
    sshd: "embedded",
    hosts: Array.from({ length: n }, (_, i) => ({
      name: `host${i + 1}`,
      address: `127.0.10.${i + 1}`,
      port: 2200 + i,
      user: `lab${i + 1}`,
      privateKeyPath: key,
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOq0yTtqDkV3oE0zYbsp0K6bYpu3iE1nEa7jQJ3V2Q5L",
      commandLog: path.join(dir, `h${i}.log`),
      dmHome: "/opt/dm",
      ogHome: "/opt/og",
      obHome: "/opt/ob",
      dataRoot: `/data/host${i + 1}`,
      hostDir: path.join(dir, `host${i + 1}`),
    })),
  };
}

function kinds(ops: { kind: string; describe: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const op of ops) {
    const k = op.kind === "dmrman" ? `dmrman ${/backup|restore|UPDATE DB_MAGIC/.exec(op.describe)?.[0]}` : op.kind;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

test("seed 7.2: every step of the seed, once, in the seed's order", () => {
  const { ops } = naiveCommands("7.2", fakeLab(4));
  expect(kinds(ops)).toEqual({
    dminit: 8,
    "write-file": 8 + 2 * (1 + 3), // mp.ini per instance; per BP group the LOCAL-only dmarch.ini, then one per member
    "set-ini": 2 * (1 + 3), // ARCH_INI on the first member, then ARCH_INI / ALTER_MODE_STATUS on each member
    mkdir: 2 * 3, // each member's LOCAL archive directory
    start: 1 + 1 + 2 * (1 + 3), // MP, SP, per BP group the first start then three MOUNT starts
    stop: 2,
    "dmrman backup": 2,
    "copy-dir": 4, // every replica is on another host than its group's first member
    "dmrman restore": 4,
    "dmrman UPDATE DB_MAGIC": 4,
    remove: 2 * 3, // per BP group, its backup set on the first member's host and each copy, once restored
    "wait-leader": 2,
    sql: 1 + 2 + 1 + 1 + 3, // MP, BP groups, BP group object, SP, fault domains
  });
  const order = ops.map((o) => o.kind);
  // MP up and registered before any other registration (rules 1-3); SP/BP registered before their first start (rule 4).
  expect(order.indexOf("start")).toBeLessThan(order.indexOf("sql"));
  expect(ops.findIndex((o) => o.kind === "sql" && o.describe.includes("RAFT_1"))).toBeLessThan(ops.findIndex((o) => o.kind === "start" && o.describe.includes("BP11")));
  expect(ops.every((o) => !o.command.includes("Lab_Dameng_123"))).toBe(true);
});

test("64 instances: 1 MP, 3 SPs, 20 groups of 3 in distinct hosts and fault domains", () => {
  const lab = fakeLab(8);
  const t = topology("64", lab.hosts.map((h) => ({ ip: h.address, dataRoot: h.dataRoot, connection: h.name })));
  expect(t.instances).toHaveLength(64);
  for (const g of t.rafts.filter((r) => r.role === "BP")) {
    const at = g.members.map((m) => t.instances.find((i) => i.name === m)!.connection);
    expect(new Set(at).size).toBe(3);
    const domains = g.members.map((m) => t.faultDomains.findIndex((d) => d.instances.includes(m)));
    expect(new Set(domains).size).toBe(3);
  }
  const { ops } = naiveCommands("64", lab);
  expect(kinds(ops)).toMatchObject({ dminit: 64, "wait-leader": 20, stop: 20, "dmrman backup": 20, "dmrman restore": 40, "copy-dir": 40 });
});
