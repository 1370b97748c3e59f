/**
 * A RAFT group as the planners see it: the desired spec beside what the catalog and the members'
 * hosts say, with the questions every procedure asks (who leads, which self ids, what a member's
 * dmarch.ini should be, where to log in, what a member's directory has held). The procedures
 * (seed, join, convert, remove, delete) are in their own modules and only read this view.
 */
import { CatalogView, type Catalog, type CatalogInstance, type CatalogRaft } from "../../catalog";
import { files, type HostState } from "../../commands";
import { DEFAULTS } from "../../defaults";
import { parseDmarchIni, parseIni, renderDmarchIni, type LocalArchive } from "../../ini";
import { PlanError } from "../../ops";
import type { MemberSpec, MpLogin, RaftGroupSpec } from "../../schema";
import { registrationMode, type Registration } from "../../sql";
import { loginOf } from "../common";

export interface RaftGroupActual {
  /** The MP catalog; null when it could not be read (MP down). */
  readonly catalog: Catalog | null;
  /** Host state of every desired member and of every member being removed, by name. */
  readonly members: Readonly<Record<string, HostState>>;
  /** The MP that answered the catalog read (the one to log into), when known. */
  readonly loginVia?: string;
}

/** The MPs a group logs into: an MP group its own members, the others the `mp` list. */
export function groupLogins(spec: RaftGroupSpec): MpLogin[] {
  return spec.role === "MP" ? spec.members.map(loginOf) : [...spec.mp];
}

/**
 * Where catalog changes are made, chosen once for every procedure: for the MP group its open
 * leader when the catalog names one (MP_RAFT is RAFT id 0); else the MP that answered the catalog read; else the first listed.
 */
export function chooseLogin(spec: RaftGroupSpec, cat: CatalogView | undefined, loginVia: string | undefined): MpLogin {
  const logins = groupLogins(spec);
  if (logins.length === 0) throw new PlanError(`dm.RaftGroup ${spec.name}`, "no MP to log into");
  const same = (a: string, b: string | undefined) => b !== undefined && a.toUpperCase() === b.toUpperCase();
  if (spec.role === "MP" && cat) {
    const leader = cat.leaderOf(0);
    const l = leader && logins.find((x) => same(x.name, leader.name));
    if (l) return l;
  }
  return logins.find((l) => same(l.name, loginVia)) ?? logins[0];
}

/**
 * What a member's directory proves about its past, which decides whether anything may be
 * restored over it:
 * - `configured`: its dmarch.ini holds a RAFT self id: it has been (or is being) this group's
 *   replica, so its data is the group's and is never restored over;
 * - `ran`: no RAFT configuration, but the database has been started (it runs, or DM's or the
 *   product's log of it exists): it may hold rows of its own;
 * - `blank`: never started since dminit: a restore loses nothing.
 */
export type MemberHistory = "configured" | "ran" | "blank";

export class GroupView {
  readonly res: string;
  readonly multi: boolean;
  readonly cat: CatalogView;
  readonly raftRow: CatalogRaft | undefined;
  readonly ids: Map<string, number>;

  constructor(
    readonly spec: RaftGroupSpec,
    readonly actual: RaftGroupActual,
    catalog: Catalog,
    readonly olds: RaftGroupSpec | undefined,
    /** Names this run's backup sets, so that no two runs or groups share a directory. */
    readonly runId: string,
  ) {
    this.res = `dm.RaftGroup ${spec.name}`;
    this.multi = spec.members.length > 1;
    this.cat = new CatalogView(catalog);
    this.raftRow = spec.role === "MP" ? (this.cat.raftById(0) ?? this.cat.raft(DEFAULTS.mpRaftName)) : this.cat.raft(spec.name);
    this.ids = this.assignIds();
  }

  fail(message: string): never {
    throw new PlanError(this.res, message);
  }

  host(m: { name: string }): HostState {
    const hs = this.actual.members[m.name];
    if (!hs) this.fail(`the state of member ${m.name}'s host was not read`);
    return hs;
  }
  running(m: { name: string }): boolean {
    return this.host(m).pids.length > 0;
  }
  dmIniValues(m: MemberSpec): Record<string, string> {
    const text = this.host(m).dmIni;
    if (text === null) this.fail(`member ${m.name} has no database at ${files.dbDir(m)} (its dm.Instance creates it first)`);
    return parseIni(text).global;
  }
  selfIdOnDisk(m: { name: string }): number | null {
    const text = this.host(m).dmarchIni;
    return text === null ? null : parseDmarchIni(text).selfId;
  }

