/**
 * The MP's DMDPC catalog and its procedures, with DM's refusals. Pure data: the MP process persists
 * it (dpc_catalog.json in its database directory) after every change.
 *
 * State after start (the seed only shows the catalog before any start; DM8 ch. 12 names 4 = OPEN):
 * SYS_STATUS 6 = not running (as registered and after any exit), 3 = MOUNT, 4 = OPEN.
 * STATUS keeps what was registered until an instance runs: 1 once valid (a single replica open, or a
 * multi-replica member that joined an elected leader), 0 while an unelected STANDBY, and 2 after an
 * SP exits cleanly. SYS_MODE becomes PRIMARY / STANDBY after an election; NORMAL stays NORMAL.
 */
import { DmError, ERR, sqlError } from "../errors";

export type Value = string | number | null;

export interface InstanceRow {
  raftId: number;
  instId: number;
  name: string;
  dpcMode: string;
  xmalPort: number;
  instPort: number;
  ipInternal: string;
  sysMode: string;
  sysStatus: number;
  status: number;
  description: string | null;
  ipExternal: string | null;
  domainId: number | null;
  learner?: boolean;
  /** DEST_ID given to SP_ADD_RAFT_LEARNER: the RAFT self id the learner must present. */
  learnerId?: number;
}

export interface RaftRow {
  raftId: number;
  dpcMode: string;
  name: string;
  /** The configuration set by SP_ALTER_RAFT_NODE; absent: every member that is no learner (shadows included). */
  voters?: string[];
}

export interface BpGroupRow {
  id: number;
  name: string;
  description: string | null;
  rafts: number[];
}

export interface DomainRow {
  id: number;
  name: string;
  description: string | null;
}

/** What a running member last reported about its replication role (V$GLOBAL_RAFT_INFO). */
export interface RaftMemberInfo {
  selfId: number;
  role: string;
  term: number;
  leader: string | null;
  shadow: boolean;
}

export interface CatalogData {
  version: number;
  instances: InstanceRow[];
  rafts: RaftRow[];
  groups: BpGroupRow[];
  domains: DomainRow[];
  nextInstId: number;
  nextRaftId: number;
  nextGroupId: number;
  nextDomainId: number;
  raftInfo: Record<string, RaftMemberInfo>;
  /** User tables created through an SP and the BP RAFT groups holding their rows: what "a group
   * holding data" means to the scale-in procedures. Absent in catalogs written before it existed. */
  tables?: UserTable[];
  /** User tablespaces (DPC_TABLESPACE), each on one BP RAFT group (DM8 §8.3, §12.12). */
  tablespaces?: TablespaceRow[];
  nextTsId?: number;
}

export interface UserTable {
  name: string;
  raftIds: number[];
  tablespace?: string;
}

export interface TablespaceRow {
  id: number;
  name: string;
  raftId: number;
}

export function emptyCatalog(): CatalogData {
  return {
    version: 0, instances: [], rafts: [{ raftId: 0, dpcMode: "MP", name: "MP_RAFT" }], groups: [], domains: [],
    nextInstId: 4096, nextRaftId: 1, nextGroupId: 1, nextDomainId: 1, raftInfo: {}, tables: [],
  };
}

type ArgKind = "str" | "str?" | "int" | "int?" | "keep";

interface Procedure {
  args: ArgKind[];
  run(c: Catalog, a: Value[], self: string): void;
}

const fail = (err: DmError): never => {
  throw sqlError(err);
};

const eqName = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

export class Catalog {
  constructor(public data: CatalogData) {}

