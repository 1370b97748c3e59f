/**
 * Replicas joining an elected group: the manual's procedure (DMDPC 集群的管理与使用 §8.2.2.1.1 for
 * BPs, §8.2.2.2.1 for MPs). Registered first (by the caller), prepared as learners (the replicas
 * added together name each other `ARCH_TYPE = LEARNER`), restored from ONE online backup of the
 * leader (BAK_MAGIC from SHOW BACKUPSET, RECOVER ... FOR STANDBY), started with MOUNT, added on the
 * leader with SP_ADD_RAFT_LEARNER(name, ip, XMAL port, RAFT self id); the caller waits until every
 * learner follows, then changes the configuration once (SP_ALTER_RAFT_NODE on the leader).
 *
 * DMAP: the manual starts DMAP before the online backup. The product does not start it: it is
 * DM's own service (DmAPService), installed and started with the database software; a backup
 * refused for want of it says so in DM's error, and the step's advice says what to check.
 *
 * A restore goes only over a blank directory: a member whose database has run before, or holds
 * a RAFT configuration, is refused (its data is not proven disposable).
 */
import { disqlCommand, disqlScripts, files } from "../../commands";
import { DEFAULTS } from "../../defaults";
import { addLearnerUnlessVotingCommand } from "../../learner-command";
import { parseDmarchIni } from "../../ini";
import { phase, type Operation, type Phase, type Plan } from "../../ops";
import type { MemberSpec } from "../../schema";
import { disqlScript, SQL } from "../../sql";
import { mkdirOp, setIniOp, shown, startOp, writeOp } from "../common";
import { RAFT_DM_INI } from "./configure";
import { onLeaderOp } from "./leader";
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

function learnerFile(v: GroupView, m: MemberSpec): boolean {
  const text = v.host(m).dmarchIni;
  return text !== null && parseDmarchIni(text).learner;
}

/**
 * A member V$GLOBAL_RAFT_INFO lists in the group with IS_LEARNER false while it follows the leader
 * (OPEN in the catalog): it has been voted in (SP_ALTER_RAFT_NODE), whatever its dmarch.ini still
 * says. A newcomer not added yet stays in MOUNT, so it is never taken for a voter.
 */
function votingNow(v: GroupView, m: MemberSpec): boolean {
  const row = v.cat.catalog.raftInfo?.find((r) => r.name.toUpperCase() === m.name.toUpperCase());
  const inGroup = row !== undefined && (v.raftRow === undefined || row.raftId === v.raftRow.id);
  return inGroup && row.learner === false && v.cat.instance(m.name)?.sysStatus === 4;
}

/**
 * Members whose dmarch.ini still says RAFT_LEARNER = 1 and that the database does not show voting:
 * a join cut short after their restore (the file is rewritten without it only once
 * SP_ALTER_RAFT_NODE took them in). The next run starts them if needed, adds them on the leader
 * again and changes the configuration.
 */
export function pendingLearners(v: GroupView, exclude: readonly MemberSpec[], leader: MemberSpec): MemberSpec[] {
  // The leader votes whatever its file says (it was voted in, then elected): its file is only repaired.
  return v.spec.members.filter((m) => m !== leader && !exclude.includes(m) && learnerFile(v, m) && !votingNow(v, m));
}

/**
 * Members voted in whose dmarch.ini still says RAFT_LEARNER = 1: a join cut short after
 * SP_ALTER_RAFT_NODE. Adding them again would be refused (they are nodes of the configuration):
 * only their file is finished.
 */
export function votedLearners(v: GroupView, exclude: readonly MemberSpec[], leader: MemberSpec): MemberSpec[] {
  return v.spec.members.filter((m) => m !== leader && !exclude.includes(m) && learnerFile(v, m) && votingNow(v, m));
}

