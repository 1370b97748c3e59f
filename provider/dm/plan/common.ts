/**
 * Building blocks of the DM planners: one function per kind of step, each returning a core
 * Operation whose `describe` is the plan line users read: what the step does, then after ` $ `
 * the exact command line or SQL it runs, shell-quoted as sent (`shown`); secrets never (they
 * travel on stdin, and the printed plan is redacted besides).
 */
import { writeFileOperation } from "../../core/files";
import { sh } from "../../core/quote/sh";
import {
  backupCommand,
  dmserverInvocation,
  serverDpcMode,
  disqlCommand,
  files,
  restoreCommand,
  setIniKeysCommand,
  startCommand,
  stopCommand,
  updateDbMagicCommand,
  waitFollowingCommand,
  waitLeaderCommand,
  waitStoppedCommand,
  disqlScripts,
  restoreOnlineSetCommand,
  type InstanceLayout,
} from "../commands";
import { DEFAULTS } from "../defaults";
import { targetOf, type CopyOperation, type Operation, type Target } from "../ops";
import type { ConnectionArgs, MpLogin, Role } from "../schema";
import { DISQL_SQLERROR_EXIT, SQL, disqlScript } from "../sql";

/** What every planner step needs to know about an instance. */
export interface Place extends InstanceLayout {
  readonly name: string;
  readonly mode: Role;
  readonly connection: ConnectionArgs;
  readonly ip: string;
  readonly portNum: number;
}

const SQL_TIMEOUT_MS = 120_000;
const RMAN_TIMEOUT_MS = 3_600_000;

function at(p: { connection: ConnectionArgs }): Target {
  return targetOf(p.connection);
}

/** A plan line: the step in words, then the exact command it runs. */
export function shown(summary: string, exact: string): string {
  return `${summary} $ ${exact}`;
}

/** A disql run on the login's host, the statements on stdin after the login line. */
export function sqlOp(login: MpLogin, password: string, statements: readonly string[], reason: string, advice?: string): Operation {
  return {
    ...at(login),
    kind: "sql",
    describe: shown(`disql ${login.name}: ${statements.join(" ")}`, `${disqlCommand(login)} < script: CONN SYSDBA/<not shown>@${login.ip}:${login.portNum}, settings, the statements, EXIT`),
    command: disqlCommand(login),
    stdin: disqlScript({ password, ip: login.ip, port: login.portNum }, statements),
    reason,
    timeoutMs: SQL_TIMEOUT_MS,
    // disql fails in two ways that need different fixes: DM refused a statement, or it never got in.
    hint:
      `exit status ${DISQL_SQLERROR_EXIT} means DM refused a statement: its [code] and message are in the output and the statements before it took effect; ` +
      `another status means disql could not connect or log in to ${login.name} (${login.ip}:${login.portNum}): is it running? ` +
      `Fix the cause, then run \`pulumi up\` again: it goes on from what is there${advice ? `. ${advice}` : ""}`,
  };
}

export function startOp(p: Place, reason: string, mount = false): Operation {
  return {
    ...at(p),
    kind: "start",
    describe: shown(`dmserver ${files.dmIni(p)} dpc_mode=${serverDpcMode({ mode: p.mode, mount })}${mount ? " MOUNT" : ""} (${p.name})`, `setsid nohup ${dmserverInvocation({ ...p, mount })}, then wait for ${p.ip}:${p.portNum}`),
    command: startCommand({ ...p, mount, timeoutMs: DEFAULTS.startTimeoutMs }),
    reason,
    timeoutMs: DEFAULTS.startTimeoutMs + 15_000,
  };
}

export function stopOp(p: Place, reason: string, all = false): Operation {
  return {
    ...at(p),
    kind: "stop",
    describe: shown(`${all ? "exit all (SIGUSR1)" : "exit (SIGTERM)"} ${p.name}`, `kill -${all ? "USR1" : "TERM"} <pid of the dmserver of ${files.dmIni(p)}>, then wait until it has exited`),
    command: stopCommand({ ...p, all, timeoutMs: DEFAULTS.stopTimeoutMs }),
    reason,
    timeoutMs: DEFAULTS.stopTimeoutMs + 15_000,
  };
}

export function waitStoppedOp(p: Place, reason: string): Operation {
  return {
    ...at(p),
    kind: "wait-stopped",
    describe: `wait until ${p.name} has exited`,
    command: waitStoppedCommand({ ...p, timeoutMs: DEFAULTS.stopTimeoutMs }),
    reason,
    timeoutMs: DEFAULTS.stopTimeoutMs + 15_000,
  };
}

export function setIniOp(p: Place, file: "dm.ini", changes: Record<string, string | number>, reason: string): Operation {
  const path = files.dmIni(p);
  const cmd = setIniKeysCommand(path);
  return {
    ...at(p),
    kind: "set-ini",
    describe: `set ${Object.entries(changes).map(([k, v]) => `${k} = ${v}`).join(", ")} in ${path} (${p.name}, ${file})`,
    command: cmd.command,
    stdin: cmd.stdinFor(changes),
    reason,
    timeoutMs: 60_000,
  };
}