  instance(name: string): InstanceRow | undefined {
    return this.data.instances.find((i) => eqName(i.name, name));
  }
  raft(name: string): RaftRow | undefined {
    return this.data.rafts.find((r) => eqName(r.name, name));
  }
  raftById(id: number): RaftRow | undefined {
    return this.data.rafts.find((r) => r.raftId === id);
  }
  group(name: string): BpGroupRow | undefined {
    return this.data.groups.find((g) => eqName(g.name, name));
  }
  domain(name: string): DomainRow | undefined {
    return this.data.domains.find((d) => eqName(d.name, name));
  }
  members(raftId: number): InstanceRow[] {
    return this.data.instances.filter((i) => i.raftId === raftId);
  }
  tablesOn(raftId: number): UserTable[] {
    return (this.data.tables ?? []).filter((t) => t.raftIds.includes(raftId));
  }
  /** A member known as a shadow replica: what it last reported (V$GLOBAL_RAFT_INFO's source). */
  isShadow(name: string): boolean {
    return Object.entries(this.data.raftInfo).some(([n, r]) => eqName(n, name) && r.shadow);
  }
  /** The group's current configuration: SP_ALTER_RAFT_NODE's list, else every member that is no learner. */
  configuration(raftId: number): string[] {
    return this.raftById(raftId)?.voters ?? this.members(raftId).filter((m) => !m.learner).map((m) => m.name);
  }

  tablespace(name: string): TablespaceRow | undefined {
    return (this.data.tablespaces ?? []).find((t) => eqName(t.name, name));
  }

  /**
   * `CREATE TABLE` through an SP: "用户创建表之前必须先创建用户表空间，如果没有创建任何用户表空间则建表会报错"
   * (DM8 §8.3). The rows go to the tablespace's RAFT group: the one named, else the first user
   * tablespace (the lab's choice where DM would take the user's default).
   */
  createTable(name: string, tablespace?: string): void {
    checkName(name, 128);
    const tables = (this.data.tables ??= []);
    if (tables.some((t) => eqName(t.name, name))) fail(ERR.objectExists(name));
    const spaces = this.data.tablespaces ?? [];
    if (spaces.length === 0) fail(ERR.noUserTablespace());
    const ts = tablespace === undefined ? spaces[0] : (this.tablespace(tablespace) ?? fail(ERR.tablespaceNotFound(tablespace)));
    tables.push({ name, raftIds: [ts.raftId], tablespace: ts.name });
    this.data.version++;
  }

  /**
   * `CREATE TABLESPACE ... [STORAGE (ON raft|bp_group)]` (DM8 §8.3): on the RAFT group named, on
   * one of the BP group's RAFT groups, or with no STORAGE clause on one of the BP RAFT groups;
   * where DM picks at random the lab takes the first (lowest RAFT_ID) that has members.
   */
  createTablespace(name: string, storage?: string): void {
    checkName(name, 128);
    const spaces = (this.data.tablespaces ??= []);
    if (this.tablespace(name)) fail(ERR.objectExists(name));
    if (storage !== undefined && eqName(storage, name)) fail(ERR.objectExists(storage));
    const withMembers = (ids: number[]) => ids.filter((id) => this.raftById(id)?.dpcMode === "BP" && this.members(id).length > 0).sort((a, b) => a - b);
    let raftId: number | undefined;
    if (storage === undefined) raftId = withMembers(this.data.rafts.map((r) => r.raftId))[0];
    else if (this.raft(storage)) {
      const r = this.raft(storage)!;
      if (r.dpcMode !== "BP") fail(ERR.notBpRaft(r.name));
      raftId = r.raftId;
    } else if (this.group(storage)) raftId = withMembers(this.group(storage)!.rafts)[0];
    else fail(ERR.raftNotFound(storage));
    if (raftId === undefined) return fail(ERR.invalidSysState());
    this.data.nextTsId ??= 1;
    spaces.push({ id: this.data.nextTsId++, name, raftId });
    this.data.version++;
  }

  dropTablespace(name: string): void {
    const ts = this.tablespace(name) ?? fail(ERR.tablespaceNotFound(name));
    if ((this.data.tables ?? []).some((t) => t.tablespace !== undefined && eqName(t.tablespace, ts.name))) fail(ERR.tablespaceInUse(ts.name));
    this.data.tablespaces = (this.data.tablespaces ?? []).filter((t) => t !== ts);
    this.data.version++;
  }