  history(m: MemberSpec): MemberHistory {
    if (this.selfIdOnDisk(m) !== null) return "configured";
    const text = this.host(m).dmarchIni;
    if (text !== null && parseDmarchIni(text).peers.size > 0)
      this.fail(`${files.dmarchIni(m)} names RAFT peers but no RAFT_SELF_ID: the hosts cannot tell whether ${m.name} holds this group's data; check that file (a hand edit?) and put its RAFT_SELF_ID back`);
    return this.running(m) || this.host(m).ranBefore ? "ran" : "blank";
  }

  /** Self ids stay what the members' dmarch.ini say; new members take the smallest free ids. */
  private assignIds(): Map<string, number> {
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

  /**
   * The full RAFT dmarch.ini of a member (seed 7.2.7.3): vote intervals 1500, 2000, 2500... by
   * self id; its peers are the other desired members, or `among` (a group repaired while members
   * wait to join names only the members already in it).
   */
  dmarch(m: MemberSpec, opts: { learner?: boolean; among?: readonly MemberSpec[]; fellowLearners?: readonly MemberSpec[] } = {}): string {
    const a = this.spec.archive;
    const id = this.id(m);
    // A learner's file as the manual's examples write it (MGT §8.2.2): the replicas added with it
    // as ARCH_TYPE = LEARNER; for a BP also its XMAL and every peer's ARCH_DEST address.
    const fellows = new Set((opts.learner ? opts.fellowLearners ?? [] : []).map((x) => x.name));
    const addresses = !!opts.learner && this.spec.role === "BP";
    const peers = (opts.among ?? this.spec.members)
      .filter((x) => x.name !== m.name)
      .map((x) => ({ name: x.name, id: this.id(x), learner: fellows.has(x.name), ...(addresses ? { ip: x.ip, port: x.apPortNum } : {}) }))
      .sort((x, y) => x.id - y.id);
    return renderDmarchIni(this.local(m), {
      selfId: id,
      voteInterval: a.voteIntervalBase + a.voteIntervalStep * (id - 1),
      xmalHbInterval: a.xmalHbInterval,
      raftHbInterval: a.raftHbInterval,
      peers,
      learner: opts.learner ?? false,
      ...(addresses ? { xmal: { ip: m.ip, port: m.apPortNum } } : {}),
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
    if (r && this.raftRow && r.raftId !== this.raftRow.id) this.fail(`instance ${m.name} is registered in another RAFT group (id ${r.raftId}); remove it there first`);
    if (r && !this.raftRow && this.spec.role !== "MP") this.fail(`instance ${m.name} is registered in RAFT group id ${r.raftId}, not ${this.spec.name}`);
    return r;
  }

  mpLogin(): MpLogin {
    return chooseLogin(this.spec, this.cat, this.actual.loginVia);
  }

  allLogins(): MpLogin[] {
    return groupLogins(this.spec);
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

  /**
   * Desired members that are not yet in the group: no RAFT self id on disk, or not registered
   * (the leader is registered whatever its file says). They join by the learner procedure.
   */
  newcomers(): MemberSpec[] {
    const leader = this.leader();
    return this.spec.members.filter((m) => this.selfIdOnDisk(m) === null || (!this.reg(m) && m !== leader));
  }

  oldMember(name: string): MemberSpec {
    const m = this.olds?.members.find((x) => x.name.toUpperCase() === name.toUpperCase());
    // After a failed update the state keeps the inputs last applied, so a join cut short after its
    // registration shows here (a refresh, or an up that gave the join up) as an unknown member.
    if (!m)
      this.fail(
        `instance ${name} is registered in this group but is in neither the inputs nor the previous ones: an \`up\` adding it was cut short ` +
          `(run \`pulumi up\` with it among the members again: the join goes on from what the hosts show), or it was registered by hand (remove it by hand)`,
      );
    return m;
  }

  leader(): MemberSpec | undefined {
    if (!this.raftRow) return undefined;
    const l = this.cat.leaderOf(this.raftRow.id);
    return l && [...this.spec.members, ...(this.olds?.members ?? [])].find((m) => m.name.toUpperCase() === l.name.toUpperCase());
  }

  /**
   * The group's configuration as SP_ALTER_RAFT_NODE takes it: every desired node, shadow replicas
   * included (DM8 DMDPC配置 §6.2.25: all nodes of the new configuration; shadows vote and commit
   * like any member, §5.20). Leaving a shadow out would remove it online, which DM refuses.
   */
  voting(): string[] {
    return this.spec.members.map((m) => m.name);
  }
}
