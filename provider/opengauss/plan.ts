/**
 * The DR planner (pure): from the spec and both sides' read state to the operations that close
 * the difference, or a refusal that says what to check. gs_ddr's two sides wait for each other,
 * so a side's start (or switchover) and the other side's run in the same phase, on different hosts.
 */
import { connectionKey, parseConnection } from "../core/connection";
import type { Operation, Phase, Plan } from "../core/operation";
import {
  alterDrUserSql,
  createDrUserSql,
  credentialsFile,
  drConfigJson,
  failoverCommand,
  gsqlStdinCommand,
  startCommand,
  stopCommand,
  storageCommand,
  switchoverCommand,
  writeConfigCommand,
  writeFileCommand,
  removeLocksCommand,
  type StorageStep,
} from "./commands";
import { credentialsMatch, credentialsRecord } from "./credentials";
import type { ClusterSpec, DrSpec } from "./schema";
import { drRole, type Side, type SideState } from "./state";

export interface DrActual {
  readonly sides: Record<string, Side>;
}

export class DrPlanError extends Error {
  override readonly name = "DrPlanError";
}

const MINUTE = 60_000;

export function standbyOf(spec: DrSpec): ClusterSpec {
  return spec.clusters.find((c) => c.name !== spec.primary)!;
}
export function primaryOf(spec: DrSpec): ClusterSpec {
  return spec.clusters.find((c) => c.name === spec.primary)!;
}

function firstNode(c: ClusterSpec): { host: string; connKey: string } {
  const conn = parseConnection(c.nodes[0].connection);
  return { host: conn.host, connKey: connectionKey(conn) };
}

function op(c: ClusterSpec, o: Omit<Operation, "host" | "connKey">): Operation {
  return { ...firstNode(c), ...o };
}

function ddrTimeoutMs(spec: DrSpec): number {
  // gs_ddr's own waits are bounded by --time-out; the build and the cluster restarts come on top.
  return spec.timeoutSeconds * 1000 + 10 * MINUTE;
}

const HINT_DDR = "read the gs_ddr output above (its log is under $GAUSSLOG/om), fix the cause, then run `pulumi up` again: gs_ddr resumes from its step file";

function storagePhase(spec: DrSpec, steps: StorageStep[]): Phase[] {
  if (spec.type !== "dorado" || !spec.storageReplication) return [];
  const conn = parseConnection(spec.storageReplication.connection);
  return [
    {
      title: `storage array: ${steps.join(", ")}`,
      operations: steps.map((step) => ({
        host: conn.host,
        connKey: connectionKey(conn),
        kind: "storage",
        describe: `array remote replication step ${step} (${spec.storageReplication!.command[0]} ${step})`,
        command: storageCommand(spec, step),
        reason: `gs_ddr ${step === "start" ? "start" : step} stops at "Ready to move on (yes/no)?" until the array's pair is ready`,
        timeoutMs: ddrTimeoutMs(spec),
        hint: "the storageReplication command must exit 0 once the array's remote replication pair is in the state this step needs",
      })),
    },
  ];
}

/** How dorado's `Ready to move on` stops are answered, for the plan's reasons. */
function arrayNote(spec: DrSpec): string {
  if (spec.type !== "dorado") return "";
  return spec.storageReplication
    ? "; its Ready to move on stops are answered yes after the storageReplication step exited 0"
    : "; its Ready to move on stops are answered yes because storageReplicationConfirmed says the array's pair is handled by hand";
}

/** What dorado's prompts read: `yes` once the array step ran (or the user confirmed it). */
function answers(spec: DrSpec): string | undefined {
  return spec.type === "dorado" ? "yes\n".repeat(4) : undefined;
}