  dropTable(name: string): void {
    const tables = this.data.tables ?? [];
    if (!tables.some((t) => eqName(t.name, name))) fail(ERR.invalidTable(name.toUpperCase()));
    this.data.tables = tables.filter((t) => !eqName(t.name, name));
    this.data.version++;
  }

  /** Runs a catalog procedure by name; `self` is the instance the session is logged into (the MP, or an SP handing it on). */
  call(name: string, args: Value[], self: string): void {
    const proc = PROCEDURES[name.toUpperCase()];
    if (!proc) fail(ERR.invalidProc(name.toUpperCase()));
    if (args.length !== proc.args.length) fail(ERR.argCount());
    const typed = args.map((v, i) => coerce(name.toUpperCase(), i + 1, proc.args[i], v));
    const registeringSelf = name.toUpperCase() === "SP_CREATE_DPC_INSTANCE" && typeof typed[1] === "string" && eqName(typed[1], self);
    if (!this.instance(self) && !registeringSelf) fail(ERR.selfNotRegistered(self));
    proc.run(this, typed, self);
    this.data.version++;
  }

  checkPorts(ip: string, ports: number[], except?: InstanceRow): void {
    if (ports.length === 2 && ports[0] === ports[1]) fail(ERR.portConflict(ip, ports[0]));
    for (const other of this.data.instances) {
      if (other === except || other.ipInternal !== ip) continue;
      for (const p of ports) if (p === other.xmalPort || p === other.instPort) fail(ERR.portConflict(ip, p));
    }
  }

  /** The runtime report of a running instance; returns false when nothing changed. */
  report(name: string, change: Partial<Pick<InstanceRow, "sysMode" | "sysStatus" | "status">>, raft?: RaftMemberInfo): boolean {
    const inst = this.instance(name);
    if (!inst) return false;
    const before = JSON.stringify([inst, this.data.raftInfo[inst.name]]);
    Object.assign(inst, change);
    if (raft) this.data.raftInfo[inst.name] = raft;
    const changed = before !== JSON.stringify([inst, this.data.raftInfo[inst.name]]);
    if (changed) this.data.version++;
    return changed;
  }

  /** A BP RAFT group can serve: single replica OPEN, or an elected PRIMARY that is OPEN. */
  raftAvailable(raftId: number): boolean {
    const members = this.members(raftId);
    if (members.length === 0) return false;
    if (members.length === 1) return members[0].sysStatus === 4;
    return members.some((m) => m.sysMode === "PRIMARY" && m.sysStatus === 4);
  }

  /**
   * Every BP RAFT group the SP uses is available: those in a BP group (a RAFT group outside every
   * BP group holds no data yet), or every BP RAFT group with members when no BP group has any.
   */
  bpAvailable(): boolean {
    const grouped = new Set(this.data.groups.flatMap((g) => g.rafts));
    const withMembers = this.data.rafts.filter((r) => r.dpcMode === "BP" && this.members(r.raftId).length > 0);
    const inGroups = withMembers.filter((r) => grouped.has(r.raftId));
    const bpRafts = inGroups.length > 0 ? inGroups : withMembers;
    return bpRafts.length > 0 && bpRafts.every((r) => this.raftAvailable(r.raftId));
  }
}

function coerce(proc: string, n: number, kind: ArgKind, v: Value): Value {
  if (kind === "keep") return v;
  const nullable = kind.endsWith("?");
  if (v === null) return nullable ? null : fail(ERR.argType(proc, n));
  if (kind.startsWith("int")) {
    if (typeof v === "number") return v;
    if (/^\s*-?\d+\s*$/.test(v)) return Number(v);
    return fail(ERR.argType(proc, n));
  }
  return String(v);
}

function str(v: Value): string {
  return v as string;
}

function keepOr<T>(v: Value, current: T, asInt: boolean, proc: string, n: number): T {
  if (v === null || v === "") return current;
  if (!asInt) return String(v) as unknown as T;
  if (typeof v === "number") return v as unknown as T;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) as unknown as T;
  return fail(ERR.argType(proc, n));
}

