/**
 * A multi-replica group: which procedure its state calls for.
 *
 * - An elected leader: the group is established; new members join (learner procedure), members
 *   convert between RAFT and shadow replica, configurations are repaired, stopped members start.
 * - No leader, but some member holds a RAFT configuration: the group exists, its leader is down
 *   or not elected yet. It is never seeded again (a restore there would overwrite replicas of
 *   live data): the configured members are repaired, started with MOUNT and the election waited
 *   for; members still to join do so in the next round, once there is a leader.
 * - No member holds a RAFT configuration: the group never existed; it is seeded (seed.ts, which
 *   also proves that what it restores over never held data).
 */
import { files } from "../../commands";
import { phase, type Phase, type Plan } from "../../ops";
import type { MemberSpec } from "../../schema";
import { SQL } from "../../sql";
import { sqlOp, startOp, waitFollowingOp, waitLeaderOp, writeOp } from "../common";
import { raftIniOps } from "./configure";
import { converting, planConvert, refuseUnsafeConversion, shadowArchOps } from "./convert";
import { pendingLearners, planJoin, refuseNonBlankJoin, votedLearners } from "./join";
import { alterRaftNodeOp } from "./leader";
import { refuseRegistrationChanges } from "./registration";
import { planSeed } from "./seed";
import type { GroupView } from "./view";

export function planMulti(v: GroupView): Plan {
  refuseRegistrationChanges(v);
  const leader = v.leader();
  if (leader) return planEstablished(v, leader);
  const configured = v.spec.members.filter((m) => v.history(m) === "configured");
  if (configured.length > 0) return planRecover(v, configured);
  return planSeed(v);
}

/**
 * Configured members but no leader in the catalog: repair what differs (dm.ini keys, dmarch.ini
 * naming the configured members only), register what is missing, start what is stopped with
 * MOUNT, and wait for the election.
 */
function planRecover(v: GroupView, configured: readonly MemberSpec[]): Plan {
  const waiting = v.spec.members.filter((m) => !configured.includes(m));
  const after = waiting.length ? ` (${waiting.map((m) => m.name).join(", ")} join once it has a leader)` : "";
  const unregistered = configured.filter((m) => !v.reg(m));
  const repair = [
    ...raftIniOps(v, configured),
    ...configured
      .filter((m) => !v.dmarchIs(m, v.dmarch(m, { among: configured })))
      .map((m) => writeOp(m, files.dmarchIni(m), v.dmarch(m, { among: configured }), `dmarch.ini differs from the inputs (read at the next start)${after}`)),
  ];
  const stopped = configured.filter((m) => !v.running(m));
  return [
    ...phase(`register ${unregistered.map((m) => m.name).join(", ")}`, unregistered.length ? [sqlOp(v.mpLogin(), v.password(), unregistered.map((m) => SQL.createInstance(v.registration(m))), "configured RAFT members not registered in the MP")] : []),
    ...phase(`configure ${v.spec.name}`, repair),
    ...phase(`start ${v.spec.name}`, stopped.map((m) => startOp(m, "configured RAFT member not running (its data is kept: a group that existed is never seeded again)", true))),
    ...phase(`elect ${v.spec.name}`, [
      waitLeaderOp(
        configured[0],
        v.allLogins(),
        v.password(),
        configured.map((m) => m.name),
        `the group has no leader in the MP catalog; it elects one once a majority runs${after}`,
        `a group elects only with a majority of its voting members running and sharing one data lineage: check that ${configured.map((m) => m.name).join(", ")} run ` +
          `(their DM logs under <database>/log say why one stays in MOUNT); nothing was restored, and \`pulumi up\` goes on from what is there`,
      ),
    ]),
  ];
}

/** An elected group: add new replicas, convert members between RAFT and shadow, fix configs, start stopped members. */
function planEstablished(v: GroupView, leader: MemberSpec): Plan {
  const joining = v.newcomers();
  const pending = pendingLearners(v, joining, leader);
  const voted = votedLearners(v, joining, leader);
  const convert = converting(v).filter((m) => !joining.includes(m) && !pending.includes(m) && !voted.includes(m));
  if (convert.length > 0) refuseUnsafeConversion(v, convert, leader, joining);
  for (const m of joining) {
    if (m.shadow) v.fail(`${m.name}: shadow replicas cannot be added to a running group (manual); re-create the group`);
    refuseNonBlankJoin(v, m);
  }
  const out: Phase[] = [];
  // Every newcomer is registered before any starts: a learner's dmarch.ini names the others, and DM
  // resolves each ARCH_DEST in the MP catalog at start.
  const unregistered = joining.filter((m) => !v.reg(m));
  if (unregistered.length)
    out.push(...phase(`register ${unregistered.map((m) => m.name).join(", ")}`, [sqlOp(v.mpLogin(), v.password(), unregistered.map((m) => SQL.createInstance(v.registration(m))), "new replicas")]));
  const learners = [...joining, ...pending];
  if (learners.length > 0) out.push(...planJoin(v, joining, leader, pending));
  // The configuration changes once every learner follows: DM takes an odd node count only.
  if (learners.length > 0) {
    const names = learners.map((m) => m.name).join(", ");
    out.push(...phase(`wait for ${names}`, [waitFollowingOp(leader, v.allLogins(), v.password(), learners.map((m) => m.name), "a learner votes only once it follows the leader")]));
    out.push(...phase(`vote in ${v.spec.name}`, [alterRaftNodeOp(v, leader, `${names} caught up: the group's new configuration`)]));
  }
  for (const m of [...learners, ...voted]) out.push(...phase(`finish ${m.name}`, [writeOp(m, files.dmarchIni(m), v.dmarch(m), "a full member now (no RAFT_LEARNER)")]));
  // Seed 7.5.2: no membership change; each converted member keeps its place in the configuration.
  for (const m of convert) out.push(...planConvert(v, m, leader));
  const changing = new Set([...learners, ...voted, ...convert].map((m) => m.name));
  const steady = v.spec.members.filter((m) => !changing.has(m.name));
  out.push(
    ...phase(`configure ${v.spec.name}`, [
      ...raftIniOps(v, steady),
      ...steady.filter((m) => !m.shadow && !v.dmarchIs(m, v.dmarch(m))).map((m) => writeOp(m, files.dmarchIni(m), v.dmarch(m), "dmarch.ini differs (read at the next start)")),
      ...shadowArchOps(v, steady),
    ]),
  );
  out.push(...phase(`start ${v.spec.name}`, steady.filter((m) => !v.running(m)).map((m) => startOp(m, "member not running", true))));
  return out;
}
