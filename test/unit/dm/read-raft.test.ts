/**
 * The members' own reads of a RAFT group (`readMemberRaft`) through the real RunContext, with
 * the SSH pool answering as each member's disql would: who is asked, what counts when an
 * answer is missing, what the log says.
 */
import { RunContext } from "../../../provider/converge";
import { RunLog } from "../../../provider/core/log";
import { registerSecret } from "../../../provider/core/redact";
import type { ExecResult } from "../../../provider/core/ssh/types";
import { type Catalog } from "../../../provider/dm/catalog";
import type { HostState } from "../../../provider/dm/commands";
import { readMemberRaft } from "../../../provider/dm/handlers/read-raft";
import { targetOf } from "../../../provider/dm/ops";
import { parseConnection } from "../../../provider/core/connection";
import type { RaftGroupSpec } from "../../../provider/dm/schema";
import { seed72 } from "./fixtures/seed";
import { buildCluster, raftActual, steps } from "./plan/world";

const spec = steps(seed72).find((x) => x.kind === "RaftGroup" && x.spec.name === "RAFT_1")!.spec as RaftGroupSpec;

type Answer = { shadow?: 0 | 1; bak?: number; global?: string[]; code?: number; stderr?: string; noEnd?: boolean };

/** A RunContext whose pool answers each member's disql run from `answers` (by the member's port); `asked` records who was asked what. */
function world(members: RaftGroupSpec["members"], answers: Record<string, Answer>) {
  const asked: { member: string; global: boolean }[] = [];
  const lines: string[] = [];
  const connections = new Map(members.map((m) => [targetOf(m.connection).connKey, parseConnection(m.connection)]));
  const ctx = new RunContext(new RunLog("", (l) => lines.push(l)), {}, connections, "update");
  const exec = async (_t: unknown, _command: string, o: { stdin?: string }): Promise<ExecResult> => {
    const m = members.find((x) => o.stdin!.includes(`:${x.portNum}`))!;
    const global = o.stdin!.includes("V$GLOBAL_RAFT_INFO");
    asked.push({ member: m.name, global });
    const a = answers[m.name] ?? {};
    const out = ["##DPC:V$RLOG_RAFT_INFO", ...(a.shadow === undefined ? [] : ["RAFT_SHADOW|STATE|LEADER", `${a.shadow}|FOLLOWER|1`])];
    if (a.bak !== undefined) out.push("##DPC:BAK_USE_AP", "BAK_USE_AP", String(a.bak));
    if (global && a.global) out.push("##DPC:V$GLOBAL_RAFT_INFO", "INSTANCE_NAME|RAFT_ID|IS_LEARNER|RAFT_STAT", ...a.global);
    if (!a.noEnd) out.push("##DPC:END");
    return { stdout: out.join("\n"), stderr: a.stderr ?? "", code: a.code ?? 0, signal: null, timedOut: false, durationMs: 1, hostKey: "ssh-ed25519 AAAA" };
  };
  Object.assign(ctx, { pool: { exec } });
  return { ctx, asked, lines };
}

const GLOBAL = ["BP11|1|FALSE|LEADER", "BP12|1|FALSE|FOLLOWER", "BP13|1|FALSE|FOLLOWER"];
const running = (names: string[]): Record<string, HostState> => Object.fromEntries(names.map((n) => [n, { pids: [1] } as unknown as HostState]));

function catalogWithLeader(): Catalog {
  const { sim } = buildCluster(seed72);
  return raftActual(sim, spec).catalog!;
}

test("members being removed are read too: their own RAFT_SHADOW decides whether they may leave online", async () => {
  const olds = buildCluster({ ...seed72, rafts: seed72.rafts.map((r) => (r.name === "RAFT_1" ? { ...r, shadows: ["BP13"] } : r)) });
  const oldSpec = olds.steps.find((x) => x.kind === "RaftGroup" && x.spec.name === "RAFT_1")!.spec as RaftGroupSpec;
  const removed = oldSpec.members.filter((m) => m.name === "BP13");
  const kept = { ...spec, members: spec.members.filter((m) => m.name !== "BP13") };
  const { ctx, asked } = world(oldSpec.members, { BP11: { shadow: 0, bak: 1, global: GLOBAL }, BP12: { shadow: 0 }, BP13: { shadow: 1 } });
  const cat = await readMemberRaft(ctx, kept, catalogWithLeader(), running(["BP11", "BP12", "BP13"]), removed);
  expect(asked.sort((a, b) => a.member.localeCompare(b.member))).toEqual([
    { member: "BP11", global: true },
    { member: "BP12", global: false },
    { member: "BP13", global: false },
  ]);
  expect(cat!.memberShadow).toEqual({ BP11: false, BP12: false, BP13: true });
  // what the online backup from the leader sets BAK_USE_AP back to
  expect(cat!.memberBakUseAp).toEqual({ BP11: 1, BP12: null, BP13: null });
});

test("the leader's cluster-wide view failing: another BS-mode member is asked for it; every member's own flag is kept", async () => {
  const { ctx, asked } = world(spec.members, { BP11: { shadow: 0, noEnd: true }, BP12: { shadow: 0, global: GLOBAL }, BP13: { shadow: 1, global: GLOBAL } });
  const cat = await readMemberRaft(ctx, spec, catalogWithLeader(), running(["BP11", "BP12", "BP13"]));
  expect(asked.filter((a) => a.global).map((a) => a.member)).toEqual(["BP11", "BP12"]);
  expect(cat!.memberShadow).toEqual({ BP11: false, BP12: false, BP13: true });
  expect(cat!.raftInfo!.map((r) => [r.name, r.shadow])).toEqual([
    ["BP11", false],
    ["BP12", false],
    ["BP13", true],
  ]);
});

test("a member read that fails or stops early is logged with host, instance and the stderr tail, secrets masked", async () => {
  registerSecret(spec.sysdbaPassword);
  const { ctx, lines } = world(spec.members, {
    BP11: { shadow: 0, global: GLOBAL },
    BP12: { code: 2, stderr: `line 1\nline 2\nlogin ${spec.sysdbaPassword} refused\n[-2501]:用户名或密码错误` },
    BP13: { shadow: 1, noEnd: true, stderr: "killed" },
  });
  await readMemberRaft(ctx, spec, catalogWithLeader(), running(["BP11", "BP12", "BP13"]));
  const host = (n: string) => spec.members.find((m) => m.name === n)!.connection.host;
  expect(lines.filter((l) => l.includes("V$RLOG_RAFT_INFO"))).toEqual([
    `[dbcluster] BP12@${host("BP12")}: reading V$RLOG_RAFT_INFO failed (exit 2): line 2 | login [secret] refused | [-2501]:用户名或密码错误`,
    `[dbcluster] BP13@${host("BP13")}: reading V$RLOG_RAFT_INFO stopped before its end marker: killed`,
  ]);
  expect(lines.join("\n")).not.toContain(spec.sysdbaPassword);
});
