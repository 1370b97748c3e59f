/**
 * Leader election of a multi-replica RAFT group over real TCP between the members' AP ports.
 * A member only votes for, or follows, a peer that shares its data lineage (restored from one
 * backup), has a different DB_MAGIC (RECOVER ... UPDATE DB_MAGIC done), a different
 * RAFT_VOTE_INTERVAL, and lists it under the id it claims (and vice versa). Shadow replicas hold no
 * data files but take part in elections and commits like every member (DM8 DMDPC的关键技术
 * §5.20): they vote and count in the majority; they never stand, having no data to serve.
 *
 * Online membership: a member started with RAFT_LEARNER = 1 never stands or votes; it asks the
 * peers its dmarch.ini lists to take it in (`raft_join`). The leader admits it once the MP catalog
 * lists it in the group (SP_ADD_RAFT_LEARNER) and it passes the peer checks above, then sends it
 * heartbeats. The leader's heartbeats carry the group's members and, once SP_ALTER_RAFT_NODE set
 * it, the voting list: every member adopts both without a restart (a learner listed as a voter
 * becomes one).
 */
import { Msg, request } from "../wire";
import { RaftPeer } from "./config";
import { newcomerMismatch, peerMismatch } from "./raft-checks";

export type Role = "FOLLOWER" | "CANDIDATE" | "LEADER";

export interface RaftOptions {
  group: string;
  self: RaftPeer;
  peers: RaftPeer[];
  voteInterval: number;
  hbInterval: number;
  lineage: string;
  dbMagic: number;
  shadow: boolean;
  /** RAFT_LEARNER = 1 in dmarch.ini. */
  learner: boolean;
  /** Restored from an online set without RECOVER ... FOR STANDBY: no multi-replica group takes it. */
  notStandby: boolean;
  /** The group's learners (with the DEST_ID SP_ADD_RAFT_LEARNER gave) and voting list in the catalog this instance sees (voters null: never altered). */
  membership(): { learners: { name: string; id?: number }[]; voters: string[] | null };
  resolve(name: string): { host: string; port: number } | undefined;
  log(level: "INFO" | "WARNING", msg: string): void;
  onChange(): void;
  /** Extra data the leader sends with each heartbeat (the MP catalog), and its receiver. */
  payload?(): unknown;
  onPayload?(p: unknown): void;
  onExitAll(): void;
}


export class RaftNode {
  role: Role = "FOLLOWER";
  term = 0;
  leader: string | null = null;
  /** A follower is valid (OPEN) once it has heard the current leader. */
  following = false;
  private votedFor: string | null = null;
  private lastHeard = Date.now();
  private timer?: NodeJS.Timeout;
  private hbTimer?: NodeJS.Timeout;
  readonly liveFollowers = new Map<string, { at: number; shadow: boolean }>();
  private complaints = new Set<string>();
  /** Members not in dmarch.ini: admitted learners (leader) or announced by the leader (others). */
  private extraPeers: RaftPeer[] = [];
  /** The voting list announced by the leader (or read from the catalog by it); null: every member that is no learner, shadows included. */
  private voters: string[] | null = null;
  private learnerPeers = new Set<string>();
  learner: boolean;
  private lastJoin = 0;
  stopped = false;

  constructor(readonly o: RaftOptions) {
    this.learner = o.learner;
  }

  /** dmarch.ini's peers and those taken in online. */
  peers(): RaftPeer[] {
    const own = new Set(this.o.peers.map((p) => p.name.toUpperCase()));
    return [...this.o.peers, ...this.extraPeers.filter((p) => !own.has(p.name.toUpperCase()))];
  }

  private isVoter(name: string): boolean {
    return this.voters === null || this.voters.some((v) => v.toUpperCase() === name.toUpperCase());
  }

