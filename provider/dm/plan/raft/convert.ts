/**
 * A member converted between RAFT and shadow replica (seed 7.5.2): it exits alone (not exit
 * all); its database directory is moved aside, never overwritten; a new one is made with the
 * same parameters, name, IP and ports (so no peer's configuration changes) and keeps the old
 * dm.ini and mp.ini (the dm.Instance's next read still matches); the leader's online backup
 * (SHADOW for a shadow replica) is restored into it; it starts and follows the leader. There is
 * no membership change (no SP_ALTER_RAFT_NODE): a shadow is a node of the configuration like a
 * RAFT replica, it votes and commits (DM8 DMDPC的关键技术 §5.20).
 *
 * Shadows take no part in replay, so DM does not update a shadow's dmarch.ini after the group's
 * membership changes (§5.20): the provider writes it and restarts the shadow (`shadowArchOps`).
 */
import { sh } from "../../../core/quote/sh";
import { dminitCommand, files } from "../../commands";
import { phase, targetOf, type Operation, type Phase, type Plan } from "../../ops";
import type { MemberSpec } from "../../schema";
import { mkdirOp, shown, startOp, stopOp, waitFollowingOp, writeOp } from "../common";
import { dminitShown } from "../instance";
import { replicate } from "./replica";
import type { GroupView } from "./view";

/**
 * What a member is now: its own V$RLOG_RAFT_INFO.RAFT_SHADOW (DM8 §12.17) when it answered, even
 * if no cluster-wide view was read; else the previous inputs (the member is down, or its own view
 * is not readable).
 */
export function shadowNow(v: GroupView, m: { name: string }): boolean | undefined {
  const own = ownShadow(v, m);
  if (own !== null) return own;
  return v.olds?.members.find((x) => x.name.toUpperCase() === m.name.toUpperCase())?.shadow;
}

/** The member's own answer, or null when it gave none. */
function ownShadow(v: GroupView, m: { name: string }): boolean | null {
  const key = m.name.toUpperCase();
  const own = v.cat.catalog.memberShadow?.[key];
  if (own !== undefined && own !== null) return own;
  return v.cat.catalog.raftInfo?.find((r) => r.name.toUpperCase() === key)?.shadow ?? null;
}

/**
 * Members whose desired `shadow` differs from what they are; those becoming RAFT replicas first,
 * so that while they are rebuilt one by one the shadows never outnumber the RAFT replicas.
 */
export function converting(v: GroupView): MemberSpec[] {
  const out = v.spec.members.filter((m) => {
    const now = shadowNow(v, m);
    return now !== undefined && now !== m.shadow;
  });
  return [...out.filter((m) => !m.shadow), ...out.filter((m) => m.shadow)];
}

/**
 * Steady shadows whose dmarch.ini differs from the group's (after members joined or left): DM
 * leaves a shadow's file alone (§5.20), so it is written here and a running shadow restarts to
 * read it, exiting alone and starting with MOUNT as every member does.
 */
export function shadowArchOps(v: GroupView, steady: readonly MemberSpec[]): Operation[] {
  return steady
    .filter((m) => m.shadow && !v.dmarchIs(m, v.dmarch(m)))
    .flatMap((m) => [
      writeOp(m, files.dmarchIni(m), v.dmarch(m), "a shadow's dmarch.ini is not updated by DM after a membership change (DM8 §5.20)"),
      ...(v.running(m)
        ? [stopOp(m, "restarts to read its new dmarch.ini (exits alone, not exit all)"), startOp(m, "reads its new dmarch.ini and follows the leader", true)]
        : []),
    ]);
}