function checkName(n: string, max: number): void {
  if (n.length === 0 || n.length > max) fail(ERR.nameTooLong(n));
}

const PROCEDURES: Record<string, Procedure> = {
  SP_CREATE_DPC_INSTANCE: {
    args: ["str?", "str", "str", "int", "int", "str", "str?", "str", "int", "str?"],
    run(c, a) {
      const [raftName, name, modeRaw, xmal, port, ipi, ipe, sysModeRaw, status, desc] = a;
      const mode = str(modeRaw).toUpperCase();
      if (!["MP", "SP", "BP"].includes(mode)) fail(ERR.invalidMode(str(modeRaw)));
      const sysMode = str(sysModeRaw).toUpperCase();
      if (!["NORMAL", "STANDBY"].includes(sysMode)) fail(ERR.invalidSysMode(str(sysModeRaw)));
      checkName(str(name), 16);
      if (c.instance(str(name))) fail(ERR.instExists(str(name)));
      let raft: RaftRow | undefined;
      // For an MP the manual passes NULL (seed 7.3.4), 'MP_RAFT' or '' (§8.2.2.2.1).
      if (raftName === null || raftName === "" || eqName(str(raftName), "MP_RAFT")) {
        raft = c.raftById(0);
        if (mode !== "MP") fail(ERR.modeMismatch(str(name), "MP_RAFT"));
      } else {
        raft = c.raft(str(raftName));
        if (!raft) return fail(ERR.raftNotFound(str(raftName)));
        if (raft.dpcMode !== mode) fail(ERR.modeMismatch(str(name), raft.name));
        if (mode === "SP" && c.members(raft.raftId).length > 0) fail(ERR.spRaftFull(raft.name));
      }
      c.checkPorts(str(ipi), [xmal as number, port as number]);
      c.data.instances.push({
        raftId: raft!.raftId, instId: c.data.nextInstId++, name: str(name), dpcMode: mode, xmalPort: xmal as number,
        instPort: port as number, ipInternal: str(ipi), sysMode, sysStatus: 6, status: status as number,
        description: desc as string | null,
        // DM fills an empty external address with the internal one (the seed's 7.3 listing).
        ipExternal: ipe === null || ipe === "" ? str(ipi) : str(ipe), domainId: null,
      });
    },
  },
  SP_CREATE_DPC_RAFT: {
    args: ["str", "str"],
    run(c, a) {
      const mode = str(a[0]).toUpperCase();
      if (mode === "MP") fail(ERR.mpRaftImplicit());
      if (mode !== "BP" && mode !== "SP") fail(ERR.invalidMode(str(a[0])));
      checkName(str(a[1]), 128);
      if (c.raft(str(a[1]))) fail(ERR.raftExists(str(a[1])));
      c.data.rafts.push({ raftId: c.data.nextRaftId++, dpcMode: mode, name: str(a[1]) });
    },
  },
  SP_CREATE_DPC_BP_GROUP: {
    args: ["str", "str?"],
    run(c, a) {
      checkName(str(a[0]), 128);
      if (c.group(str(a[0]))) fail(ERR.groupExists(str(a[0])));
      c.data.groups.push({ id: c.data.nextGroupId++, name: str(a[0]), description: a[1] as string | null, rafts: [] });
    },
  },
  SP_BP_GROUP_ADD_RAFT: {
    args: ["str", "str"],
    run(c, a) {
      const g = c.group(str(a[0])) ?? fail(ERR.groupNotFound(str(a[0])));
      const r = c.raft(str(a[1])) ?? fail(ERR.raftNotFound(str(a[1])));
      if (r.dpcMode !== "BP") fail(ERR.notBpRaft(r.name));
      if (c.data.groups.some((x) => x.rafts.includes(r.raftId))) fail(ERR.raftAlreadyInGroup(r.name));
      g.rafts.push(r.raftId);
    },
  },
  SP_BP_GROUP_DEL_RAFT: {
    args: ["str", "str"],
    run(c, a) {
      const g = c.group(str(a[0])) ?? fail(ERR.groupNotFound(str(a[0])));
      const r = c.raft(str(a[1])) ?? fail(ERR.raftNotFound(str(a[1])));
      if (!g.rafts.includes(r.raftId)) fail(ERR.raftNotInGroup(r.name, g.name));
      // No data check here: the manual puts it on removing the group's instances (SP_DROP_DPC_INSTANCE).
      g.rafts = g.rafts.filter((x) => x !== r.raftId);
    },
  },
  SP_DROP_DPC_BP_GROUP: {
    args: ["str"],
    run(c, a) {
      const g = c.group(str(a[0])) ?? fail(ERR.groupNotFound(str(a[0])));
      if (g.rafts.length > 0) fail(ERR.groupHasRafts(g.name));
      c.data.groups = c.data.groups.filter((x) => x !== g);
    },
  },
  SP_CREATE_FAULT_DOMAIN: {
    args: ["str", "str?"],
    run(c, a) {
      checkName(str(a[0]), 128);
      if (c.domain(str(a[0]))) fail(ERR.domainExists(str(a[0])));
      c.data.domains.push({ id: c.data.nextDomainId++, name: str(a[0]), description: a[1] as string | null });
    },
  },
  SP_FAULT_DOMAIN_MV_INST: {
    args: ["str?", "str"],
    run(c, a) {
      const inst = c.instance(str(a[1])) ?? fail(ERR.instNotFound(str(a[1])));
      if (a[0] === null) {
        inst.domainId = null;
        return;
      }
      const d = c.domain(str(a[0])) ?? fail(ERR.domainNotFound(str(a[0])));
      if (inst.dpcMode === "SP") fail(ERR.spInDomain(inst.name));
      const peer = c.data.instances.find((i) => i !== inst && i.raftId === inst.raftId && i.domainId === d.id);
      if (peer) fail(ERR.sameRaftInDomain(inst.name, d.name));
      inst.domainId = d.id;
    },
  },
  SP_DROP_FAULT_DOMAIN: {
    args: ["str", "int"],
    run(c, a) {
      const d = c.domain(str(a[0])) ?? fail(ERR.domainNotFound(str(a[0])));
      const inside = c.data.instances.filter((i) => i.domainId === d.id);
      if (inside.length > 0 && a[1] === 0) fail(ERR.domainHasMembers(d.name));
      for (const i of inside) i.domainId = null;
      c.data.domains = c.data.domains.filter((x) => x !== d);
    },
  },
  SP_MODIFY_FAULT_DOMAIN: {
    args: ["int", "str?", "str?"],
    run(c, a) {
      const d = c.data.domains.find((x) => x.id === a[0]) ?? fail(ERR.domainNotFound(String(a[0])));
      if (a[1] !== null && a[1] !== "") {
        const other = c.domain(str(a[1]));
        if (other && other !== d) fail(ERR.domainExists(str(a[1])));
        d.name = str(a[1]);
      }
      if (a[2] !== null) d.description = str(a[2]);
    },
  },
  SP_DROP_DPC_INSTANCE: {
    args: ["str"],
    run(c, a, self) {
      const inst = c.instance(str(a[0])) ?? fail(ERR.instNotFound(str(a[0])));
      if (eqName(inst.name, self)) fail(ERR.dropSelf(self));
      // "只剩最后一个实例则不能删除" (DMDPC配置 §6.2.8) read with the manual's own scale-in (§8.2.1),
      // which drops a single-replica SP/BP group's only member: the rule holds for the MP group,
      // whose last member keeps the catalog.
      if (inst.raftId === 0 && c.members(0).length === 1) fail(ERR.lastInstance(inst.name));
      // "没有数据的 RAFT 组内节点才能删除" (DMDPC的关键技术 §5.10; §8.8.4.3.1.1: BP11 and BP12 cannot
      // be dropped while table objects use their RAFT_ID). A replica SP_ALTER_RAFT_NODE already took
      // out of the configuration is dropped (§8.2.2.1.2): the group keeps its data on the others.
      const raftRow = c.raftById(inst.raftId);
      const leftConfiguration = raftRow?.voters !== undefined && !raftRow.voters.some((v) => eqName(v, inst.name));
      if (!leftConfiguration && c.tablesOn(inst.raftId).length > 0) fail(ERR.raftHasData(inst.name, c.raftById(inst.raftId)?.name ?? String(inst.raftId)));
      if (inst.sysStatus !== 6) fail(ERR.instRunning(inst.name));
      c.data.instances = c.data.instances.filter((x) => x !== inst);
      delete c.data.raftInfo[inst.name];
      if (raftRow?.voters) raftRow.voters = raftRow.voters.filter((v) => !eqName(v, inst.name));
    },
  },
  SP_DROP_DPC_RAFT: { args: ["str"], run: dropRaft },
  SP_DROP_DPC_BP_RAFT: { args: ["str"], run: dropRaft },
  SP_MODIFY_DPC_INSTANCE: {
    args: ["str", "keep", "keep", "keep", "keep"],
    run(c, a) {
      const P = "SP_MODIFY_DPC_INSTANCE";
      const inst = c.instance(str(a[0])) ?? fail(ERR.instNotFound(str(a[0])));
      const ipi = keepOr(a[1], inst.ipInternal, false, P, 2);
      const ipe = keepOr(a[2], inst.ipExternal, false, P, 3);
      const xmal = keepOr(a[3], inst.xmalPort, true, P, 4);
      const port = keepOr(a[4], inst.instPort, true, P, 5);
      c.checkPorts(ipi, [xmal, port], inst);
      Object.assign(inst, { ipInternal: ipi, ipExternal: ipe, xmalPort: xmal, instPort: port });
    },
  },
  SP_RENAME_DPC_INSTANCE: {
    args: ["str", "str"],
    run(c, a, self) {
      const inst = c.instance(str(a[0])) ?? fail(ERR.instNotFound(str(a[0])));
      checkName(str(a[1]), 16);
      if (c.instance(str(a[1]))) fail(ERR.instExists(str(a[1])));
      if (inst.sysStatus !== 6 && !eqName(inst.name, self)) fail(ERR.instRunning(inst.name));
      const info = c.data.raftInfo[inst.name];
      delete c.data.raftInfo[inst.name];
      const raft = c.raftById(inst.raftId);
      if (raft?.voters) raft.voters = raft.voters.map((v) => (eqName(v, inst.name) ? str(a[1]) : v));
      inst.name = str(a[1]);
      if (info) c.data.raftInfo[inst.name] = info;
    },
  },
  // The vertical (replica) procedures, DMDPC配置 §6.2.23-6.2.25 and §8.2.2: run on the group's
  // leader (the MP leader for MP_RAFT, a BS-mode BP leader for a BP group; the server refuses other
  // nodes before the call reaches here); `self` is that leader.
  SP_ADD_RAFT_LEARNER: {
    args: ["str", "str", "int", "int"],
    run(c, a, self) {
      const inst = c.instance(str(a[0])) ?? fail(ERR.instNotFound(str(a[0])));
      const leader = groupLeader(c, inst.raftId, self);
      if (votingNodes(c, inst.raftId, leader).some((n) => eqName(n, inst.name))) fail(ERR.learnerIsMember(inst.name));
      if (a[1] !== inst.ipInternal || a[2] !== inst.xmalPort) fail(ERR.learnerAddress(inst.name, str(a[1]), Number(a[2])));
      const id = Number(a[3]);
      const clash = c.members(inst.raftId).find((m) => m !== inst && (c.data.raftInfo[m.name]?.selfId ?? m.learnerId) === id);
      if (id < 1 || clash) fail(ERR.learnerId(inst.name, id));
      inst.learner = true;
      inst.learnerId = id;
    },
  },
  SP_ALTER_RAFT_NODE: {
    args: ["str"],
    run(c, a, self) {
      const names = str(a[0]).split("/").map((s) => s.trim()).filter(Boolean);
      const insts = names.map((n) => c.instance(n) ?? fail(ERR.instNotFound(n)));
      if (names.length % 2 === 0 || names.length > 9) fail(ERR.raftSize(names.length));
      const raftId = insts[0].raftId;
      if (insts.some((i) => i.raftId !== raftId)) fail(ERR.modeMismatch(insts[0].name, c.raftById(raftId)!.name));
      const leader = groupLeader(c, raftId, self);
      if (!insts.includes(leader)) fail(ERR.notLeader());
      setVoters(c, raftId, insts);
    },
  },
  // The manual's alternative for removal (§8.2.2.1.2): the named nodes leave the configuration.
  SP_DELETE_RAFT_NODE: {
    args: ["str"],
    run(c, a, self) {
      const names = str(a[0]).split("/").map((s) => s.trim()).filter(Boolean);
      const gone = names.map((n) => c.instance(n) ?? fail(ERR.instNotFound(n)));
      // The group is the one this leader leads: a node of another group, or one not in the
      // current configuration (removed already, or never voted in), is no node to delete.
      const raftId = (c.instance(self) ?? fail(ERR.notLeader())).raftId;
      const leader = groupLeader(c, raftId, self);
      const other = gone.find((g) => g.raftId !== raftId);
      if (other) fail(ERR.modeMismatch(other.name, c.raftById(raftId)!.name));
      const current = c.configuration(raftId);
      const absent = gone.find((g) => !current.some((n) => eqName(n, g.name)));
      if (absent) fail(ERR.notRaftNode(absent.name, c.raftById(raftId)!.name));
      if (gone.includes(leader)) fail(ERR.notLeader());
      // Shadows are never removed online (§5.20), whatever count is left.
      const shadow = gone.find((g) => c.isShadow(g.name));
      if (shadow) fail(ERR.shadowOnline(shadow.name));
      const left = current.filter((n) => !gone.some((g) => eqName(g.name, n))).map((n) => c.instance(n)!);
      if (left.length % 2 === 0) fail(ERR.raftSize(left.length));
      setVoters(c, raftId, left);
    },
  },
};