/** Everything that forbids a fresh start, all at once. */
export function startProblems(spec: DrSpec, sides: Record<string, SideState>): string[] {
  const out: string[] = [];
  for (const c of spec.clusters) {
    const s = sides[c.name];
    const at = `cluster ${c.name} (${firstNode(c).host})`;
    if (s.user === "root") out.push(`${at}: logged in as root; gs_ddr refuses root: log in as the cluster's OS user`);
    if (s.queryError) out.push(`${at}: gs_ddr -t query gave no state (${s.queryError}): the DR state is unknown, check gs_ddr on that node`);
    if (!s.envLoaded) out.push(`${at}: cannot load the environment file ${spec.envFile}: set envFile to the file that exports GAUSSHOME and PGHOST`);
    if (!s.cmAvailable) out.push(`${at}: cm_ctl does not answer: gs_ddr needs a cluster with CM`);
    else if (s.clusterState !== "Normal") out.push(`${at}: cluster_state is ${s.clusterState ?? "unknown"}, gs_ddr start needs Normal: check cm_ctl query -Cvidp`);
    const cascades = s.dns.filter((d) => d.role === "Cascade Standby");
    if (cascades.length > 0) out.push(`${at}: cascaded standby ${cascades.map((d) => d.host).join(", ")} exists; gs_ddr does not build DR over cascaded standbys`);
    if (s.upgrading) out.push(`${at}: an upgrade is in progress ($PGHOST/binary_upgrade is not empty): finish it first`);
    const ports = [...new Set(s.dns.map((d) => d.port))];
    if (ports.length > 0 && !ports.includes(c.port)) out.push(`${at}: the DNs listen on port ${ports.join(", ")}, the program says ${c.port}`);
    if (s.dns.length > 0 && s.dns.length !== c.nodes.length) out.push(`${at}: the cluster has ${s.dns.length} DNs, the program lists ${c.nodes.length} nodes`);
    if (s.sqlError) out.push(`${at}: gsql failed: ${s.sqlError}`);
  }
  const [a, b] = spec.clusters.map((c) => sides[c.name]);
  if (a.version && b.version && a.version !== b.version) out.push(`the clusters run different versions (${spec.clusters[0].name}: ${a.version}, ${spec.clusters[1].name}: ${b.version}); gs_ddr needs the same version`);
  if (a.initialUser && b.initialUser && a.initialUser !== b.initialUser) out.push(`the clusters have different initial users (${a.initialUser}, ${b.initialUser}); gs_ddr needs the same one`);
  return out;
}

function startPlan(spec: DrSpec, sides: Record<string, SideState>, resuming: boolean): Plan {
  const p = primaryOf(spec);
  const s = standbyOf(spec);
  const prep: Operation[] = [
    op(p, { kind: "write-file", describe: `write the DR config ${spec.configFile} (0600)`, command: writeConfigCommand(spec), stdin: drConfigJson(p, s), reason: "gs_ddr start reads it with --json", timeoutMs: MINUTE }),
    op(s, { kind: "write-file", describe: `write the DR config ${spec.configFile} (0600)`, command: writeConfigCommand(spec), stdin: drConfigJson(s, p), reason: "gs_ddr start reads it with --json", timeoutMs: MINUTE }),
  ];
  if (sides[p.name].drUserExists === false) {
    prep.push(op(p, { kind: "sql", describe: `create the DR user ${spec.drUser} on ${p.name}`, command: gsqlStdinCommand(spec, p), stdin: createDrUserSql(spec), reason: "the DR user does not exist on the primary", timeoutMs: MINUTE }));
  } else if (credentialsMatch(spec, sides[p.name].credentials) === false) {
    prep.push(op(p, { kind: "sql", describe: `set the DR user ${spec.drUser}'s password on ${p.name}`, command: gsqlStdinCommand(spec, p), stdin: alterDrUserSql(spec), reason: "the pair is rebuilt with another DR password", timeoutMs: MINUTE }));
  }
  const rebuild = (resuming ? "resume the unfinished start (gs_ddr's step files)" : `no DR pair yet; ${s.name}'s data will be fully rebuilt from ${p.name} (gs_ddr builds the standby with cross_cluster_full)`) + arrayNote(spec);
  return [
    { title: "prepare the DR configuration", operations: prep },
    ...storagePhase(spec, ["start"]),
    {
      title: `gs_ddr start on both clusters at once (${spec.type})`,
      operations: [
        op(p, { kind: "gs_ddr", describe: `start -m primary on ${p.name}`, command: startCommand(spec, "primary"), stdin: answers(spec), reason: rebuild, timeoutMs: ddrTimeoutMs(spec), hint: HINT_DDR }),
        op(s, { kind: "gs_ddr", describe: `start -m disaster_standby on ${s.name}`, command: startCommand(spec, "disaster_standby"), stdin: answers(spec), reason: rebuild, timeoutMs: ddrTimeoutMs(spec), hint: HINT_DDR }),
      ],
    },
    {
      title: "record the DR credentials the pair was built with",
      operations: [p, s].map((c) =>
        op(c, { kind: "write-file", describe: `write ${credentialsFile(spec)} (0600, a salted hash)`, command: writeFileCommand(credentialsFile(spec)), stdin: credentialsRecord(spec), reason: "a later change of the DR user or password is read from the hosts", timeoutMs: MINUTE }),
      ),
    },
  ];
}

