/**
 * The members' own reads of a RAFT group (`readMemberRaft`) through the real RunContext, with
 * the SSH pool answering as each member's disql would: who is asked, what counts when an
 * answer is missing, what the log says.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
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
import { makeFakeTools, type FakeTools } from "./helpers/fake-tools";

const spec = steps(seed72).find((x) => x.kind === "RaftGroup" && x.spec.name === "RAFT_1")!.spec as RaftGroupSpec;

/** `hang`: the member's server takes the script and never answers. */
type Answer = { shadow?: 0 | 1; bak?: number; global?: string[]; code?: number; stderr?: string; noEnd?: boolean; hang?: boolean };

/**
 * A stand-in disql for the product's real batched command, run by the POSIX sh here: it answers
 * from `<port>.out` (+ `<port>.global` when its script asks V$GLOBAL_RAFT_INFO), `<port>.err` and
 * `<port>.code`, or never when `<port>.hang` exists, and records `<port> <global 0/1>` for each run.
 */
const DISQL = `#!/bin/sh
s=$(cat)
port=$(printf '%s\\n' "$s" | head -n 1 | sed 's/.*://')
g=0; printf '%s\\n' "$s" | grep -q 'GLOBAL_RAFT_INFO' && g=1
echo "$port $g" >> "$FAKE/asked"
[ -e "$FAKE/$port.hang" ] && exec tail -f /dev/null
cat "$FAKE/$port.out"; [ "$g" = 1 ] && cat "$FAKE/$port.global"; cat "$FAKE/$port.end"
cat "$FAKE/$port.err" >&2; exit "$(cat "$FAKE/$port.code")"
`;

let t: FakeTools;
beforeEach(() => {
  t = makeFakeTools();
  fs.writeFileSync(path.join(t.bin, "disql"), DISQL, { mode: 0o755 });
});
afterEach(() => t.cleanup());

/**
 * A RunContext whose pool runs each command with sh on this machine, disql being the stand-in
 * answering as each member would (by its port); `asked`: who was asked what, `execs`: the
 * remote commands, by connection.
 */
function world(members: RaftGroupSpec["members"], answers: Record<string, Answer>) {
  const lines: string[] = [];
  const execs: string[] = [];
  const connections = new Map(members.map((m) => [targetOf(m.connection).connKey, parseConnection(m.connection)]));
  const ctx = new RunContext(new RunLog("", (l) => lines.push(l)), {}, connections, "update");
  for (const m of members) {
    const a = answers[m.name] ?? {};
    const file = (ext: string, text: string) => fs.writeFileSync(path.join(t.dir, `${m.portNum}.${ext}`), text);
    file("out", ["##DPC:V$RLOG_RAFT_INFO", ...(a.shadow === undefined ? [] : ["RAFT_SHADOW|STATE|LEADER", `${a.shadow}|FOLLOWER|1`]), ...(a.bak === undefined ? [] : ["##DPC:BAK_USE_AP", "BAK_USE_AP", String(a.bak)]), ""].join("\n"));
    file("global", a.global ? ["##DPC:V$GLOBAL_RAFT_INFO", "INSTANCE_NAME|RAFT_ID|IS_LEARNER|RAFT_STAT", ...a.global, ""].join("\n") : "");
    file("end", a.noEnd ? "" : "##DPC:END\n");
    file("err", a.stderr ?? "");
    file("code", String(a.code ?? 0));
    if (a.hang) file("hang", "");
  }
  // The command's own bound as the pool applies it (killed, output so far), shorter here so that a
  // command the per-run bounds did not stop fails the test instead of holding it.
  const exec = async (target: { conn: { host: string; port?: number } }, command: string, o: { stdin?: string; timeoutMs?: number }): Promise<ExecResult> => {
    execs.push(`${target.conn.host}:${target.conn.port}`);
    const r = spawnSync("sh", ["-c", command], { input: o.stdin ?? "", encoding: "utf8", timeout: Math.min(o.timeoutMs ?? COMMAND_BOUND_MS, COMMAND_BOUND_MS), killSignal: "SIGKILL", env: { ...process.env, PATH: `${t.bin}:${process.env.PATH}`, FAKE: t.dir } });
    const timedOut = r.error !== undefined;
    return { stdout: r.stdout, stderr: r.stderr, code: timedOut ? null : r.status, signal: r.signal, timedOut, durationMs: 1, hostKey: "ssh-ed25519 AAAA" };
  };
  Object.assign(ctx, { pool: { exec } });
  const asked = () =>
    (fs.existsSync(path.join(t.dir, "asked")) ? fs.readFileSync(path.join(t.dir, "asked"), "utf8").trim().split("\n") : []).map((l) => {
      const [port, g] = l.split(" ");
      return { member: members.find((m) => String(m.portNum) === port)!.name, global: g === "1" };
    });
  return { ctx, asked, lines, execs };
}

