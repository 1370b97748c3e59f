/**
 * planRaftGroup: a RAFT group's catalog rows, its members' registration, the replica set-up of
 * a multi-replica group (seed 7.2.6–7.2.8, 7.3.3–7.3.7, 7.5) and its members' processes;
 * membership changes (the manual's learner procedure to add, stop + drop to remove) and the
 * stop order on delete (dmdpc.md rule 8).
 */
import { sh } from "../../core/quote/sh";
import { CatalogView, EMPTY_CATALOG, type Catalog, type CatalogInstance, type CatalogRaft } from "../catalog";
import { dminitCommand, files, type HostState } from "../commands";
import { DEFAULTS } from "../defaults";
import { parseDmarchIni, parseIni, renderDmarchIni, type LocalArchive } from "../ini";
import { PlanError, phase, targetOf, type Operation, type Phase, type Plan } from "../ops";
import type { MemberSpec, MpLogin, RaftGroupSpec } from "../schema";
import { SQL, registrationMode, type Registration } from "../sql";
import {
  backupOp,
  copyDirOp,
  loginOf,
  mkdirOp,
  restoreOps,
  setIniOp,
  sqlOp,
  startOp,
  stopOp,
  waitFollowingOp,
  waitLeaderOp,
  waitStoppedOp,
  writeOp,
} from "./common";

export interface RaftGroupActual {
  /** The MP catalog; null when it could not be read (MP down). */
  readonly catalog: Catalog | null;
  /** Host state of every desired member and of every member being removed, by name. */
  readonly members: Readonly<Record<string, HostState>>;
  /** The MP that answered the catalog read (the one to log into), when known. */
  readonly loginVia?: string;
}

export interface RaftGroupPlanOptions {
  /** The group's create: an unreadable catalog means an empty one (nothing registered yet). */
  readonly fresh?: boolean;
  /** The previous inputs: where members that are being removed live. */
  readonly olds?: RaftGroupSpec;
}

/** The dm.ini keys of a multi-replica member (seed 7.2.7.2, 7.3.6.3). */
const RAFT_DM_INI = { ARCH_INI: 1, ALTER_MODE_STATUS: 0 } as const;
/** The seeding member's first start needs archiving on, with a LOCAL archive only (7.2.6). */
const FIRST_START_DM_INI = { ARCH_INI: 1 } as const;

class GroupPlanner {
  readonly res: string;
  readonly multi: boolean;
  readonly cat: CatalogView;
  readonly raftRow: CatalogRaft | undefined;
  readonly ids: Map<string, number>;

  constructor(
    readonly spec: RaftGroupSpec,
    readonly actual: RaftGroupActual,
    catalog: Catalog,
    readonly olds?: RaftGroupSpec,
  ) {
    this.res = `dm.RaftGroup ${spec.name}`;
    this.multi = spec.members.length > 1;
    this.cat = new CatalogView(catalog);
    this.raftRow = spec.role === "MP" ? (this.cat.raftById(0) ?? this.cat.raft(DEFAULTS.mpRaftName)) : this.cat.raft(spec.name);
    this.ids = this.assignIds();
  }

  host(m: { name: string }): HostState {
    const hs = this.actual.members[m.name];
    if (!hs) throw new PlanError(this.res, `the state of member ${m.name}'s host was not read`);
    return hs;
  }
  running(m: { name: string }): boolean {
    return this.host(m).pids.length > 0;
  }
  dmIniValues(m: MemberSpec): Record<string, string> {
    const text = this.host(m).dmIni;
    if (text === null) throw new PlanError(this.res, `member ${m.name} has no database at ${files.dbDir(m)} (its dm.Instance creates it first)`);
    return parseIni(text).global;
  }
  selfIdOnDisk(m: { name: string }): number | null {
    const text = this.host(m).dmarchIni;
    return text === null ? null : parseDmarchIni(text).selfId;
  }