  start(): void {
    this.o.log("INFO", `RAFT[${this.o.group}] self_id=${this.o.self.id}${this.o.shadow ? " (SHADOW)" : ""}${this.learner ? " (LEARNER)" : ""} waiting for election, vote interval ${this.o.voteInterval}ms`);
    this.timer = setInterval(() => this.tick(), Math.max(20, Math.floor(this.o.hbInterval / 2)));
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.hbTimer);
  }

  get valid(): boolean {
    return this.role === "LEADER" || (this.role === "FOLLOWER" && this.following);
  }

  private tick(): void {
    if (this.stopped || this.role === "LEADER") return;
    const silent = Date.now() - this.lastHeard >= this.o.voteInterval;
    if (!silent) return;
    if (this.learner && !this.o.shadow) {
      if (this.following) {
        this.following = false;
        this.leader = null;
        this.o.onChange();
      }
      if (Date.now() - this.lastJoin >= this.o.voteInterval) {
        this.lastJoin = Date.now();
        void this.join();
      }
      return;
    }
    if (this.o.shadow) {
      // A shadow votes but never stands (no data files to serve); it only stops counting as a
      // valid follower once the leader is silent.
      if (this.following) {
        this.following = false;
        this.leader = null;
        this.o.onChange();
      }
      return;
    }
    void this.elect();
  }

  private complain(key: string, msg: string): void {
    if (this.complaints.has(key)) return;
    this.complaints.add(key);
    this.o.log("WARNING", msg);
  }

  /** A learner asks the peers it knows to take it in; only the leader answers yes. */
  private async join(): Promise<void> {
    await Promise.all(
      this.o.peers.map(async (p) => {
        const addr = this.o.resolve(p.name);
        if (!addr) return;
        try {
          const r = await request(addr.host, addr.port, { op: "raft_join", ...this.ident() }, 1000);
          if (!r.ok && r.reason) this.complain(`join:${p.name}:${r.reason}`, `RAFT[${this.o.group}] ${p.name} 拒绝学习者加入: ${r.reason}`);
        } catch {
          /* not running */
        }
      }),
    );
  }

  /** Leader: what the catalog says now (the MP replicates changes to it without a restart). */
  private readMembership(): void {
    const { learners, voters } = this.o.membership();
    if (JSON.stringify(voters) !== JSON.stringify(this.voters)) {
      this.voters = voters;
      this.o.log("INFO", `RAFT[${this.o.group}] 投票成员: ${voters ? voters.join("/") : "全部"}`);
    }
    // Members neither voting nor learning any more are no longer sent heartbeats (removed online).
    const keep = new Set([...learners.map((l) => l.name), ...(voters ?? [])].map((n) => n.toUpperCase()));
    this.extraPeers = this.extraPeers.filter((p) => keep.has(p.name.toUpperCase()));
    // ... nor counted as live followers (the MP leader reports them as not running once they stop).
    const peers = new Set(this.peers().map((p) => p.name.toUpperCase()));
    let gone = false;
    for (const name of [...this.liveFollowers.keys()]) if (!peers.has(name.toUpperCase())) gone = this.liveFollowers.delete(name) || gone;
    if (gone) this.o.onChange();
  }

  /** Follower: the members and voting list the leader announces. */
  private adopt(m: Msg): void {
    const announced = [...((m.peers as RaftPeer[] | undefined) ?? []), { name: String(m.from), id: Number(m.fromId) }].filter(
      (p) => p.name.toUpperCase() !== this.o.self.name.toUpperCase(),
    );
    const own = new Set(this.o.peers.map((p) => p.name.toUpperCase()));
    this.extraPeers = announced.filter((p) => !own.has(p.name.toUpperCase()));
    const voters = Array.isArray(m.voters) ? (m.voters as string[]) : null;
    if (JSON.stringify(voters) !== JSON.stringify(this.voters)) this.voters = voters;
    if (this.learner && voters && voters.some((v) => v.toUpperCase() === this.o.self.name.toUpperCase())) {
      this.learner = false;
      this.o.log("INFO", `RAFT[${this.o.group}] ${this.o.self.name} 由学习者转为投票成员`);
      this.o.onChange();
    }
  }

  private ident(): Msg {
    return {
      group: this.o.group, from: this.o.self.name, fromId: this.o.self.id, peers: this.peers(), lineage: this.o.lineage,
      dbMagic: this.o.dbMagic, voteInterval: this.o.voteInterval, term: this.term, notStandby: this.o.notStandby,
    };
  }

  private async elect(): Promise<void> {
    if (!this.isVoter(this.o.self.name)) return;
    this.term++;
    const wasValid = this.following;
    this.role = "CANDIDATE";
    this.following = false;
    this.leader = null;
    this.votedFor = this.o.self.name;
    this.lastHeard = Date.now();
    if (wasValid) this.o.onChange();
    const term = this.term;
    const replies = await Promise.all(
      this.peers().map(async (p) => {
        const addr = this.o.resolve(p.name);
        if (!addr) return undefined;
        try {
          return { peer: p.name, r: await request(addr.host, addr.port, { op: "raft_vote", ...this.ident() }, 1000) };
        } catch {
          return undefined;
        }
      }),
    );
    if (this.stopped || this.term !== term || this.role !== "CANDIDATE") return;
    let votes = 1;
    for (const x of replies) {
      if (!x) continue;
      if (x.r.learner) this.learnerPeers.add(x.peer);
      else this.learnerPeers.delete(x.peer);
      if (typeof x.r.term === "number" && x.r.term > this.term) {
        this.term = x.r.term;
        this.role = "FOLLOWER";
        return;
      }
      if (x.r.granted && this.isVoter(x.peer)) votes++;
      else if (x.r.reason) this.complain(`vote:${x.peer}:${x.r.reason}`, `RAFT[${this.o.group}] ${x.peer} 拒绝投票: ${x.r.reason}`);
    }
    const voters =
      this.voters !== null
        ? this.voters.length
        : 1 + this.peers().filter((p) => !this.learnerPeers.has(p.name)).length;
    if (votes >= Math.floor(voters / 2) + 1) this.becomeLeader();
    else this.role = "FOLLOWER";
  }

  private becomeLeader(): void {
    this.role = "LEADER";
    this.leader = this.o.self.name;
    this.following = false;
    this.o.log("INFO", `RAFT[${this.o.group}] ${this.o.self.name} elected LEADER, term ${this.term}`);
    this.o.onChange();
    void this.heartbeat();
    this.hbTimer = setInterval(() => void this.heartbeat(), this.o.hbInterval);
  }

  private stepDown(term: number): void {
    clearInterval(this.hbTimer);
    this.term = term;
    this.role = "FOLLOWER";
    this.following = false;
    this.leader = null;
    this.lastHeard = Date.now();
    this.o.onChange();
  }

  private async heartbeat(): Promise<void> {
    if (this.role !== "LEADER" || this.stopped) return;
    this.readMembership();
    const payload = this.o.payload?.();
    let changed = false;
    await Promise.all(
      this.peers().map(async (p) => {
        const addr = this.o.resolve(p.name);
        if (!addr) return;
        try {
          const r = await request(addr.host, addr.port, { op: "raft_heartbeat", leader: this.o.self.name, payload, voters: this.voters, ...this.ident() }, 1000);
          if (typeof r.term === "number" && r.term > this.term) {
            this.stepDown(r.term);
            return;
          }
          if (r.ok) {
            if (!this.liveFollowers.has(p.name)) changed = true;
            this.liveFollowers.set(p.name, { at: Date.now(), shadow: !!r.shadow });
          } else if (r.reason) this.complain(`hb:${p.name}:${r.reason}`, `RAFT[${this.o.group}] ${p.name} 拒绝跟随: ${r.reason}`);
        } catch {
          if (this.liveFollowers.delete(p.name)) changed = true;
        }
      }),
    );
    if (changed && this.role === "LEADER") this.o.onChange();
  }

  /** Handles a RAFT message received on the AP port. */
  handle(m: Msg): Msg {
    if (m.op === "raft_exit_all") {
      if (this.role === "LEADER") {
        setImmediate(() => this.o.onExitAll());
        return { ok: true };
      }
      return { ok: false, reason: "not leader" };
    }
    if (m.op === "raft_leave") {
      // A follower's clean exit: not a live follower any more (the MP leader reports it stopped at once).
      if (this.liveFollowers.delete(String(m.from))) setImmediate(() => this.o.onChange());
      return { ok: true };
    }
    if (m.op === "raft_exit_member") {
      setImmediate(() => this.o.onExitAll());
      return { ok: true };
    }
    if (m.op === "raft_join") {
      if (this.role !== "LEADER") return { ok: false, term: this.term };
      const why = this.peers().some((p) => p.name.toUpperCase() === String(m.from).toUpperCase()) ? peerMismatch(this.o, this.peers(), m) : newcomerMismatch(this.o, this.peers(), m);
      if (why) {
        this.complain(`join:${String(m.from)}:${why}`, `RAFT[${this.o.group}] ${why}`);
        return { ok: false, reason: why, term: this.term };
      }
      if (!this.peers().some((p) => p.name.toUpperCase() === String(m.from).toUpperCase())) {
        this.extraPeers.push({ name: String(m.from), id: Number(m.fromId) });
        this.o.log("INFO", `RAFT[${this.o.group}] 学习者[${String(m.from)}/${Number(m.fromId)}]加入`);
        setImmediate(() => void this.heartbeat());
      }
      return { ok: true, term: this.term };
    }
    const bad = peerMismatch(this.o, this.peers(), m);
    if (bad) {
      this.complain(`in:${String(m.from)}:${bad}`, `RAFT[${this.o.group}] ${bad}`);
      return { ok: false, granted: false, reason: bad, term: this.term };
    }
    const term = Number(m.term);
    if (m.op === "raft_vote") {
      if (this.learner || !this.isVoter(this.o.self.name)) return { granted: false, learner: true, term: this.term };
      if (term < this.term) return { granted: false, term: this.term };
      if (term > this.term) {
        if (this.role === "LEADER") this.stepDown(term);
        this.term = term;
        this.votedFor = null;
        this.role = "FOLLOWER";
      }
      if (this.votedFor === null || this.votedFor === m.from) {
        this.votedFor = String(m.from);
        this.lastHeard = Date.now();
        return { granted: true, term: this.term };
      }
      return { granted: false, term: this.term };
    }
    if (m.op === "raft_heartbeat") {
      if (term < this.term) return { ok: false, term: this.term };
      if (this.role === "LEADER" && term === this.term) return { ok: false, term: this.term };
      const wasFollowing = this.following && this.leader === m.leader;
      if (this.role === "LEADER") clearInterval(this.hbTimer);
      this.term = term;
      this.role = "FOLLOWER";
      this.leader = String(m.leader);
      this.following = true;
      this.lastHeard = Date.now();
      if (m.payload !== undefined) this.o.onPayload?.(m.payload);
      this.adopt(m);
      if (!wasFollowing) {
        this.o.log("INFO", `RAFT[${this.o.group}] ${this.o.self.name} follows LEADER ${this.leader}, term ${this.term}`);
        this.o.onChange();
      }
      return { ok: true, shadow: this.o.shadow, term: this.term };
    }
    return { ok: false, reason: "unknown" };
  }

  /** `exit all`: the leader stops every valid follower, then the caller exits itself. */
  async exitAll(): Promise<void> {
    if (this.role === "LEADER") {
      await Promise.all(
        [...this.liveFollowers.keys()].map(async (name) => {
          const addr = this.o.resolve(name);
          if (!addr) return;
          try {
            await request(addr.host, addr.port, { op: "raft_exit_member" }, 1000);
          } catch {
            /* already gone */
          }
        }),
      );
    }
  }

  /** A follower's clean exit tells its leader, which stops counting it as following. */
  async leave(): Promise<void> {
    if (this.role !== "FOLLOWER" || !this.following || !this.leader) return;
    const addr = this.o.resolve(this.leader);
    if (!addr) return;
    try {
      await request(addr.host, addr.port, { op: "raft_leave", from: this.o.self.name }, 1000);
    } catch {
      /* the leader is gone too */
    }
  }

  /** A follower forwards `exit all` to its leader; false when there is no leader to ask. */
  async forwardExitAll(): Promise<boolean> {
    if (this.role !== "FOLLOWER" || !this.following || !this.leader) return false;
    const addr = this.o.resolve(this.leader);
    if (!addr) return false;
    try {
      const r = await request(addr.host, addr.port, { op: "raft_exit_all" }, 1000);
      return !!r.ok;
    } catch {
      return false;
    }
  }
}
