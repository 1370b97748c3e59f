/**
 * The vertical (replica) procedures: run on the leader of the group they change (DMDPC配置
 * §6.2.23-6.2.25 "需在当前多副本集群的主节点上执行"; for a BP group the leader in BS mode, DMDPC
 * 集群的管理与使用 §8.2.2). The server checks the node, then the catalog the arguments.
 */
import { ERR } from "../errors";
import type { Catalog } from "./catalog";
import type { InstanceRow } from "./catalog-data";
import { eqName, fail, Procedure, str } from "./catalog-util";

export const RAFT_PROCEDURES: Record<string, Procedure> = {
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

export const LEADER_PROCEDURES: ReadonlySet<string> = new Set(Object.keys(RAFT_PROCEDURES));

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
