/**
 * Members leaving a group (an update whose inputs no longer name them): a multi-replica group
 * first takes them out of its voting list on an elected leader, then they stop and leave the
 * catalog. Their directories stay (their dm.Instance's delete decides).
 */
import { files, leftMarkText } from "../../commands";
import { phase, PlanError, type Phase, type Plan } from "../../ops";
import type { RaftGroupSpec } from "../../schema";
import { SQL } from "../../sql";
import { sqlOp, stopOp, writeOp } from "../common";
import { shadowNow } from "./convert";
import { alterRaftNodeOp } from "./leader";
import type { GroupView } from "./view";

export function planRemovals(v: GroupView): Plan {
  const removed = v.removed();
  if (removed.length === 0) return [];
  const leader = v.leader();
  const out: Phase[] = [];
  const olds = removed.map((r) => v.oldMember(r.name));
  const wasMulti = v.raftRow !== undefined && v.cat.membersOf(v.raftRow.id).length > 1;
  if (wasMulti) {
    if (leader && removed.some((r) => r.name.toUpperCase() === leader.name.toUpperCase()))
      v.fail(`${leader.name} is the group's leader and cannot be removed; switch the leadership over first`);
    if (!leader) v.fail("the group has no elected leader; members cannot be removed online (start the group and wait for its election, then run `pulumi up` again)");
    if (!v.multi) v.fail("a multi-replica group cannot become a single replica in place; create a new group");
    // SP_ALTER_RAFT_NODE takes the whole new configuration: with newcomers in it, it would name
    // nodes not yet following (DM refuses), and replacing one of an odd count makes it even.
    const adding = v.newcomers();
    if (adding.length > 0)
      v.fail(
        `${olds.map((o) => o.name).join(", ")} to be removed while ${adding.map((m) => m.name).join(", ")} are to be added: ` +
          "one change at a time: remove first (or add first), `pulumi up`, then the other; nothing was changed",
      );
    // What each member says of itself (its own V$RLOG_RAFT_INFO.RAFT_SHADOW, read for members being
    // removed too), not only what the previous inputs said.
    const shadows = olds.filter((o) => shadowNow(v, o) ?? o.shadow).map((o) => o.name);
    if (shadows.length > 0)
      v.fail(`${shadows.join(", ")}: DM removes no shadow replica online (DM8 DMDPC的关键技术 §5.20); make it a RAFT replica first (shadow: false, \`pulumi up\`), then remove it; nothing was changed`);
    // Each leaver is marked first: a removal cut short after SP_ALTER_RAFT_NODE leaves members whose
    // dmarch.ini still names the old configuration; the mark keeps an up of the old inputs from
    // starting them as members again (refuseLeftMembers).
    const unmarked = olds.filter((o) => v.host(o).leftGroup !== v.spec.name);
    out.push(...phase("mark the leavers", unmarked.map((o) => writeOp(o, files.leftMark(o), leftMarkText(v.spec.name), `leaves ${v.spec.name}: never started as its member again`))));
    // MGT §8.2.2.1.2 / §8.2.2.2.2: the new configuration on the leader, then the stop, then SP_DROP_DPC_INSTANCE on the MP.
    out.push(...phase("leave the RAFT group", [alterRaftNodeOp(v, leader!, `${olds.map((o) => o.name).join(", ")} no longer desired`)]));
  }
  out.push(...phase("stop removed members", olds.filter((o) => v.running(o)).map((o) => stopOp(o, "removed from the group"))));
  out.push(...phase("unregister removed members", [sqlOp(v.mpLogin(), v.password(), olds.map((o) => SQL.dropInstance(o.name)), "removed from the group")]));
  return out;
}

/**
 * Refuses, before any step, a declared member whose directory carries this group's leave mark: it
 * left the configuration in a removal (cut short, if it is still registered), and starting it with
 * its old dmarch.ini would make it a member the configuration does not have.
 */
export function refuseLeftMembers(spec: RaftGroupSpec, members: RaftGroupActualMembers): void {
  const left = spec.members.filter((m) => members[m.name]?.leftGroup === spec.name);
  if (left.length === 0) return;
  throw new PlanError(
    `dm.RaftGroup ${spec.name}`,
    left
      .map((m) => `${m.name} left the configuration of ${spec.name} in a removal cut short (${files.leftMark(m)}): remove it from the inputs (\`pulumi up\` then finishes the removal), or move its directory ${files.dbDir(m)} aside to add it as a new replica`)
      .join("; "),
  );
}

type RaftGroupActualMembers = Readonly<Record<string, { readonly leftGroup: string | null } | undefined>>;
