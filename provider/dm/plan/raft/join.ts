/**
 * A replica joining an elected group: the manual's learner procedure (DM8 ch. 8.2.2). Registered
 * first (by the caller, all newcomers at once), prepared as a learner, restored from the leader's
 * online backup, started with MOUNT, added as a learner; the caller waits until every learner
 * follows, then changes the voting membership once.
 *
 * A restore goes only over a blank directory: a member whose database has run before, or holds
 * a RAFT configuration, is refused (its data is not proven disposable).
 */
import { files } from "../../commands";
import { phase, type Phase, type Plan } from "../../ops";
import type { MemberSpec } from "../../schema";
import { SQL } from "../../sql";
import { mkdirOp, setIniOp, sqlOp, writeOp } from "../common";
import { RAFT_DM_INI } from "./configure";
import { replicate } from "./replica";
import type { GroupView } from "./view";

/** Refuses a newcomer whose directory is not blank, before anything runs. */
export function refuseNonBlankJoin(v: GroupView, m: MemberSpec): void {
  const h = v.history(m);
  if (h === "blank") return;
  v.fail(
    `${m.name} is to join the running group, which restores the leader's online backup over ${files.dbDir(m)}; ` +
      `but that database ${h === "configured" ? "holds a RAFT configuration (RAFT_SELF_ID in its dmarch.ini)" : "has been started before"}, so it may hold data that is not the group's. ` +
      `Check what it holds; if nothing is needed, move the directory aside (its dm.Instance then creates a new database) and run \`pulumi up\` again`,
  );
}

export function planJoin(v: GroupView, m: MemberSpec, leader: MemberSpec): Plan {
  const ini = v.iniChanges(m, RAFT_DM_INI);
  const out: Phase[] = [
    ...phase(`prepare ${m.name}`, [
      ...(Object.keys(ini).length ? [setIniOp(m, "dm.ini", ini, "multi-replica member")] : []),
      mkdirOp(m, files.archDir(m), "the LOCAL archive's directory"),
    ]),
  ];
  const r = replicate(v, { from: leader, how: "online", purpose: `JOIN_${m.name}`, reason: `seed data for ${m.name} from the leader` }, [
    { member: m, reason: "new replica from an online backup" },
  ]);
  out.push(...phase(`online backup of ${leader.name}`, r.backup));
  // The learner's dmarch.ini (its RAFT self id) is written only once its data is restored: a
  // join cut short before that leaves a member that is still blank, and the next run joins it again.
  out.push(...phase(`restore ${m.name}`, [...r.restore, writeOp(m, files.dmarchIni(m), v.dmarch(m, { learner: true }), "joins as a learner first (RAFT_LEARNER = 1)")]));
  out.push(...phase(`remove ${m.name}'s backup sets`, r.cleanup));
  out.push(...phase(`start ${m.name}`, r.start("follows the leader as a learner")));
  out.push(...phase(`add ${m.name} to ${v.spec.name}`, [sqlOp(v.mpLogin(), v.password(), [SQL.addRaftLearner(m.name)], "follows the leader as a learner")]));
  return out;
}