  /** Self ids stay what the members' dmarch.ini say; new members take the smallest free ids. */
  assignIds(): Map<string, number> {
    const ids = new Map<string, number>();
    if (!this.multi) return ids;
    const used = new Set<number>();
    for (const m of this.spec.members) {
      const id = this.selfIdOnDisk(m);
      if (id !== null && id >= 1 && !used.has(id)) {
        ids.set(m.name, id);
        used.add(id);
      }
    }
    let next = 1;
    for (const m of this.spec.members) {
      if (ids.has(m.name)) continue;
      while (used.has(next)) next++;
      ids.set(m.name, next);
      used.add(next);
    }
    return ids;
  }

  id(m: { name: string }): number {
    return this.ids.get(m.name)!;
  }

  local(m: MemberSpec): LocalArchive {
    return { dest: files.archDir(m), fileSizeMb: this.spec.archive.fileSizeMb, spaceLimitMb: this.spec.archive.spaceLimitMb };
  }

  /** The full RAFT dmarch.ini of a member (seed 7.2.7.3): vote intervals 1500, 2000, 2500... by self id. */
  dmarch(m: MemberSpec, learner = false): string {
    const a = this.spec.archive;
    const id = this.id(m);
    const peers = this.spec.members
      .filter((x) => x.name !== m.name)
      .map((x) => ({ name: x.name, id: this.id(x) }))
      .sort((x, y) => x.id - y.id);
    return renderDmarchIni(this.local(m), {
      selfId: id,
      voteInterval: a.voteIntervalBase + a.voteIntervalStep * (id - 1),
      xmalHbInterval: a.xmalHbInterval,
      raftHbInterval: a.raftHbInterval,
      peers,
      learner,
    });
  }

  dmarchIs(m: MemberSpec, wanted: string): boolean {
    const text = this.host(m).dmarchIni;
    return text !== null && JSON.stringify(parseIni(text)) === JSON.stringify(parseIni(wanted));
  }