/**
 * Where a catalog procedure may run besides the MP, which keeps the catalog (the instance hands it
 * to the MP): the horizontal scale-out and scale-in procedures on an SP ("既可以登录到 SP 上执行，
 * 也可以登录到 MP 上执行", DMDPC 集群的管理与使用 §8.2.1); the fault-domain ones on an SP or a BP
 * running in BS mode ("可在 MP、BS、SP 上执行，BP 报错", DMDPC配置 §6.2.41-6.2.44). Everything else
 * (the first deployment: "必须登录MP进行操作", DMDPC 集群部署 §7.1.4; renames, modifications) is the
 * MP's, and a plain BP refuses them all.
 */
const HORIZONTAL = [
  "SP_CREATE_DPC_INSTANCE",
  "SP_CREATE_DPC_RAFT",
  "SP_CREATE_DPC_BP_GROUP",
  "SP_BP_GROUP_ADD_RAFT",
  "SP_BP_GROUP_DEL_RAFT",
  "SP_DROP_DPC_BP_GROUP",
  "SP_DROP_DPC_INSTANCE",
  "SP_DROP_DPC_RAFT",
  "SP_DROP_DPC_BP_RAFT",
];
const FAULT_DOMAIN = ["SP_CREATE_FAULT_DOMAIN", "SP_FAULT_DOMAIN_MV_INST", "SP_DROP_FAULT_DOMAIN", "SP_MODIFY_FAULT_DOMAIN"];
const ELSEWHERE: Readonly<Record<string, ReadonlySet<string>>> = {
  SP: new Set([...HORIZONTAL, ...FAULT_DOMAIN]),
  BS: new Set(FAULT_DOMAIN),
};