export function planJoin(v: GroupView, joining: readonly MemberSpec[], leader: MemberSpec, pending: readonly MemberSpec[] = []): Plan {
  const out: Phase[] = [];
  if (joining.length > 0) out.push(...planRestores(v, joining, leader));
  const stopped = pending.filter((m) => !v.running(m));
  out.push(...phase(`start ${stopped.map((m) => m.name).join(", ")}`, stopped.map((m) => startOp(m, "a learner of a join cut short: follows the leader again", true))));
  const learners = [...joining, ...pending];
  const add = (ms: readonly MemberSpec[]) => ms.map((m) => SQL.addRaftLearner(m.name, m.ip, m.apPortNum, v.id(m)));
  const fresh = learners.filter((m) => !stopped.includes(m));
  out.push(
    ...phase(`add ${learners.map((m) => m.name).join(", ")} to ${v.spec.name}`, [
      ...(fresh.length ? [onLeaderOp(v, leader, add(fresh), "learners are added on the group's leader, then follow it")] : []),
      ...stopped.map((m) => rejoinOp(v, leader, m, add([m]))),
    ]),
  );
  return out;
}

/**
 * A learner that was down when read may have been voted in before it stopped (an up cut after
 * SP_ALTER_RAFT_NODE, before its dmarch.ini was rewritten; a voter stopped since): V$GLOBAL_RAFT_INFO
 * lists only members that run, so the read could not tell. Started a phase earlier, it is added
 * only if the leader's V$GLOBAL_RAFT_INFO does not show it voting within DEFAULTS.rejoinWaitMs
 * (`learner-command.ts`).
 */
function rejoinOp(v: GroupView, leader: MemberSpec, m: MemberSpec, statements: readonly string[]): Operation {
  const op = onLeaderOp(v, leader, statements, "a learner of a join cut short, down when read: added again unless the database shows it voting");
  const look = SQL.learnerState(m.name, v.raftRow?.id ?? 0);
  const query = disqlScript({ password: v.password(), ip: leader.ip, port: leader.portNum }, [look]);
  const command = addLearnerUnlessVotingCommand(leader, m.name, DEFAULTS.rejoinWaitMs);
  const secs = DEFAULTS.rejoinWaitMs / 1000;
  const disql = `${disqlCommand(leader)} < script: CONN SYSDBA/<not shown>@${leader.ip}:${leader.portNum}, settings`;
  return {
    ...op,
    describe: shown(
      `disql ${leader.name}: wait up to ${secs}s for V$GLOBAL_RAFT_INFO to show ${m.name} voting, else ${statements.join(" ")}`,
      `every 1s ${disql}, ${look} until FALSE|OPEN (votes: nothing to add) or TRUE (a learner); then ${disql}, the statements, EXIT`,
    ),
    command,
    stdin: disqlScripts([query, op.stdin!]),
    progress: true,
    timeoutMs: op.timeoutMs + DEFAULTS.rejoinWaitMs,
  };
}

function planRestores(v: GroupView, joining: readonly MemberSpec[], leader: MemberSpec): Plan {
  const names = joining.map((m) => m.name).join(", ");
  const out: Phase[] = [];
  for (const m of joining) {
    const ini = v.iniChanges(m, RAFT_DM_INI);
    out.push(
      ...phase(`prepare ${m.name}`, [
        ...(Object.keys(ini).length ? [setIniOp(m, "dm.ini", ini, "multi-replica member")] : []),
        mkdirOp(m, files.archDir(m), "the LOCAL archive's directory"),
      ]),
    );
  }
  const r = replicate(
    v,
    { from: leader, how: "online", purpose: "JOIN", reason: `seed data for ${names} from the leader (one backup for every new replica)` },
    joining.map((m) => ({ member: m, reason: "new replica from the leader's online backup" })),
  );
  out.push(...phase(`online backup of ${leader.name}`, r.backup));
  // A learner's dmarch.ini (its RAFT self id) is written only once its data is restored: a join
  // cut short before that leaves a member that is still blank, and the next run joins it again.
  const learnerFiles = joining.map((m) =>
    writeOp(m, files.dmarchIni(m), v.dmarch(m, { learner: true, fellowLearners: joining }), `joins as a learner first (RAFT_LEARNER = 1${joining.length > 1 ? ", the others added with it as LEARNER" : ""})`),
  );
  out.push(...phase(`restore ${names}`, [...r.restore, ...learnerFiles]));
  out.push(...phase(`remove ${names}'s backup sets`, r.cleanup));
  out.push(...phase(`start ${names}`, r.start("follows the leader as a learner")));
  return out;
}