  /** dm.ini keys to set, given what earlier steps of the same plan set (`applied`). */
  iniChanges(m: MemberSpec, wanted: Record<string, number>, applied: Record<string, number> = {}): Record<string, number> {
    const have: Record<string, string> = { ...this.dmIniValues(m), ...Object.fromEntries(Object.entries(applied).map(([k, v]) => [k, String(v)])) };
    return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => have[k] !== String(v)));
  }

  registration(m: MemberSpec): Registration {
    return {
      raft: this.spec.role === "MP" ? null : this.spec.name,
      name: m.name,
      mode: m.mode,
      apPort: m.apPortNum,
      port: m.portNum,
      ipInternal: m.ip,
      ipExternal: m.ipExternal ?? m.ip,
      ...registrationMode(this.spec.role, this.multi),
      description: m.description ?? DEFAULTS.description[this.spec.role],
    };
  }

  reg(m: { name: string }): CatalogInstance | undefined {
    const r = this.cat.instance(m.name);
    if (r && this.raftRow && r.raftId !== this.raftRow.id)
      throw new PlanError(this.res, `instance ${m.name} is registered in another RAFT group (id ${r.raftId}); remove it there first`);
    if (r && !this.raftRow && this.spec.role !== "MP")
      throw new PlanError(this.res, `instance ${m.name} is registered in RAFT group id ${r.raftId}, not ${this.spec.name}`);
    return r;
  }

  /** Where catalog changes are made: the MP that answered, else the first MP listed. */
  mpLogin(): MpLogin {
    const logins = this.spec.role === "MP" ? this.spec.members.map(loginOf) : this.spec.mp;
    if (logins.length === 0) throw new PlanError(this.res, "no MP to log into");
    if (this.spec.role === "MP" && this.raftRow) {
      const leader = this.cat.leaderOf(this.raftRow.id);
      const l = leader && logins.find((x) => x.name.toUpperCase() === leader.name.toUpperCase());
      if (l) return l;
    }
    return logins.find((l) => l.name === this.actual.loginVia) ?? logins[0];
  }

  allLogins(): MpLogin[] {
    return this.spec.role === "MP" ? this.spec.members.map(loginOf) : [...this.spec.mp];
  }

  password(): string {
    return this.spec.sysdbaPassword;
  }

  /** Members registered in this group that are no longer desired. */
  removed(): CatalogInstance[] {
    if (!this.raftRow) return [];
    const want = new Set(this.spec.members.map((m) => m.name.toUpperCase()));
    return this.cat.membersOf(this.raftRow.id).filter((i) => !want.has(i.name.toUpperCase()));
  }

  oldMember(name: string): MemberSpec {
    const m = this.olds?.members.find((x) => x.name.toUpperCase() === name.toUpperCase());
    if (!m) throw new PlanError(this.res, `instance ${name} is registered in this group but is neither desired nor in the previous inputs; remove it by hand`);
    return m;
  }

  leader(): MemberSpec | undefined {
    if (!this.raftRow) return undefined;
    const l = this.cat.leaderOf(this.raftRow.id);
    return l && [...this.spec.members, ...(this.olds?.members ?? [])].find((m) => m.name.toUpperCase() === l.name.toUpperCase());
  }

  // ---- plans -------------------------------------------------------------------------------

  plan(): Plan {
    return [...this.planRemovals(), ...(this.multi ? this.planMulti() : this.planSingle())];
  }

  planRemovals(): Plan {
    const removed = this.removed();
    if (removed.length === 0) return [];
    const leader = this.leader();
    const out: Phase[] = [];
    const olds = removed.map((r) => this.oldMember(r.name));
    const wasMulti = this.raftRow !== undefined && this.cat.membersOf(this.raftRow.id).length > 1;
    if (wasMulti) {
      if (leader && removed.some((r) => r.name.toUpperCase() === leader.name.toUpperCase()))
        throw new PlanError(this.res, `${leader.name} is the group's leader and cannot be removed; switch the leadership over first`);
      if (!leader) throw new PlanError(this.res, "the group has no elected leader; members cannot be removed online");
      if (!this.multi) throw new PlanError(this.res, "a multi-replica group cannot become a single replica in place; create a new group");
      const voting = this.spec.members.filter((m) => !m.shadow).map((m) => m.name);
      out.push(...phase("leave the RAFT group", [sqlOp(this.mpLogin(), this.password(), [SQL.alterRaftNode(voting)], `${olds.map((o) => o.name).join(", ")} no longer desired`)]));
    }
    out.push(...phase("stop removed members", olds.filter((o) => this.running(o)).map((o) => stopOp(o, "removed from the group"))));
    out.push(...phase("unregister removed members", [sqlOp(this.mpLogin(), this.password(), olds.map((o) => SQL.dropInstance(o.name)), "removed from the group")]));
    return out;
  }

  planSingle(): Plan {
    const m = this.spec.members[0];
    const reg = this.reg(m);
    const login = this.spec.role === "MP" ? loginOf(m) : this.mpLogin();
    const statements: string[] = [];
    if (this.spec.role !== "MP" && !this.raftRow) statements.push(SQL.createRaft(this.spec.role, this.spec.name));
    if (!reg) statements.push(SQL.createInstance(this.registration(m)));
    else statements.push(...this.modifyStatements(m, reg));
    const register = phase(`register ${this.spec.name}`, statements.length ? [sqlOp(login, this.password(), statements, reg ? "registration differs from the inputs" : `${m.name} is not registered in the MP`)] : []);
    const start = phase(`start ${this.spec.name}`, this.running(m) ? [] : [startOp(m, reg ? "not running" : "registered; first start")]);
    // The MP is started before anything can be registered in it (rule 1, 3); SP/BP register first (rule 4).
    return this.spec.role === "MP" ? [...start, ...register] : [...register, ...start];
  }

  modifyStatements(m: MemberSpec, reg: CatalogInstance): string[] {
    const ext = m.ipExternal ?? m.ip;
    const diff = reg.apPort !== m.apPortNum || reg.port !== m.portNum || reg.ipInternal !== m.ip || (reg.ipExternal !== ext && ext !== "");
    if (!diff) return [];
    return [SQL.modifyInstance(m.name, reg.ipInternal === m.ip ? "" : m.ip, reg.ipExternal === ext ? "" : ext, reg.apPort === m.apPortNum ? "" : m.apPortNum, reg.port === m.portNum ? "" : m.portNum)];
  }

  planMulti(): Plan {
    const members = this.spec.members;
    const leader = this.leader();
    const configured = members.filter((m) => this.selfIdOnDisk(m) !== null);
    if (!leader && configured.length > 0 && configured.length === members.length && members.every((m) => this.dmarchIs(m, this.dmarch(m))))
      return this.planStartConfigured();
    if (!leader) return this.planSeed();
    return this.planEstablished(leader);
  }

  /** Configured but no leader recorded: start every member with MOUNT and wait for the election. */
  planStartConfigured(): Plan {
    const stopped = this.spec.members.filter((m) => !this.running(m));
    const ini = this.raftIniOps(this.spec.members);
    if (stopped.length === 0) return phase(`configure ${this.spec.name}`, ini);
    return [
      ...phase(`configure ${this.spec.name}`, ini),
      ...phase(`start ${this.spec.name}`, stopped.map((m) => startOp(m, "configured RAFT member not running", true))),
      ...phase(`elect ${this.spec.name}`, [waitLeaderOp(this.spec.members[0], this.allLogins(), this.password(), this.spec.members.map((m) => m.name), "the group elects its leader after a MOUNT start")]),
    ];
  }

  /** dmdpc.md rule 6: the whole seeding of a new multi-replica group. */
  planSeed(): Plan {
    const [first, ...others] = this.spec.members;
    const isMp = this.spec.role === "MP";
    const pw = this.password();
    const out: Phase[] = [];
    const unregistered = this.spec.members.filter((m) => !this.reg(m));
    const registerStatements = [
      ...(!isMp && !this.raftRow ? [SQL.createRaft(this.spec.role, this.spec.name)] : []),
      ...unregistered.map((m) => SQL.createInstance(this.registration(m))),
    ];
    const registerOp = (login: MpLogin) =>
      registerStatements.length ? [sqlOp(login, pw, registerStatements, `${unregistered.map((m) => m.name).join(", ")} not registered in the MP`)] : [];
    // rule 4: SP/BP register before any first start
    if (!isMp) out.push(...phase(`register ${this.spec.name}`, registerOp(this.mpLogin())));

    const prep: Operation[] = [];
    const firstIni = this.iniChanges(first, FIRST_START_DM_INI);
    if (Object.keys(firstIni).length) prep.push(setIniOp(first, "dm.ini", firstIni, "archiving must be on for the seeding start (seed 7.2.6 / 7.3.3)"));
    prep.push(mkdirOp(first, files.archDir(first), "the LOCAL archive's directory"));
    const localOnly = renderDmarchIni(this.local(first));
    if (!this.dmarchIs(first, localOnly)) prep.push(writeOp(first, files.dmarchIni(first), localOnly, "LOCAL archive only, so that no RAFT election starts early (seed 7.2.6)"));
    out.push(...phase(`prepare ${first.name}`, prep));
    if (!this.running(first)) out.push(...phase(`first start of ${first.name}`, [startOp(first, "opens the database once before it is backed up")]));
    // rule 3: the MP logged into (the first, now running) registers itself first, then its peers
    if (isMp) out.push(...phase(`register ${this.spec.name}`, registerOp(loginOf(first))));

    const stops = [first, ...others].filter((m) => m === first || this.running(m)).map((m) => stopOp(m, m === first ? "an offline backup needs the database closed" : "replicas are restored offline"));
    out.push(...phase(`stop ${this.spec.name} for seeding`, stops));
    out.push(...phase(`back up ${first.name}`, [backupOp(first, DEFAULTS.seedBackupName, "seed data for the other replicas (seed 7.2.7.1)")]));
    const setOnFirst = files.backupSet(first, DEFAULTS.seedBackupName);
    const firstTarget = targetOf(first.connection);
    const restore: Operation[] = [];
    for (const m of others) {
      let set = setOnFirst;
      if (targetOf(m.connection).connKey !== firstTarget.connKey) {
        set = files.backupSet(m, DEFAULTS.seedBackupName);
        restore.push(copyDirOp(first, setOnFirst, m, set, `${m.name} is on another host than ${first.name}`));
      }
      restore.push(...restoreOps(m, set, `replica of ${first.name}'s data${m.shadow ? " as a shadow replica (seed 7.5)" : ""}`, { toShadow: m.shadow }));
    }
    out.push(...phase(`restore replicas of ${this.spec.name}`, restore));

    const configure: Operation[] = [];
    for (const m of this.spec.members) {
      const changes = this.iniChanges(m, RAFT_DM_INI, m === first ? firstIni : {});
      if (Object.keys(changes).length) configure.push(setIniOp(m, "dm.ini", changes, "multi-replica member (seed 7.2.7.2)"));
      if (m !== first) configure.push(mkdirOp(m, files.archDir(m), "the LOCAL archive's directory"));
      configure.push(writeOp(m, files.dmarchIni(m), this.dmarch(m), `RAFT self id ${this.id(m)}, ${this.spec.members.length - 1} peers (seed 7.2.7.3)`));
    }
    out.push(...phase(`configure ${this.spec.name}`, configure));
    out.push(...phase(`start ${this.spec.name}`, this.spec.members.map((m) => startOp(m, "all members start with MOUNT and elect a leader (seed 7.2.8)", true))));
    out.push(...phase(`elect ${this.spec.name}`, [waitLeaderOp(first, this.allLogins(), pw, this.spec.members.map((m) => m.name), "the group is usable once it has a leader")]));
    return out;
  }

  /** An elected group: add new replicas (learner procedure), convert members between RAFT and
   *  shadow replica (seed 7.5.2), fix configs, start stopped members. */
  planEstablished(leader: MemberSpec): Plan {
    const joining = this.spec.members.filter((m) => this.selfIdOnDisk(m) === null || (!this.reg(m) && m !== leader));
    const converting = this.converting().filter((m) => !joining.includes(m));
    if (converting.length > 0) this.refuseUnsafeConversion(converting, leader, joining);
    const out: Phase[] = [];
    for (const m of joining)
      if (m.shadow) throw new PlanError(this.res, `${m.name}: shadow replicas cannot be added to a running group (manual); re-create the group`);
    // Every newcomer is registered before any starts: a learner's dmarch.ini names the others, and DM
    // resolves each ARCH_DEST in the MP catalog at start.
    const unregistered = joining.filter((m) => !this.reg(m));
    if (unregistered.length)
      out.push(...phase(`register ${unregistered.map((m) => m.name).join(", ")}`, [sqlOp(this.mpLogin(), this.password(), unregistered.map((m) => SQL.createInstance(this.registration(m))), "new replicas")]));
    for (const m of joining) out.push(...this.planJoin(m, leader));
    // The voting membership changes once every learner follows: DM takes an odd voter count only.
    if (joining.length > 0) {
      out.push(
        ...phase(`wait for ${joining.map((m) => m.name).join(", ")}`, [
          waitFollowingOp(leader, this.allLogins(), this.password(), joining.map((m) => m.name), "a learner votes only once it follows the leader"),
        ]),
      );
      const voting = this.spec.members.filter((x) => !x.shadow).map((x) => x.name);
      out.push(...phase(`vote in ${this.spec.name}`, [sqlOp(this.mpLogin(), this.password(), [SQL.alterRaftNode(voting)], `${joining.map((m) => m.name).join(", ")} caught up: voting members`)]));
      for (const m of joining) out.push(...phase(`finish ${m.name}`, [writeOp(m, files.dmarchIni(m), this.dmarch(m), "a full member now (no RAFT_LEARNER)")]));
    }
    for (const m of converting) out.push(...this.planConvert(m, leader));
    if (converting.length > 0) {
      // A shadow never votes: the voting list is the desired non-shadow members (it may have been
      // set by an earlier SP_ALTER_RAFT_NODE and would still name the converted members).
      const voting = this.spec.members.filter((x) => !x.shadow).map((x) => x.name);
      out.push(...phase(`vote in ${this.spec.name}`, [sqlOp(this.mpLogin(), this.password(), [SQL.alterRaftNode(voting)], `${converting.map((m) => `${m.name} is now a ${m.shadow ? "shadow" : "RAFT"} replica`).join(", ")}: voting members`)]));
    }
    const joiningNames = new Set([...joining, ...converting].map((m) => m.name));
    const steady = this.spec.members.filter((m) => !joiningNames.has(m.name));
    out.push(
      ...phase(`configure ${this.spec.name}`, [
        ...this.raftIniOps(steady),
        ...steady.filter((m) => !this.dmarchIs(m, this.dmarch(m))).map((m) => writeOp(m, files.dmarchIni(m), this.dmarch(m), "dmarch.ini differs (read at the next start)")),
      ]),
    );
    out.push(...phase(`start ${this.spec.name}`, steady.filter((m) => !this.running(m)).map((m) => startOp(m, "member not running", true))));
    return out;
  }

  /** A configured member's dm.ini keys of a multi-replica group, put back if changed by hand:
   *  a member started with ARCH_INI = 0 would not archive for its peers. */
  raftIniOps(members: readonly MemberSpec[]): Operation[] {
    return members.flatMap((m) => {
      const changes = this.iniChanges(m, RAFT_DM_INI);
      const keys = Object.keys(changes);
      return keys.length ? [setIniOp(m, "dm.ini", changes, `multi-replica member's dm.ini differs: ${keys.join(", ")} (read at the next start)`)] : [];
    });
  }

  /**
   * What a member is now: V$GLOBAL_RAFT_INFO's IS_SHADOW when the view lists it (what the running
   * database says), else the previous inputs (the member is down, or the view is not readable).
   */
  shadowNow(m: MemberSpec): boolean | undefined {
    const row = this.cat.catalog.raftInfo?.find((r) => String(r.INST_NAME ?? "").toUpperCase() === m.name.toUpperCase());
    if (row && row.IS_SHADOW !== undefined && row.IS_SHADOW !== null && String(row.IS_SHADOW).trim() !== "") return String(row.IS_SHADOW).trim() === "1";
    return this.olds?.members.find((x) => x.name.toUpperCase() === m.name.toUpperCase())?.shadow;
  }

  /** Members whose desired `shadow` differs from what they are. */
  converting(): MemberSpec[] {
    return this.spec.members.filter((m) => {
      const now = this.shadowNow(m);
      return now !== undefined && now !== m.shadow;
    });
  }

  /** What the manual's 7.5.2 does not cover safely is refused before anything stops. */
  refuseUnsafeConversion(converting: readonly MemberSpec[], leader: MemberSpec, joining: readonly MemberSpec[]): void {
    const names = converting.map((m) => m.name).join(", ");
    if (converting.includes(leader))
      throw new PlanError(this.res, `${leader.name} is the group's leader and cannot be converted between RAFT and shadow replica (it exits and is rebuilt from the leader's backup); switch the leadership over to another member first`);
    const voting = this.spec.members.filter((m) => !m.shadow).length;
    if (voting < 3 || voting % 2 === 0)
      throw new PlanError(this.res, `converting ${names} would leave ${voting} voting member(s); a group keeps an odd number of at least 3 voting members while a member is rebuilt (convert two at once, or add a member first)`);
    const down = this.spec.members.filter((m) => !converting.includes(m) && !this.running(m));
    if (down.length > 0)
      throw new PlanError(this.res, `${down.map((m) => m.name).join(", ")} not running: converting ${names} (which exits while it is rebuilt) waits until every other member is up; run \`pulumi up\` again once they are`);
    if (joining.length > 0 || this.removed().length > 0)
      throw new PlanError(this.res, `${names} change between RAFT and shadow replica while members are added or removed: make one change at a time (membership first)`);
  }

  /**
   * Seed 7.5.2: the member exits alone (not exit all); its database directory is moved aside, never
   * overwritten; a new one is made with the same parameters, name, IP and ports (so no peer's
   * configuration changes) and keeps the old dm.ini and mp.ini (the dm.Instance's next read still
   * matches); an online backup of the leader (SHADOW for a shadow replica) is restored into it,
   * recovered, given a new DB_MAGIC; it starts and follows the leader.
   */
  planConvert(m: MemberSpec, leader: MemberSpec): Plan {
    const pw = this.password();
    const to = m.shadow ? "shadow" : "RAFT";
    const dir = files.dbDir(m);
    const aside = `${dir}.replaced-`;
    const d = dminitCommand({ ...m, sysdbaPassword: pw });
    const reinit: Operation = {
      ...targetOf(m.connection),
      kind: "reinit",
      describe: `mv ${dir} ${aside}<UTC time>; dminit PATH=${m.path} DB_NAME=${m.dbName} INSTANCE_NAME=${m.name} PORT_NUM=${m.portNum} AP_PORT_NUM=${m.apPortNum} DPC_MODE=${m.mode} PAGE_SIZE=${m.pageSize} (CONTROL file, SYSDBA_PWD not shown); dm.ini and mp.ini kept from the old directory`,
      // The stamp is taken on the host, so the plan stays the same text; a clash (same second) fails.
      command:
        sh`set -e; old=${aside}"$(date -u +%Y%m%dT%H%M%SZ)"; [ ! -e "$old" ]; mv ${dir} "$old"; ` +
        `( ${d.command} ); ` +
        sh`cp "$old"/dm.ini ${files.dmIni(m)}; if [ -f "$old"/mp.ini ]; then cp "$old"/mp.ini ${files.mpIni(m)}; fi; echo "old database kept at $old"`,
      stdin: d.stdin,
      reason: `becomes a ${to} replica (seed 7.5.2): a new database in the same place; the old one is kept aside, not overwritten`,
      timeoutMs: 600_000,
    };
    const out: Phase[] = [
      ...phase(`exit ${m.name}`, this.running(m) ? [stopOp(m, `exits alone to become a ${to} replica (seed 7.5.2: not exit all)`)] : []),
      ...phase(`re-initialise ${m.name}`, [
        reinit,
        mkdirOp(m, files.archDir(m), "the LOCAL archive's directory"),
        writeOp(m, files.dmarchIni(m), this.dmarch(m), `same RAFT self id ${this.id(m)} and peers: no other member's configuration changes`),
      ]),
    ];
    const name = `BACKUP_CONVERT_${m.name}`;
    const set = files.backupSet(leader, name);
    out.push(
      ...phase(`online backup of ${leader.name}`, [
        { ...targetOf(leader.connection), kind: "remove", describe: `rm -rf ${set}`, command: sh`rm -rf ${set}`, reason: "a fresh backup set", timeoutMs: 60_000 },
        sqlOp(loginOf(leader), pw, [SQL.onlineBackup(set, m.shadow)], `seed data for ${m.name}${m.shadow ? " (SHADOW: it restores as a shadow replica)" : " (normal: it restores as a RAFT replica)"}`),
      ]),
    );
    const restore: Operation[] = [];
    let from = set;
    if (targetOf(m.connection).connKey !== targetOf(leader.connection).connKey) {
      from = files.backupSet(m, name);
      restore.push(copyDirOp(leader, set, m, from, `${m.name} is on another host than ${leader.name}`));
    }
    restore.push(...restoreOps(m, from, `${to} replica from the leader's online backup`, { online: true }));
    out.push(...phase(`restore ${m.name}`, restore));
    out.push(...phase(`start ${m.name}`, [startOp(m, `follows the leader as a ${to} replica`, true)]));
    out.push(...phase(`wait for ${m.name}`, [waitFollowingOp(leader, this.allLogins(), pw, [m.name], "the next member is converted only once this one follows")]));
    return out;
  }

  /** The manual's procedure for a replica joining a running group. */
  planJoin(m: MemberSpec, leader: MemberSpec): Plan {
    const pw = this.password();
    const out: Phase[] = [];
    const ini = this.iniChanges(m, RAFT_DM_INI);
    out.push(
      ...phase(`prepare ${m.name}`, [
        ...(Object.keys(ini).length ? [setIniOp(m, "dm.ini", ini, "multi-replica member")] : []),
        mkdirOp(m, files.archDir(m), "the LOCAL archive's directory"),
        writeOp(m, files.dmarchIni(m), this.dmarch(m, true), "joins as a learner first (RAFT_LEARNER = 1)"),
        ...(this.running(m) ? [stopOp(m, "restored offline")] : []),
      ]),
    );
    const name = `BACKUP_JOIN_${m.name}`;
    const set = files.backupSet(leader, name);
    out.push(
      ...phase(`online backup of ${leader.name}`, [
        { ...targetOf(leader.connection), kind: "remove", describe: `rm -rf ${set}`, command: sh`rm -rf ${set}`, reason: "a fresh backup set", timeoutMs: 60_000 },
        sqlOp(loginOf(leader), pw, [SQL.onlineBackup(set)], `seed data for ${m.name} from the leader`),
      ]),
    );
    const restore: Operation[] = [];
    let from = set;
    if (targetOf(m.connection).connKey !== targetOf(leader.connection).connKey) {
      from = files.backupSet(m, name);
      restore.push(copyDirOp(leader, set, m, from, `${m.name} is on another host than ${leader.name}`));
    }
    restore.push(...restoreOps(m, from, "new replica from an online backup", { online: true }));
    out.push(...phase(`restore ${m.name}`, restore));
    out.push(...phase(`start ${m.name}`, [startOp(m, "follows the leader as a learner", true)]));
    out.push(...phase(`add ${m.name} to ${this.spec.name}`, [sqlOp(this.mpLogin(), pw, [SQL.addRaftLearner(m.name)], "follows the leader as a learner")]));
    return out;
  }
}

