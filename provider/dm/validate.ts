/**
 * `validate(kind, inputs, olds?)`: every problem at once, each naming the field path, the value
 * (secrets redacted) and the rule broken. Field rules come from schema.ts; the rules that span
 * fields or resources (names, ports, groups, fault domains) are here.
 */
import { z } from "zod";
import { formatPath, valueAt } from "../core/failures";
import { DEFAULTS, MAX_RAFT_MEMBERS } from "./defaults";
import {
  BpGroupSchema,
  DpcClusterSchema,
  FaultDomainSchema,
  INSTANCE_IMMUTABLE,
  INSTANCE_STATIC_PORTS,
  InstanceSchema,
  RaftGroupSchema,
} from "./schema";

export interface Failure {
  /** Dotted path into the inputs, e.g. `rafts[1].members[0]`. */
  readonly path: string;
  /** The offending value, `"[secret]"` for secret fields. */
  readonly value: unknown;
  readonly rule: string;
}

export type Kind = "Instance" | "RaftGroup" | "BpGroup" | "FaultDomain" | "DpcCluster";

const SCHEMAS = {
  Instance: InstanceSchema,
  RaftGroup: RaftGroupSchema,
  BpGroup: BpGroupSchema,
  FaultDomain: FaultDomainSchema,
  DpcCluster: DpcClusterSchema,
} as const;

export type Validated<K extends Kind> = { ok: true; value: z.output<(typeof SCHEMAS)[K]> } | { ok: false; failures: Failure[] };

class Failures {
  readonly list: Failure[] = [];
  constructor(private readonly root: unknown) {}
  add(path: ReadonlyArray<PropertyKey>, rule: string): void {
    this.list.push({ path: formatPath(path), value: valueAt(this.root, path), rule });
  }
  fromZod(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): void {
    for (const issue of error.issues) this.add([...prefix, ...issue.path], issue.message);
  }
}

/** Message for humans: one line per failure. */
export function describeFailures(failures: readonly Failure[]): string {
  return failures.map((f) => `${f.path}: ${f.rule} (got ${JSON.stringify(f.value)})`).join("\n");
}

export function validate<K extends Kind>(kind: K, inputs: unknown, olds?: unknown): Validated<K> {
  const f = new Failures(inputs);
  const parsed = SCHEMAS[kind].safeParse(inputs);
  if (!parsed.success) f.fromZod(parsed.error);
  const raw = (inputs ?? {}) as Record<string, unknown>;
  switch (kind) {
    case "Instance":
      checkInstance(f, parsed.success ? (parsed.data as z.output<typeof InstanceSchema>) : undefined, olds);
      break;
    case "RaftGroup":
      checkRaftGroup(f, raw);
      break;
    case "BpGroup":
      checkDuplicates(f, listAt(raw, "rafts"), ["rafts"], "a RAFT group is listed once");
      break;
    case "FaultDomain":
      checkDuplicates(f, listAt(raw, "instances"), ["instances"], "an instance is listed once");
      break;
    case "DpcCluster":
      checkTopology(f, raw);
      break;
  }
  if (f.list.length > 0 || !parsed.success) return { ok: false, failures: f.list };
  return { ok: true, value: parsed.data as z.output<(typeof SCHEMAS)[K]> };
}

function listAt(raw: Record<string, unknown>, key: string): unknown[] {
  const v = raw[key];
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** DM folds unquoted identifiers to upper case, so names collide regardless of case. */
function nameKey(v: unknown): string | undefined {
  return typeof v === "string" ? v.toUpperCase() : undefined;
}

function checkDuplicates(f: Failures, items: unknown[], path: PropertyKey[], rule: string, key: (x: unknown) => unknown = nameKey): void {
  const seen = new Map<unknown, number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined) f.add([...path, i], `${rule} (same as ${formatPath([...path, first])})`);
    else seen.set(k, i);
  });
}

interface PortUse {
  host: string;
  port: number;
  path: PropertyKey[];
  what: string;
}

/** Ports an instance-like object binds, keyed by the host it runs on. */
function portsOf(x: Record<string, unknown>, path: PropertyKey[], defaultsPortNum = true): PortUse[] {
  const host = str((x.connection as Record<string, unknown> | undefined)?.host);
  if (!host) return [];
  const uses: PortUse[] = [];
  const portNum = typeof x.portNum === "number" ? x.portNum : defaultsPortNum ? 5236 : undefined;
  if (portNum !== undefined) uses.push({ host, port: portNum, path: [...path, "portNum"], what: "port_num" });
  if (typeof x.apPortNum === "number") uses.push({ host, port: x.apPortNum, path: [...path, "apPortNum"], what: "ap_port_num" });
  if (x.mode === "MP") {
    const mp = typeof x.mpPort === "number" ? x.mpPort : 9000;
    uses.push({ host, port: mp, path: [...path, "mpPort"], what: "mp_port" });
  }
  return uses;
}