function switchoverPlan(spec: DrSpec, from: ClusterSpec, to: ClusterSpec, why: string): Plan {
  const reason = why + arrayNote(spec);
  return [
    ...storagePhase(spec, ["demote", "promote"]),
    {
      title: `gs_ddr switchover: ${from.name} demotes, ${to.name} promotes (each waits for the other)`,
      operations: [
        op(from, { kind: "gs_ddr", describe: `switchover -m disaster_standby on ${from.name}`, command: switchoverCommand(spec, "disaster_standby"), stdin: answers(spec), reason, timeoutMs: ddrTimeoutMs(spec), hint: HINT_DDR }),
        op(to, { kind: "gs_ddr", describe: `switchover -m primary on ${to.name}`, command: switchoverCommand(spec, "primary"), stdin: answers(spec), reason, timeoutMs: ddrTimeoutMs(spec), hint: HINT_DDR }),
      ],
    },
  ];
}

function failoverPlan(spec: DrSpec, standby: ClusterSpec, why: string): Plan {
  const reason = why + arrayNote(spec);
  return [
    ...storagePhase(spec, ["failover"]),
    {
      title: `gs_ddr failover on ${standby.name}`,
      operations: [op(standby, { kind: "gs_ddr", describe: `failover on ${standby.name}'s first standby node`, command: failoverCommand(spec), stdin: answers(spec), reason, timeoutMs: ddrTimeoutMs(spec), hint: HINT_DDR })],
    },
  ];
}

function dissolvePlan(spec: DrSpec, current: { primary: ClusterSpec; standby: ClusterSpec }, reason: string): Plan {
  return [
    { title: `gs_ddr stop on ${current.primary.name}`, operations: [op(current.primary, { kind: "gs_ddr", describe: `stop on ${current.primary.name}'s first node`, command: stopCommand(spec), reason, timeoutMs: ddrTimeoutMs(spec), hint: HINT_DDR })] },
    ...failoverPlan(spec, current.standby, `${reason}: the standby leaves DR with failover`),
  ];
}

/**
 * The spec a dissolve of the pair as it runs goes with: the disaster type its DNs have
 * (ss_disaster_mode) and, for dorado, the array handling of this program or else the last one
 * (a dorado failover stops at "Ready to move on" whatever the new program's type).
 */
function asBuilt(spec: DrSpec, sides: Record<string, SideState>, olds: DrSpec | undefined): DrSpec {
  const mode = spec.clusters.map((c) => sides[c.name].gucs.ss_disaster_mode?.[0]).find((m) => m === "stream" || m === "dorado");
  if (mode === undefined || mode === spec.type) return spec;
  if (mode === "stream") return { ...spec, type: "stream", storageReplication: undefined, storageReplicationConfirmed: undefined };
  const handled = (x: DrSpec | undefined) => !!x && (x.storageReplication !== undefined || x.storageReplicationConfirmed === true);
  const from = handled(spec) ? spec : handled(olds) ? olds! : undefined;
  if (!from) {
    throw new DrPlanError(
      "the pair runs in dorado mode: dissolving it stops at the array's failover step, and neither this program nor the last one says how the array is handled: " +
        "set storageReplication or storageReplicationConfirmed as the pair was built, dissolve (delete the resource), then declare the new pair",
    );
  }
  return { ...spec, type: "dorado", storageReplication: from.storageReplication, storageReplicationConfirmed: from.storageReplicationConfirmed };
}

function reachable(spec: DrSpec, a: DrActual): Record<string, SideState> | undefined {
  const out: Record<string, SideState> = {};
  for (const c of spec.clusters) {
    const s = a.sides[c.name];
    if (!s?.reachable) return undefined;
    out[c.name] = s;
  }
  return out;
}

/**
 * Where the clusters' DNs differ from the program (port, replica count). A rebuild cannot close
 * this: the resource changes no DN port or replica, and the start would refuse the same cluster.
 */
