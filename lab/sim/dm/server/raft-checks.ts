/**
 * What a RAFT member checks before it votes for, follows or admits a peer: the same data lineage
 * (restored from one backup), RECOVER ... FOR STANDBY after an online set, a different DB_MAGIC and
 * RAFT_VOTE_INTERVAL, each listing the other under the id it claims; a newcomer also must be a
 * learner the catalog lists (SP_ADD_RAFT_LEARNER) under its DEST_ID.
 */
import type { Msg } from "../wire";
import type { RaftPeer } from "./config";
import type { RaftOptions } from "./raft";

/** A database restored from an online set joins only after RECOVER ... FOR STANDBY (BAK l.4649; MGT §8.2.2). */
const notStandbyReason = (from: string) => `实例[${from}]由联机备份集还原后未执行RECOVER DATABASE ... FOR STANDBY, 不能加入多副本系统`;

/** Why a message from `from` must be refused, or undefined when it is a consistent peer. */
export function peerMismatch(o: RaftOptions, peers: RaftPeer[], m: Msg): string | undefined {
  const from = String(m.from);
  const peer = peers.find((p) => p.name.toUpperCase() === from.toUpperCase());
  if (!peer) return `实例[${from}]不在本节点dmarch.ini的RAFT归档配置中`;
  if (peer.id !== m.fromId) return `实例[${from}]的RAFT_SELF_ID[${m.fromId}]与本节点配置的ARCH_DEST_ID[${peer.id}]不一致`;
  const mine = (m.peers as RaftPeer[] | undefined)?.find((p) => p.name.toUpperCase() === o.self.name.toUpperCase());
  if (!mine || mine.id !== o.self.id) return `实例[${from}]的RAFT归档配置中没有本节点[${o.self.name}/${o.self.id}]`;
  if (m.lineage !== o.lineage) return `实例[${from}]与本节点的数据不是来自同一备份,不能组成RAFT组`;
  if (m.notStandby) return notStandbyReason(from);
  if (m.dbMagic === o.dbMagic) return `实例[${from}]与本节点的DB_MAGIC相同,需要执行RECOVER DATABASE ... UPDATE DB_MAGIC`;
  if (m.voteInterval === o.voteInterval) return `实例[${from}]与本节点的RAFT_VOTE_INTERVAL相同[${o.voteInterval}]`;
  return undefined;
}

/** The checks of `mismatch` for a member not (yet) among this node's peers: it lists us, same data. */
export function newcomerMismatch(o: RaftOptions, peers: RaftPeer[], m: Msg): string | undefined {
  const from = String(m.from);
  const mine = (m.peers as RaftPeer[] | undefined)?.find((p) => p.name.toUpperCase() === o.self.name.toUpperCase());
  if (!mine || mine.id !== o.self.id) return `实例[${from}]的RAFT归档配置中没有本节点[${o.self.name}/${o.self.id}]`;
  if (m.lineage !== o.lineage) return `实例[${from}]与本节点的数据不是来自同一备份,不能组成RAFT组`;
  if (m.notStandby) return notStandbyReason(from);
  if (m.dbMagic === o.dbMagic) return `实例[${from}]与本节点的DB_MAGIC相同,需要执行RECOVER DATABASE ... UPDATE DB_MAGIC`;
  const fromId = Number(m.fromId);
  const clash = [o.self, ...peers].find((p) => p.id === fromId && p.name.toUpperCase() !== from.toUpperCase());
  if (clash) return `实例[${from}]的RAFT_SELF_ID[${fromId}]已被实例[${clash.name}]使用`;
  const { learners, voters } = o.membership();
  const learner = learners.find((l) => l.name.toUpperCase() === from.toUpperCase());
  const listed = learner !== undefined || (voters ?? []).some((n) => n.toUpperCase() === from.toUpperCase());
  if (!listed) return `实例[${from}]不是本RAFT组的学习者(需要先执行SP_ADD_RAFT_LEARNER)`;
  if (learner?.id !== undefined && learner.id !== fromId) return `实例[${from}]的RAFT_SELF_ID[${fromId}]与SP_ADD_RAFT_LEARNER指定的DEST_ID[${learner.id}]不一致`;
  return undefined;
}