/** Whether an instance started with `dpcMode` (dmserver's dpc_mode: SP, BP, BS) hands `proc` to the MP. */
export function runsThroughMp(dpcMode: string, proc: string): boolean {
  return ELSEWHERE[dpcMode.toUpperCase()]?.has(proc.toUpperCase()) ?? false;
}

/** The group's elected leader, which must be the node the procedure runs on. */
function groupLeader(c: Catalog, raftId: number, self: string): InstanceRow {
  const leader = c.members(raftId).find((m) => m.sysMode === "PRIMARY" && m.sysStatus === 4);
  if (!leader || !eqName(leader.name, self)) fail(ERR.notLeader());
  return leader!;
}

/**
 * The nodes that vote now, as the leader knows them: SP_ALTER_RAFT_NODE's list once the group was
 * altered. Before that the configuration is the leader's dmarch.ini, which the catalog does not
 * hold: the leader and the members following it that are no learners (a registered newcomer
 * does not follow until it is added).
 */
function votingNodes(c: Catalog, raftId: number, leader: InstanceRow): string[] {
  if (c.raftById(raftId)?.voters) return c.configuration(raftId);
  const following = c.members(raftId).filter((m) => !m.learner && c.data.raftInfo[m.name]?.role === "FOLLOWER" && eqName(c.data.raftInfo[m.name]?.leader ?? "", leader.name));
  return [leader.name, ...following.map((m) => m.name)];
}