function checkPortCollisions(f: Failures, uses: PortUse[]): void {
  const seen = new Map<string, PortUse>();
  for (const u of uses) {
    const k = `${u.host}\0${u.port}`;
    const first = seen.get(k);
    if (first) f.add(u.path, `port ${u.port} (${u.what}) is already used on host ${u.host} by ${formatPath(first.path)} (${first.what})`);
    else seen.set(k, u);
  }
}

/**
 * One database directory per instance: two instances on one host with the same path and dbName
 * would be one database (and share everything kept beside it).
 */
function checkSharedDirectories(f: Failures, items: unknown[], path: PropertyKey[]): void {
  const dirKey = (x: unknown): string | undefined => {
    if (!x || typeof x !== "object") return undefined;
    const o = x as Record<string, unknown>;
    const host = str((o.connection as Record<string, unknown> | undefined)?.host);
    const p = str(o.path);
    if (!host || !p) return undefined;
    return `${host}\0${p.replace(/\/+$/, "")}\0${(str(o.dbName) ?? DEFAULTS.dbName).toUpperCase()}`;
  };
  const seen = new Map<string, number>();
  items.forEach((x, i) => {
    const k = dirKey(x);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else {
      const o = x as Record<string, unknown>;
      f.add([...path, i, "path"], `instances on one host need their own database directory: ${String(o.path)}/${String(o.dbName ?? DEFAULTS.dbName)} on ${String((o.connection as Record<string, unknown>).host)} is already ${formatPath([...path, first])}'s (give one another path or dbName)`);
    }
  });
}

/** The seed: mp_port must not collide with the ap_port_num of any MP, SP or BP of the cluster. */
function checkMpPortsAgainstApPorts(f: Failures, uses: PortUse[]): void {
  const ap = new Map<number, PortUse>();
  for (const u of uses) if (u.what === "ap_port_num" && !ap.has(u.port)) ap.set(u.port, u);
  for (const u of uses) {
    const clash = u.what === "mp_port" ? ap.get(u.port) : undefined;
    if (clash && clash.host !== u.host) f.add(u.path, `mp_port ${u.port} collides with ap_port_num of ${formatPath(clash.path)} (the seed: mp_port must differ from every ap_port_num)`);
  }
}

function checkInstance(f: Failures, spec: z.output<typeof InstanceSchema> | undefined, olds: unknown): void {
  if (!spec) return;
  if (spec.mpPort !== undefined && spec.mode !== "MP") f.add(["mpPort"], "mpPort only applies to an MP instance");
  checkPortCollisions(f, portsOf(spec as unknown as Record<string, unknown>, []));
  spec.mpNodes.forEach((n, i) => {
    if (n.host === spec.ip && n.port === spec.apPortNum) f.add(["mpNodes", i, "port"], `mp_port ${n.port} collides with this instance's ap_port_num`);
    if (n.host === spec.ip && n.port === spec.portNum) f.add(["mpNodes", i, "port"], `mp_port ${n.port} collides with this instance's port_num`);
  });
  checkDuplicates(f, spec.mpNodes, ["mpNodes"], "an MP is listed once in mp.ini", (n) => {
    const x = n as { host: string; port: number };
    return `${x.host}:${x.port}`;
  });
  const old = olds === undefined ? undefined : InstanceSchema.safeParse(olds);
  if (old?.success) checkReplacement(f, old.data, spec);
}

/**
 * A change that replaces an instance (diffInstance) in a cluster that may be running: the old
 * database is stopped and a new one made, which DM's order allows only where nothing is lost.
 * - DPC_MODE never changes: the instance's group, registration and data all depend on it.
 * - An MP holds the catalog and a BP its RAFT group's rows; a new database would start empty
 *   under the registered name, so it is refused unless the old inputs said deleteData: true
 *   (the user gave that database up). An SP holds no user data: it is stopped (a clean SP exit
 *   is allowed at any time), made again and started.
 * - At the same path the new database needs the old one gone: deleteData: true first.
 */
