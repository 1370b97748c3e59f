/**
 * Where a group's vertical procedures run: on its leader (DMDPC配置 §6.2.23-6.2.25 "需在当前多副本
 * 集群的主节点上执行"), logged in to the leader itself: the MP leader for MP_RAFT, the BP leader
 * (started in BS mode, commands/process.ts `serverDpcMode`) for a BP group (MGT §8.2.2). The configuration
 * SP_ALTER_RAFT_NODE is given is `GroupView.voting()`, built there only.
 */
import type { Operation } from "../../ops";
import type { MemberSpec } from "../../schema";
import { SQL } from "../../sql";
import { loginOf, sqlOp } from "../common";
import type { GroupView } from "./view";

/** What to check when the leader refuses: a BP member started in BP mode (by hand, or by an earlier version) cannot run them. */
function advice(v: GroupView, leader: MemberSpec): string {
  return v.spec.role === "BP"
    ? `DM runs this only on the group's leader started in BS mode: check that ${leader.name} runs \`dmserver ... dpc_mode=BS MOUNT\` (a member started with dpc_mode=BP must be restarted: exit it alone; \`pulumi up\` starts it in BS mode)`
    : `DM runs this only on the MP group's leader: check that ${leader.name} still leads (the catalog's PRIMARY MP)`;
}

/** Statements on the leader, with the advice for a leader that refuses them. */
export function onLeaderOp(v: GroupView, leader: MemberSpec, statements: readonly string[], reason: string): Operation {
  return sqlOp(loginOf(leader), v.password(), statements, reason, advice(v, leader));
}

/** The group's new configuration: every desired node, shadows included (`GroupView.voting()`). */
export function alterRaftNodeOp(v: GroupView, leader: MemberSpec, reason: string): Operation {
  return onLeaderOp(v, leader, [SQL.alterRaftNode(v.voting())], reason);
}