/** The new configuration: learners in it vote once they follow the leader (they caught up from their backup). */
function setVoters(c: Catalog, raftId: number, insts: InstanceRow[]): void {
  // Shadows vote like every member and cannot be added or removed online (DMDPC的关键技术
  // §5.20): the new configuration keeps every shadow of the current one and adds none; at most
  // half of its nodes are shadows.
  const current = c.configuration(raftId);
  const listed = (n: string) => insts.some((i) => eqName(i.name, n));
  for (const n of current) if (c.isShadow(n) && !listed(n)) fail(ERR.shadowOnline(n));
  for (const i of insts) if (c.isShadow(i.name) && !current.some((n) => eqName(n, i.name))) fail(ERR.shadowOnline(i.name));
  const shadows = insts.filter((i) => c.isShadow(i.name)).length;
  if (shadows > Math.floor(insts.length / 2)) fail(ERR.shadowHalf(shadows, insts.length));
  for (const i of insts) if (i.learner && !(i.sysMode === "STANDBY" && i.sysStatus === 4)) fail(ERR.learnerNotFollowing(i.name));
  if (new Set(insts.map((i) => i.name)).size !== insts.length) fail(ERR.raftSize(insts.length));
  for (const i of insts) i.learner = false;
  c.raftById(raftId)!.voters = insts.map((i) => i.name);
}