export function clusterChanges(spec: DrSpec, sides: Record<string, SideState>): string[] {
  const out: string[] = [];
  for (const c of spec.clusters) {
    const s = sides[c.name];
    const ports = [...new Set(s.dns.map((d) => d.port))];
    if (ports.length > 0 && !ports.includes(c.port)) out.push(`clusters[${c.name}].port: ${ports.join(", ")} → ${c.port} (no DN port change while paired)`);
    if (s.dns.length > 0 && s.dns.length !== c.nodes.length) out.push(`clusters[${c.name}].nodes: ${s.dns.length} → ${c.nodes.length} replicas (no replica count change while paired)`);
  }
  return out;
}

/** What gs_ddr forbids changing while paired, read from the clusters (DN ports, replicas, the type, the recorded credentials). */
export function pairedChanges(spec: DrSpec, sides: Record<string, SideState>): string[] {
  const out = clusterChanges(spec, sides);
  for (const c of spec.clusters) {
    const mode = sides[c.name].gucs.ss_disaster_mode?.[0];
    if ((mode === "stream" || mode === "dorado") && mode !== spec.type) out.push(`type: ${c.name} runs DR in ${mode} mode, the program says ${spec.type} (chosen at start only)`);
  }
  if (spec.clusters.some((c) => credentialsMatch(spec, sides[c.name].credentials) === false)) {
    out.push("drUser/drPassword differ from the ones the pair was built with (the DR user and password cannot change while paired)");
  }
  return out;
}

const LOCK_NAME = /^ddr_lock_[0-9A-Za-z]{1,64}$/;

/**
 * gs_ddr refuses to run while another run's lock file exists. A lock with no gs_ddr process on
 * its node was left by a killed run (kill -9, a power loss): removing it loses nothing. A lock
 * with gs_ddr running is someone else's operation: refused.
 */
function staleLocks(spec: DrSpec, actual: DrActual): Plan {
  const ops: Operation[] = [];
  for (const c of spec.clusters) {
    const s = actual.sides[c.name];
    if (!s?.reachable || s.locks.length === 0) continue;
    if (s.ddrRunning !== false) {
      throw new DrPlanError(`gs_ddr is running on ${firstNode(c).host} (${c.name}; lock ${s.locks.join(", ")}; ${(s.ddrProcesses ?? []).join("; ") || "processes unknown"}): wait for it to finish, then run up again`);
    }
    const names = s.locks.filter((l) => LOCK_NAME.test(l));
    if (names.length !== s.locks.length) throw new DrPlanError(`${firstNode(c).host}: unexpected lock file names in $PGHOST: ${s.locks.join(", ")}; remove them by hand`);
    ops.push(op(c, { kind: "rm", describe: `remove gs_ddr's stale lock ${names.join(", ")} on ${c.name}`, command: removeLocksCommand(spec, names), reason: "a killed gs_ddr left its lock and no gs_ddr runs there; gs_ddr refuses to run until it is gone", timeoutMs: MINUTE }));
  }
  return ops.length === 0 ? [] : [{ title: "remove stale gs_ddr locks", operations: ops }];
}

export function planDr(spec: DrSpec, actual: DrActual, how: { creating: boolean; olds?: DrSpec }): Plan {
  const locks = staleLocks(spec, actual);
  return locks.length > 0 ? locks : planPair(spec, actual, how);
}

