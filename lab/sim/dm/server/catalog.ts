/**
 * The MP's DMDPC catalog: look-ups, the user DDL it records, the runtime reports of running
 * instances, and the entry point of its procedures (procedures.ts, raft-procedures.ts).
 *
 * State after start (the seed only shows the catalog before any start; DM8 ch. 12 names 4 = OPEN):
 * SYS_STATUS 6 = not running (as registered and after any exit), 3 = MOUNT, 4 = OPEN.
 * STATUS keeps what was registered until an instance runs: 1 once valid (a single replica open, or a
 * multi-replica member that joined an elected leader), 0 while an unelected STANDBY, and 2 after an
 * SP exits cleanly. SYS_MODE becomes PRIMARY / STANDBY after an election; NORMAL stays NORMAL.
 */
import { ERR } from "../errors";
import type { InstanceRow, RaftMemberInfo, RaftRow, BpGroupRow, CatalogData, DomainRow, TablespaceRow, UserTable, Value } from "./catalog-data";
import { checkName, coerce, eqName, fail } from "./catalog-util";
import { PROCEDURES } from "./procedures";

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