/**
 * The vertical (replica) procedures: run on the leader of the group they change (DMDPC配置
 * §6.2.23-6.2.25 "需在当前多副本集群的主节点上执行"; for a BP group the leader in BS mode, DMDPC
 * 集群的管理与使用 §8.2.2). The server checks the node, then the catalog the arguments.
 */
export const LEADER_PROCEDURES: ReadonlySet<string> = new Set(["SP_ADD_RAFT_LEARNER", "SP_ALTER_RAFT_NODE", "SP_DELETE_RAFT_NODE"]);

/** A procedure's argument count, or undefined for an unknown name. */
export function procedureArity(name: string): number | undefined {
  return PROCEDURES[name.toUpperCase()]?.args.length;
}

function dropRaft(c: Catalog, a: Value[]): void {
  const r = c.raft(str(a[0])) ?? fail(ERR.raftNotFound(str(a[0])));
  if (r.raftId === 0) fail(ERR.mpRaftImplicit());
  // "删除 RAFT 组必须先删除组内包含的所有节点"; the data rule is on those instances. The manual's
  // scale-in (§8.2.1.1.2) drops the group while its BP group still lists it, then the BP group:
  // the RAFT group leaves its BP group with it.
  if (c.members(r.raftId).length > 0) fail(ERR.raftHasMembers(r.name));
  for (const g of c.data.groups) g.rafts = g.rafts.filter((x) => x !== r.raftId);
  c.data.rafts = c.data.rafts.filter((x) => x !== r);
}

export const PROCEDURE_NAMES = Object.keys(PROCEDURES);