export function planRaftGroup(spec: RaftGroupSpec, actual: RaftGroupActual, opts: RaftGroupPlanOptions = {}): Plan {
  const res = `dm.RaftGroup ${spec.name}`;
  let catalog = actual.catalog;
  if (catalog === null && opts.fresh) catalog = EMPTY_CATALOG;
  if (catalog === null) {
    if (spec.role !== "MP") throw new PlanError(res, "cannot read the MP catalog: is the MP group up?");
    // The MP catalog lives in the MPs: start them, and plan again once they answer.
    const stopped = spec.members.filter((m) => (actual.members[m.name]?.pids.length ?? 0) === 0);
    const multi = spec.members.length > 1;
    return phase(`start ${spec.name}`, stopped.map((m) => startOp(m, "MP not running (the catalog is read once it answers)", multi && actual.members[m.name]?.dmarchIni != null && parseDmarchIni(actual.members[m.name]!.dmarchIni!).selfId !== null)));
  }
  return new GroupPlanner(spec, actual, catalog, opts.olds).plan();
}

/**
 * Delete (rule 8): SPs exit; a multi-replica group exits with `exit all` on one running member
 * (the leader when known) while the others are waited for; then, for SP and BP groups, the
 * members and the group leave the catalog. A BP group that held rows could not have left its BP
 * group (DM refuses SP_BP_GROUP_DEL_RAFT first, see bp-group.ts), so nothing is checked here.
 */