function planPair(spec: DrSpec, actual: DrActual, how: { creating: boolean; olds?: DrSpec }): Plan {
  const p = primaryOf(spec);
  const s = standbyOf(spec);
  if (spec.failover) {
    const st = actual.sides[s.name];
    if (!st?.reachable) throw new DrPlanError(`failover: cannot reach ${s.name} (${firstNode(s).host}): ${st && !st.reachable ? st.error : "not read"}`);
    if (drRole(st) !== "standby") return []; // promoted already: the pair is gone and must be rebuilt
    return failoverPlan(spec, s, `failover requested (confirm: ${spec.failover.confirm}); the pair is gone afterwards and must be rebuilt`);
  }
  const sides = reachable(spec, actual);
  if (!sides) {
    const lost = spec.clusters.filter((c) => !actual.sides[c.name]?.reachable);
    throw new DrPlanError(
      `cannot reach ${lost.map((c) => `${c.name} (${firstNode(c).host}: ${(actual.sides[c.name] as { error?: string })?.error ?? "not read"})`).join(", ")}. ` +
        `If the primary cluster is lost, promote the standby explicitly with failover: { confirm: "${s.name}" }.`,
    );
  }
  const roles = Object.fromEntries(spec.clusters.map((c) => [c.name, drRole(sides[c.name])]));
  const steps = spec.clusters.flatMap((c) => sides[c.name].stepFiles);
  const startSteps = steps.filter((f) => /^\.ddr_start_/.test(f));
  const paired = roles[p.name] === "primary" && roles[s.name] === "standby" && sides[p.name].drState === "archive" && sides[s.name].drState === "recovery";
  const reversed = roles[p.name] === "standby" && roles[s.name] === "primary";

  if (reversed || steps.some((f) => /^\.ddr_switchover_/.test(f))) {
    const changes = pairedChanges(spec, sides);
    if (changes.length > 0) throw new DrPlanError(`while paired, refused: ${changes.join("; ")}. Dissolve the pair first (or set allowRebuild: true).`);
    return switchoverPlan(spec, s, p, `${p.name} is to be the primary; it is the DR standby now`);
  }
  if (paired) {
    const changes = pairedChanges(spec, sides);
    if (changes.length === 0) return [];
    if (!spec.allowRebuild) throw new DrPlanError(`while paired, refused: ${changes.join("; ")}. Dissolve the pair first, or set allowRebuild: true to have it dissolved and rebuilt.`);
    const unreachable = clusterChanges(spec, sides);
    if (unreachable.length > 0) {
      // Dissolving would leave two plain clusters the start then refuses: nothing half-applied.
      throw new DrPlanError(
        `allowRebuild cannot rebuild the pair as declared: ${unreachable.join("; ")}. This resource changes no DN port or replica count and gs_ddr forbids both while paired: ` +
          "dissolve the pair (delete the resource), change the clusters, then declare the pair again; or put the program back to the clusters as they are",
      );
    }
    return dissolvePlan(asBuilt(spec, sides, how.olds), { primary: p, standby: s }, `allowRebuild: ${changes.join("; ")}`);
  }
  if (how.olds?.failover && !spec.failover && !spec.allowRebuild) {
    throw new DrPlanError(
      `the pair was failed over to ${how.olds.failover.confirm}, which has served writes since. Building the pair again with ${p.name} as primary rebuilds ${s.name} from it: ` +
        `set allowRebuild: true to do so, or make ${how.olds.failover.confirm} the primary to rebuild the other cluster instead`,
    );
  }
  const resuming = startSteps.length > 0 || ["full_backup", "backup_fail", "restore", "restore_fail"].some((st) => spec.clusters.some((c) => sides[c.name].drState === st));
  if (!resuming) {
    if (roles[p.name] !== "none" || roles[s.name] !== "none") {
      throw new DrPlanError(
        `the clusters are in an unexpected DR state (${spec.clusters.map((c) => `${c.name}: ${sides[c.name].drState ?? "?"}, role ${roles[c.name]}`).join("; ")}): check gs_ddr -t query on both, finish or dissolve what runs there, then run up again`,
      );
    }
    const problems = startProblems(spec, sides);
    if (problems.length > 0) throw new DrPlanError(`cannot build the DR pair:\n  - ${problems.join("\n  - ")}`);
  }
  return startPlan(spec, sides, resuming);
}

/** Delete dissolves the pair (stop on the primary, failover on the standby); both clusters stay. */
export function planDrDelete(spec: DrSpec, actual: DrActual): Plan {
  const locks = staleLocks(spec, actual);
  const sides = reachable(spec, actual);
  if (!sides) {
    const lost = spec.clusters.filter((c) => !actual.sides[c.name]?.reachable).map((c) => c.name);
    throw new DrPlanError(`cannot dissolve the pair: ${lost.join(", ")} unreachable. Bring the hosts back, or use failover: { confirm } first when the primary is lost.`);
  }
  const primary = spec.clusters.find((c) => drRole(sides[c.name]) === "primary");
  const standby = spec.clusters.find((c) => drRole(sides[c.name]) === "standby");
  if (primary && standby) return [...locks, ...dissolvePlan(spec, { primary, standby }, "delete dissolves the DR pair; both clusters keep their data")];
  if (standby) return [...locks, ...failoverPlan(spec, standby, "delete: the standby leaves DR")];
  return locks;
}
