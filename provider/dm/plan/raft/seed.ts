/**
 * dmdpc.md rule 6: the seeding of a new multi-replica group (seed 7.2.6–7.2.8, 7.3.3–7.3.7, 7.5):
 * registration, the seeding member's LOCAL-only first start, its offline backup restored into
 * every other member, the RAFT dmarch.ini, the MOUNT start and the election.
 *
 * Only a group that never existed is seeded, and only over directories that never held data:
 * no member holds a RAFT self id (the caller sends a group with one to recovery), at most one
 * member has ever been started (it is the seeding member, whatever its place in the list), and
 * every other member is blank. Anything else is refused before a step runs.
 */
import { files } from "../../commands";
import { renderDmarchIni } from "../../ini";
import { phase, type Operation, type Phase, type Plan } from "../../ops";
import type { MemberSpec, MpLogin } from "../../schema";
import { SQL } from "../../sql";
import { loginOf, mkdirOp, setIniOp, sqlOp, startOp, stopOp, waitLeaderOp, writeOp } from "../common";
import { replicate } from "./replica";
import { RAFT_DM_INI } from "./configure";
import type { GroupView } from "./view";

/** The seeding member's first start needs archiving on, with a LOCAL archive only (7.2.6). */
const FIRST_START_DM_INI = { ARCH_INI: 1 } as const;

/** The member whose data seeds the group: the one that has run, else the first listed. */
function seedingMember(v: GroupView): MemberSpec {
  const ran = v.spec.members.filter((m) => v.history(m) === "ran");
  if (ran.length > 1)
    v.fail(
      `${ran.map((m) => `${m.name} (${files.dbDir(m)})`).join(", ")} have each been started before and hold no RAFT configuration: ` +
        `seeding restores one member's backup over all the others, and the hosts cannot tell whose data to keep. ` +
        `Check which database holds the data you need; keep that member alone in the group (add the others later: they are restored from its online backup), ` +
        `or move the other databases' directories aside so that their dm.Instance creates new ones; then run \`pulumi up\` again`,
    );
  return ran[0] ?? v.spec.members[0];
}

export function planSeed(v: GroupView): Plan {
  const first = seedingMember(v);
  const others = v.spec.members.filter((m) => m !== first);
  const isMp = v.spec.role === "MP";
  const pw = v.password();
  const out: Phase[] = [];
  const unregistered = v.spec.members.filter((m) => !v.reg(m));
  const registerStatements = [
    ...(!isMp && !v.raftRow ? [SQL.createRaft(v.spec.role, v.spec.name)] : []),
    ...unregistered.map((m) => SQL.createInstance(v.registration(m))),
  ];
  const registerOp = (login: MpLogin) =>
    registerStatements.length ? [sqlOp(login, pw, registerStatements, `${unregistered.map((m) => m.name).join(", ")} not registered in the MP`)] : [];
  // rule 4: SP/BP register before any first start
  if (!isMp) out.push(...phase(`register ${v.spec.name}`, registerOp(v.mpLogin())));

  const prep: Operation[] = [];
  const firstIni = v.iniChanges(first, FIRST_START_DM_INI);
  if (Object.keys(firstIni).length) prep.push(setIniOp(first, "dm.ini", firstIni, "archiving must be on for the seeding start (seed 7.2.6 / 7.3.3)"));
  prep.push(mkdirOp(first, files.archDir(first), "the LOCAL archive's directory"));
  const localOnly = renderDmarchIni(v.local(first));
  if (!v.dmarchIs(first, localOnly)) prep.push(writeOp(first, files.dmarchIni(first), localOnly, "LOCAL archive only, so that no RAFT election starts early (seed 7.2.6)"));
  out.push(...phase(`prepare ${first.name}`, prep));
  if (!v.running(first)) out.push(...phase(`first start of ${first.name}`, [startOp(first, "opens the database once before it is backed up")]));
  // rule 3: the MP logged into (the first, now running) registers itself first, then its peers
  if (isMp) out.push(...phase(`register ${v.spec.name}`, registerOp(loginOf(first))));

  out.push(...phase(`stop ${first.name} for seeding`, [stopOp(first, "an offline backup needs the database closed")]));
  const r = replicate(
    v,
    { from: first, how: "offline", purpose: "SEED", reason: "seed data for the other replicas (seed 7.2.7.1)" },
    others.map((m) => ({ member: m, toShadow: m.shadow, reason: `replica of ${first.name}'s data${m.shadow ? " as a shadow replica (seed 7.5)" : ""}` })),
  );
  out.push(...phase(`back up ${first.name}`, r.backup));
  out.push(...phase(`restore replicas of ${v.spec.name}`, r.restore));
  out.push(...phase(`remove ${v.spec.name}'s backup sets`, r.cleanup));

  const configure: Operation[] = [];
  for (const m of v.spec.members) {
    const changes = v.iniChanges(m, RAFT_DM_INI, m === first ? firstIni : {});
    if (Object.keys(changes).length) configure.push(setIniOp(m, "dm.ini", changes, "multi-replica member (seed 7.2.7.2)"));
    if (m !== first) configure.push(mkdirOp(m, files.archDir(m), "the LOCAL archive's directory"));
    configure.push(writeOp(m, files.dmarchIni(m), v.dmarch(m), `RAFT self id ${v.id(m)}, ${v.spec.members.length - 1} peers (seed 7.2.7.3)`));
  }
  out.push(...phase(`configure ${v.spec.name}`, configure));
  out.push(...phase(`start ${v.spec.name}`, [startOp(first, "all members start with MOUNT and elect a leader (seed 7.2.8)", true), ...r.start("all members start with MOUNT and elect a leader (seed 7.2.8)")]));
  out.push(...phase(`elect ${v.spec.name}`, [waitLeaderOp(first, v.allLogins(), pw, v.spec.members.map((m) => m.name), "the group is usable once it has a leader")]));
  return out;
}