/** What the manual's 7.5.2 does not cover safely is refused before anything stops. */
export function refuseUnsafeConversion(v: GroupView, members: readonly MemberSpec[], leader: MemberSpec, joining: readonly MemberSpec[]): void {
  const names = members.map((m) => m.name).join(", ");
  if (members.includes(leader))
    v.fail(`${leader.name} is the group's leader and cannot be converted between RAFT and shadow replica (it exits and is rebuilt from the leader's backup); switch the leadership over to another member first`);
  const down = v.spec.members.filter((m) => !members.includes(m) && !v.running(m));
  if (down.length > 0)
    v.fail(`${down.map((m) => m.name).join(", ")} not running: converting ${names} (which exits while it is rebuilt) waits until every other member is up; run \`pulumi up\` again once they are`);
  // The previous inputs may be stale (a hand conversion): a member rebuilt on their word could
  // leave the group with more shadows than RAFT replicas. A member being converted that is down
  // (an up cut mid-rebuild) cannot answer; it is rebuilt as declared, and every other member
  // must have answered.
  const unread = v.spec.members.filter((m) => ownShadow(v, m) === null && !(members.includes(m) && !v.running(m)));
  if (unread.length > 0)
    v.fail(
      `${unread.map((m) => m.name).join(", ")}: ${unread.length > 1 ? "their" : "its"} own V$RLOG_RAFT_INFO.RAFT_SHADOW was not read, so what ${unread.length > 1 ? "they are" : "it is"} (RAFT or shadow replica) is unknown and ${names} cannot be converted; ` +
        "check that each runs and answers SQL as SYSDBA (disql on its host), then run `pulumi up` again; nothing was changed",
    );
  if (joining.length > 0 || v.removed().length > 0)
    v.fail(`${names} change between RAFT and shadow replica while members are added or removed: make one change at a time (membership first)`);
}

export function planConvert(v: GroupView, m: MemberSpec, leader: MemberSpec): Plan {
  const pw = v.password();
  const to = m.shadow ? "shadow" : "RAFT";
  const dir = files.dbDir(m);
  const aside = `${dir}.replaced-`;
  const d = dminitCommand({ ...m, sysdbaPassword: pw });
  const init = dminitShown(m, d.stdin);
  // The stamp is taken on the host, so the plan stays the same text; a clash (same second) fails.
  const command =
    sh`set -e; old=${aside}"$(date -u +%Y%m%dT%H%M%SZ)"; [ ! -e "$old" ]; mv ${dir} "$old"; ` +
    `( ${d.command} ); ` +
    sh`cp "$old"/dm.ini ${files.dmIni(m)}; if [ -f "$old"/mp.ini ]; then cp "$old"/mp.ini ${files.mpIni(m)}; fi; echo "old database kept at $old"`;
  const reinit: Operation = {
    ...targetOf(m.connection),
    kind: "reinit",
    describe: shown(
      `move ${dir} to ${aside}<UTC time>, then ${init.summary}; dm.ini and mp.ini kept from the old directory`,
      sh`mv ${dir} ${aside}"$(date -u +%Y%m%dT%H%M%SZ)"` + `; ${init.exact}; ` + sh`cp <old>/dm.ini <old>/mp.ini ${dir}/`,
    ),
    command,
    stdin: d.stdin,
    reason: `becomes a ${to} replica (seed 7.5.2): a new database in the same place; the old one is kept aside, not overwritten`,
    timeoutMs: 600_000,
  };
  const out: Phase[] = [
    ...phase(`exit ${m.name}`, v.running(m) ? [stopOp(m, `exits alone to become a ${to} replica (seed 7.5.2: not exit all)`)] : []),
    ...phase(`re-initialise ${m.name}`, [
      reinit,
      mkdirOp(m, files.archDir(m), "the LOCAL archive's directory"),
      writeOp(m, files.dmarchIni(m), v.dmarch(m), `same RAFT self id ${v.id(m)} and peers: no other member's configuration changes`),
    ]),
  ];
  const r = replicate(
    v,
    {
      from: leader,
      how: "online",
      purpose: `CONVERT_${m.name}`,
      shadowSet: m.shadow,
      reason: `seed data for ${m.name}${m.shadow ? " (SHADOW: it restores as a shadow replica)" : " (normal: it restores as a RAFT replica)"}`,
    },
    [{ member: m, reason: `${to} replica from the leader's online backup` }],
  );
  out.push(...phase(`online backup of ${leader.name}`, r.backup));
  out.push(...phase(`restore ${m.name}`, r.restore));
  out.push(...phase(`remove ${m.name}'s backup sets`, r.cleanup));
  out.push(...phase(`start ${m.name}`, r.start(`follows the leader as a ${to} replica`)));
  out.push(...phase(`wait for ${m.name}`, [waitFollowingOp(leader, v.allLogins(), pw, [m.name], "the next member is converted only once this one follows")]));
  return out;
}