export function writeOp(p: Place, path: string, content: string, reason: string, mode = 0o644): Operation {
  const t = at(p);
  return writeFileOperation({ host: t.host, connKey: t.connKey, path, content, mode, reason });
}

export function mkdirOp(p: Place, dir: string, reason: string): Operation {
  const command = sh`mkdir -p ${dir}`;
  return { ...at(p), kind: "mkdir", describe: shown(`mkdir -p ${dir} (${p.name})`, command), command, reason, timeoutMs: 60_000 };
}

export function backupOp(p: Place, name: string, reason: string, shadow = false): Operation {
  return {
    ...at(p),
    kind: "dmrman",
    describe: shown(`dmrman offline full${shadow ? " SHADOW" : ""} backup of ${p.name} to ${files.backupSet(p, name)}`, backupCommand(p, name, shadow)),
    command: backupCommand(p, name, shadow),
    reason,
    timeoutMs: RMAN_TIMEOUT_MS,
  };
}

export function restoreOps(p: Place, backupSet: string, reason: string, opts: { toShadow?: boolean; online?: boolean } = {}): Operation[] {
  const base = { ...at(p), kind: "dmrman", timeoutMs: RMAN_TIMEOUT_MS };
  const shadow = opts.toShadow ? " TO SHADOW" : "";
  // An offline backup carries no REDO to replay (the seed skips RECOVER); an online one is applied
  // as the manual's replica procedure does (MGT §8.2.2): BAK_MAGIC from SHOW BACKUPSET, RESTORE
  // and RECOVER FOR STANDBY with it.
  const restore = opts.online
    ? { describe: shown(`dmrman restore ${p.name}${shadow} from ${backupSet} (online set: SHOW BACKUPSET, RESTORE ... USE BAK_MAGIC, RECOVER ... FOR STANDBY ... UNTIL END_LSN)`, restoreOnlineSetCommand(p, backupSet, opts.toShadow)), command: restoreOnlineSetCommand(p, backupSet, opts.toShadow) }
    : { describe: shown(`dmrman restore ${p.name}${shadow} from ${backupSet}`, restoreCommand(p, backupSet, opts.toShadow)), command: restoreCommand(p, backupSet, opts.toShadow) };
  return [
    { ...base, ...restore, reason },
    { ...base, describe: shown(`dmrman recover ${p.name} UPDATE DB_MAGIC`, updateDbMagicCommand(p)), command: updateDbMagicCommand(p), reason },
  ];
}

/**
 * Copies a backup set from one host to another. Core's copyRemoteDir runs both ends (`tar c` on
 * the source piped into `tar x` here), so `command` is never run: it refuses, should anything
 * try to run the step as a plain command.
 */
export function copyDirOp(from: Place, fromDir: string, to: Place, toDir: string, reason: string): CopyOperation {
  const src = at(from);
  return {
    ...at(to),
    kind: "copy-dir",
    describe: shown(`copy ${src.host}:${fromDir} to ${toDir} (${to.name})`, `${sh`tar -C ${fromDir} -cf - .`} on ${src.host} | ${sh`mkdir -p ${toDir} && tar -C ${toDir} -xf -`}`),
    command: sh`echo ${"a copy-dir step runs through copyRemoteDir, not as a command"} >&2; exit 2`,
    reason,
    timeoutMs: RMAN_TIMEOUT_MS,
    copyFrom: { host: src.host, connKey: src.connKey, dir: fromDir },
    copyTo: { dir: toDir },
  };
}

export function waitLeaderOp(runOn: Place, logins: readonly MpLogin[], password: string, members: readonly string[], reason: string, hint?: string): Operation {
  const scripts = logins.map((l) => disqlScript({ password, ip: l.ip, port: l.portNum }, [SQL.instanceStates]));
  return {
    ...at(runOn),
    kind: "wait-leader",
    describe: `wait until one of ${members.join(", ")} is PRIMARY and OPEN in the MP catalog`,
    command: waitLeaderCommand(runOn, members, DEFAULTS.electionTimeoutMs),
    stdin: disqlScripts(scripts),
    reason,
    timeoutMs: DEFAULTS.electionTimeoutMs + 15_000,
    ...(hint ? { hint } : {}),
  };
}

/** Waits until every one of `members` (learners just added) follows the group's leader. */
export function waitFollowingOp(runOn: Place, logins: readonly MpLogin[], password: string, members: readonly string[], reason: string): Operation {
  const scripts = logins.map((l) => disqlScript({ password, ip: l.ip, port: l.portNum }, [SQL.instanceStates]));
  return {
    ...at(runOn),
    kind: "wait-following",
    describe: `wait until ${members.join(", ")} follow the leader in the MP catalog`,
    command: waitFollowingCommand(runOn, members, DEFAULTS.electionTimeoutMs),
    stdin: disqlScripts(scripts),
    reason,
    timeoutMs: DEFAULTS.electionTimeoutMs + 15_000,
  };
}

/** An MP member as a login. */
export function loginOf(p: Place & { dmHome?: string }): MpLogin {
  return { name: p.name, connection: p.connection, ip: p.ip, portNum: p.portNum, dmHome: p.dmHome };
}