function checkReplacement(f: Failures, old: z.output<typeof InstanceSchema>, spec: z.output<typeof InstanceSchema>): void {
  if (old.mode !== spec.mode) {
    f.add(["mode"], `DPC_MODE is fixed for the life of an instance (${old.mode} before): remove the instance (its RAFT group scales in) and add a new one under another name`);
    return;
  }
  const changed = (k: string) => JSON.stringify((old as Record<string, unknown>)[k]) !== JSON.stringify((spec as Record<string, unknown>)[k]);
  const replacing: string[] = [...INSTANCE_IMMUTABLE, ...INSTANCE_STATIC_PORTS].filter(changed);
  if (old.connection.host !== spec.connection.host) replacing.push("connection");
  if (replacing.length === 0 || old.deleteData) return;
  if (spec.mode !== "SP") {
    for (const key of replacing)
      f.add([key], `changing ${key} replaces the database (${JSON.stringify((old as Record<string, unknown>)[key])} before), and a ${spec.mode}'s ${spec.mode === "MP" ? "catalog" : "rows"} do not move to a new one: add a new instance under another name and remove this one (scale-out, then scale-in), or set deleteData: true first to give this database up`);
    return;
  }
  if (old.path === spec.path)
    for (const key of replacing.filter((k) => k !== "path" && k !== "connection"))
      f.add([key], `${key} is fixed when the database is created (${JSON.stringify((old as Record<string, unknown>)[key])} before); a new database at the same path needs the old one removed: set deleteData: true first, or choose a new path`);
}

/**
 * A group's size as DM8 counts it: every node, shadows included (shadows vote and commit like any
 * member, DMDPC的关键技术 §5.20), an odd number of at most 9 ("多副本系统总的节点个数必须为奇数",
 * DMDPC配置 §6.2), and shadows at most half of the nodes ("影子库的数量不能超过整个集群节点数量的一半").
 * `shadowsPath` names the field that lists the shadows (a topology's `shadows`, else the members).
 */
function groupSizeRule(f: Failures, path: PropertyKey[], total: number, shadows: number, shadowsPath: PropertyKey[] = path): void {
  if (total > MAX_RAFT_MEMBERS) f.add(path, `a RAFT group has at most ${MAX_RAFT_MEMBERS} nodes, shadow replicas included (got ${total})`);
  else if (total > 1 && total % 2 === 0) f.add(path, `a multi-replica RAFT group has an odd number of nodes, shadow replicas included (got ${total})`);
  if (shadows > Math.floor(total / 2))
    f.add(shadowsPath, `shadow replicas are at most half of a RAFT group's nodes (got ${shadows} of ${total}): a shadow holds no data files, so a group needs more RAFT replicas than shadows`);
}

function checkRaftGroup(f: Failures, raw: Record<string, unknown>): void {
  const role = str(raw.role);
  const members = listAt(raw, "members") as Record<string, unknown>[];
  if (role === "MP" && raw.name !== "MP_RAFT") f.add(["name"], "the MP RAFT group is named MP_RAFT");
  members.forEach((m, i) => {
    if (role && m && typeof m === "object" && m.mode !== undefined && m.mode !== role)
      f.add(["members", i, "mode"], `a ${String(m.mode)} instance cannot be a member of a ${role} RAFT group`);
  });
  checkDuplicates(f, members.map((m) => m?.name), ["members"], "an instance is a member once");
  const shadows = members.filter((m) => m && typeof m === "object" && m.shadow === true).length;
  groupSizeRule(f, ["members"], members.length, shadows);
  if (role === "SP" && members.length > 1) f.add(["members"], "an SP RAFT group holds one SP");
  if (role !== "MP" && listAt(raw, "mp").length === 0) f.add(["mp"], "an SP or BP group names the MP(s) to log into");
  checkPortCollisions(f, members.flatMap((m, i) => (m && typeof m === "object" ? portsOf(m, ["members", i]) : [])));
  checkSharedDirectories(f, members, ["members"]);
}