const COMMAND_BOUND_MS = 30_000;
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
  expect(asked().sort((a, b) => a.member.localeCompare(b.member))).toEqual([
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
  expect(asked().filter((a) => a.global).map((a) => a.member)).toEqual(["BP11", "BP12"]);
  expect(cat!.memberShadow).toEqual({ BP11: false, BP12: false, BP13: true });
  expect(cat!.raftInfo!.map((r) => [r.name, r.shadow])).toEqual([
    ["BP11", false],
    ["BP12", false],
    ["BP13", true],
  ]);
});

test("a member read that fails or stops early is logged with host, instance and the stderr tail, secrets masked; the others on its host still count", async () => {
  registerSecret(spec.sysdbaPassword);
  const { ctx, lines, execs } = world(spec.members, {
    BP11: { shadow: 0, global: GLOBAL },
    BP12: { code: 2, stderr: `line 1\nline 2\nlogin ${spec.sysdbaPassword} refused\n[-2501]:用户名或密码错误` },
    BP13: { shadow: 1, noEnd: true, stderr: "killed" },
  });
  const cat = await readMemberRaft(ctx, spec, catalogWithLeader(), running(["BP11", "BP12", "BP13"]));
  // the three members share one host: one remote command read them all
  expect(execs).toHaveLength(1);
  expect(cat!.memberShadow).toEqual({ BP11: false, BP12: null, BP13: true });
  const host = (n: string) => spec.members.find((m) => m.name === n)!.connection.host;
  expect(lines.filter((l) => l.includes("V$RLOG_RAFT_INFO"))).toEqual([
    `[dbcluster] BP12@${host("BP12")}: reading V$RLOG_RAFT_INFO failed (exit 2): line 2 | login [secret] refused | [-2501]:用户名或密码错误`,
    `[dbcluster] BP13@${host("BP13")}: reading V$RLOG_RAFT_INFO stopped before its end marker: killed`,
  ]);
  expect(lines.join("\n")).not.toContain(spec.sysdbaPassword);
});

test("members on two hosts: one remote command per host, each reading every member on it", async () => {
  const apart = spec.members.map((m) => (m.name === "BP13" ? { ...m, connection: { ...m.connection, host: "127.0.10.2" } } : m));
  const { ctx, asked, execs } = world(apart, { BP11: { shadow: 0, global: GLOBAL }, BP12: { shadow: 0 }, BP13: { shadow: 1 } });
  const cat = await readMemberRaft(ctx, { ...spec, members: apart }, catalogWithLeader(), running(["BP11", "BP12", "BP13"]));
  expect(execs.sort()).toEqual(["127.0.10.1:2222", "127.0.10.2:2222"]);
  expect(asked().map((a) => a.member).sort()).toEqual(["BP11", "BP12", "BP13"]);
  expect(cat!.memberShadow).toEqual({ BP11: false, BP12: false, BP13: true });
});

test("a member that never answers: its run stops at its own bound and it did not answer; the others on its host are still read", async () => {
  // BP11 (the leader, first on the host) hangs: before the bound, every run after it went unread.
  const { ctx, lines, execs, asked } = world(spec.members, { BP11: { hang: true }, BP12: { shadow: 0, global: GLOBAL }, BP13: { shadow: 1 } });
  const cat = await readMemberRaft(ctx, spec, catalogWithLeader(), running(["BP11", "BP12", "BP13"]), [], 2_000);
  expect(cat!.memberShadow).toEqual({ BP11: null, BP12: false, BP13: true });
  // its cluster-wide view then taken from another BS-mode member, in one more command
  expect(execs).toHaveLength(2);
  expect(asked().filter((a) => a.global).map((a) => a.member)).toEqual(["BP11", "BP12"]);
  expect(cat!.raftInfo!.map((r) => [r.name, r.shadow])).toEqual([
    ["BP11", null],
    ["BP12", false],
    ["BP13", true],
  ]);
  const host = spec.members[0].connection.host;
  expect(lines.filter((l) => l.includes("V$RLOG_RAFT_INFO"))).toEqual([`[dbcluster] BP11@${host}: reading V$RLOG_RAFT_INFO and V$GLOBAL_RAFT_INFO timed out after 2 s: (no stderr)`]);
});