export function planRaftGroupDelete(spec: RaftGroupSpec, actual: RaftGroupActual): Plan {
  const res = `dm.RaftGroup ${spec.name}`;
  const cat = actual.catalog ? new CatalogView(actual.catalog) : undefined;
  const raftRow = spec.role === "MP" ? undefined : cat?.raft(spec.name);
  const running = spec.members.filter((m) => (actual.members[m.name]?.pids.length ?? 0) > 0);
  const stops: Operation[] = [];
  if (spec.members.length > 1 && running.length > 0) {
    const leaderRow = raftRow && cat?.leaderOf(raftRow.id);
    const leaderName = spec.role === "MP" ? cat?.catalog.instances.find((i) => i.raftId === 0 && i.sysMode === "PRIMARY")?.name : leaderRow?.name;
    const lead = running.find((m) => m.name.toUpperCase() === leaderName?.toUpperCase()) ?? running[0];
    stops.push(stopOp(lead, "exit all: the leader takes the whole group down in order (rule 8)", true));
    for (const m of running) if (m !== lead) stops.push(waitStoppedOp(m, `leaves with ${lead.name}'s exit all; a member that did not take part is stopped by the next step`));
  } else for (const m of running) stops.push(stopOp(m, "deleting the group"));
  const out: Phase[] = [...phase(`stop ${spec.name}`, stops)];
  if (spec.role !== "MP" && raftRow && cat) {
    const login = spec.mp[0];
    if (!login) throw new PlanError(res, "no MP to log into");
    const regs = cat.membersOf(raftRow.id);
    const statements = [...regs.map((r) => SQL.dropInstance(r.name)), spec.role === "BP" ? SQL.dropBpRaft(spec.name) : SQL.dropRaft(spec.name)];
    out.push(...phase(`unregister ${spec.name}`, [sqlOp(spec.mp.find((l) => l.name === actual.loginVia) ?? login, spec.sysdbaPassword, statements, "the group is deleted")]));
  }
  return out;
}