function checkTopology(f: Failures, raw: Record<string, unknown>): void {
  const instances = listAt(raw, "instances") as Record<string, unknown>[];
  const rafts = listAt(raw, "rafts") as Record<string, unknown>[];
  const bpGroups = listAt(raw, "bpGroups") as Record<string, unknown>[];
  const domains = listAt(raw, "faultDomains") as Record<string, unknown>[];

  checkDuplicates(f, instances.map((x) => x?.name), ["instances"], "instance names are unique in a cluster");
  checkDuplicates(f, rafts.map((x) => x?.name), ["rafts"], "RAFT group names are unique");
  rafts.forEach((r, i) => {
    if (nameKey(r?.name) === "MP_RAFT") f.add(["rafts", i, "name"], "MP_RAFT is the MP group's name; MP instances form it implicitly");
  });
  checkDuplicates(f, bpGroups.map((x) => x?.name), ["bpGroups"], "BP group names are unique");
  checkDuplicates(f, domains.map((x) => x?.name), ["faultDomains"], "fault domain names are unique");

  const byName = new Map<string, { i: number; mode: unknown }>();
  instances.forEach((x, i) => {
    const k = nameKey(x?.name);
    if (k && !byName.has(k)) byName.set(k, { i, mode: x.mode });
  });
  const uses = instances.flatMap((x, i) => (x && typeof x === "object" ? portsOf(x, ["instances", i]) : []));
  checkPortCollisions(f, uses);
  checkMpPortsAgainstApPorts(f, uses);
  checkSharedDirectories(f, instances, ["instances"]);
  instances.forEach((x, i) => {
    if (x && x.mpPort !== undefined && x.mode !== "MP") f.add(["instances", i, "mpPort"], "mpPort only applies to an MP instance");
  });

  const mps = instances.filter((x) => x?.mode === "MP");
  if (mps.length === 0) f.add(["instances"], "a DMDPC cluster has at least one MP");
  const mpShadows = new Set((listAt(raw, "mpShadows") as unknown[]).map(nameKey));
  groupSizeRule(f, ["instances"], mps.length, mps.filter((x) => mpShadows.has(nameKey(x.name))).length, ["mpShadows"]);

  // which RAFT group each instance is in
  const raftOf = new Map<string, string>();
  for (const m of mps) if (nameKey(m.name)) raftOf.set(nameKey(m.name)!, "MP_RAFT");
  const raftRole = new Map<string, unknown>();
  rafts.forEach((r, i) => {
    const rname = nameKey(r?.name);
    if (!rname) return;
    raftRole.set(rname, r.role);
    const members = (Array.isArray(r.members) ? r.members : []) as unknown[];
    const shadows = new Set(((Array.isArray(r.shadows) ? r.shadows : []) as unknown[]).map(nameKey));
    members.forEach((m, j) => {
      const k = nameKey(m);
      if (!k) return;
      const inst = byName.get(k);
      if (!inst) return f.add(["rafts", i, "members", j], "names no instance of this cluster");
      if (inst.mode !== r.role) f.add(["rafts", i, "members", j], `a ${String(inst.mode)} instance cannot be a member of a ${String(r.role)} RAFT group`);
      const prev = raftOf.get(k);
      if (prev) f.add(["rafts", i, "members", j], `the instance is already in RAFT group ${prev}`);
      else raftOf.set(k, rname);
    });
    checkDuplicates(f, members, ["rafts", i, "members"], "an instance is a member once");
    ((Array.isArray(r.shadows) ? r.shadows : []) as unknown[]).forEach((s, j) => {
      if (!members.some((m) => nameKey(m) === nameKey(s))) f.add(["rafts", i, "shadows", j], "a shadow replica is one of the group's members");
    });
    groupSizeRule(f, ["rafts", i, "members"], members.length, members.filter((m) => shadows.has(nameKey(m))).length, ["rafts", i, "shadows"]);
    if (r.role === "SP" && members.length > 1) f.add(["rafts", i, "members"], "an SP RAFT group holds one SP");
  });
  instances.forEach((x, i) => {
    const k = nameKey(x?.name);
    if (k && x.mode !== "MP" && !raftOf.has(k)) f.add(["instances", i], `the ${String(x.mode)} instance is in no RAFT group`);
  });

  const raftInBpGroup = new Map<string, string>();
  bpGroups.forEach((g, i) => {
    const list = (Array.isArray(g?.rafts) ? g.rafts : []) as unknown[];
    list.forEach((r, j) => {
      const k = nameKey(r);
      if (!k) return;
      if (!raftRole.has(k)) return f.add(["bpGroups", i, "rafts", j], "names no RAFT group of this cluster");
      if (raftRole.get(k) !== "BP") return f.add(["bpGroups", i, "rafts", j], `a BP group holds BP RAFT groups only (this one is ${String(raftRole.get(k))})`);
      const prev = raftInBpGroup.get(k);
      if (prev) f.add(["bpGroups", i, "rafts", j], `the RAFT group is already in BP group ${prev}`);
      else raftInBpGroup.set(k, String(g.name));
    });
  });

  const domainOf = new Map<string, string>();
  domains.forEach((d, i) => {
    const list = (Array.isArray(d?.instances) ? d.instances : []) as unknown[];
    const raftsHere = new Map<string, number>();
    list.forEach((n, j) => {
      const k = nameKey(n);
      if (!k) return;
      const inst = byName.get(k);
      if (!inst) return f.add(["faultDomains", i, "instances", j], "names no instance of this cluster");
      if (inst.mode === "SP") return f.add(["faultDomains", i, "instances", j], "an SP cannot be in a fault domain (MP and BP only)");
      const prev = domainOf.get(k);
      if (prev) f.add(["faultDomains", i, "instances", j], `the instance is already in fault domain ${prev}`);
      else domainOf.set(k, String(d.name));
      const raft = raftOf.get(k);
      if (raft) {
        const other = raftsHere.get(raft);
        if (other !== undefined) f.add(["faultDomains", i, "instances", j], `two members of RAFT group ${raft} in one fault domain (also ${String(list[other])})`);
        else raftsHere.set(raft, j);
      }
    });
  });
}
