/**
 * planInstance: one instance's directory on its host — dminit (never over an existing
 * database), its dm.ini parameters, its mp.ini. The process belongs to the RAFT group.
 */
import { dminitCommand, files, tool, type HostState } from "../commands";
import { iniDiff, parseIni, parseMpIni, renderMpIni } from "../ini";
import { PlanError, phase, targetOf, type Plan } from "../ops";
import { INSTANCE_IMMUTABLE, INSTANCE_STATIC_PORTS, type InstanceSpec } from "../schema";
import { setIniOp, shown, stopOp, writeOp } from "./common";
import { sh } from "../../core/quote/sh";

export interface InstancePlanOptions {
  /** This is the resource's create (not an update or a refresh of one we made). */
  readonly creating: boolean;
}

/** dm.ini keys the Instance owns (dminit sets the rest; the RAFT group sets ARCH_INI & co.). */
export function desiredDmIni(spec: InstanceSpec): Record<string, string | number> {
  return { PORT_NUM: spec.portNum, AP_PORT_NUM: spec.apPortNum, ...spec.dmIni };
}

/**
 * A dminit run in words and as run: its CONTROL file's parameters as the tool reads them, with
 * SYSDBA_PWD left out (it is only in the 0600 file written from stdin).
 */
export function dminitShown(p: { dmHome?: string }, control: string): { summary: string; exact: string } {
  const params = control
    .split("\n")
    .map((l) => /^\s*([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[1] !== "SYSDBA_PWD")
    .map((m) => `${m[1]}=${m[2]}`);
  return { summary: `dminit ${params.join(" ")} (SYSDBA_PWD not shown)`, exact: `${sh`${tool(p, "dminit")}`} CONTROL=<0600 file written from stdin, removed after>` };
}

export function planInstance(spec: InstanceSpec, actual: HostState, opts: InstancePlanOptions): Plan {
  const res = `dm.Instance ${spec.name}`;
  const create = [];
  const configure = [];
  let dmIni = actual.dmIni === null ? null : parseIni(actual.dmIni);
  if (dmIni === null) {
    const d = dminitCommand({ ...spec, sysdbaPassword: spec.sysdbaPassword });
    const t = targetOf(spec.connection);
    create.push({
      ...t,
      kind: "dminit",
      describe: ((x) => shown(x.summary, x.exact))(dminitShown(spec, d.stdin)),
      command: d.command,
      stdin: d.stdin,
      reason: `no database at ${files.dbDir(spec)} (no dm.ini)`,
      timeoutMs: 600_000,
    });
    // What dminit writes from its parameters; only user extras can differ afterwards.
    dmIni = { global: { PORT_NUM: String(spec.portNum), AP_PORT_NUM: String(spec.apPortNum), INSTANCE_NAME: spec.name }, sections: {} };
  } else {
    const name = dmIni.global.INSTANCE_NAME;
    if (name !== undefined && name.toUpperCase() !== spec.name.toUpperCase())
      throw new PlanError(res, `${files.dmIni(spec)} belongs to instance ${name}, not ${spec.name}; refusing to touch another database (choose another path)`);
    const mode = dmIni.global.DPC_MODE;
    if (mode !== undefined && !/^\d+$/.test(mode) && mode.toUpperCase() !== spec.mode)
      throw new PlanError(res, `${files.dbDir(spec)} is a ${mode} database, not ${spec.mode}; DPC_MODE is fixed at dminit`);
    if (opts.creating && !spec.adopt)
      throw new PlanError(res, `a database already exists at ${files.dbDir(spec)} (INSTANCE_NAME ${name ?? "unknown"}); set adopt: true to take it over, or choose another path`);
  }
  const changes = iniDiff(dmIni, desiredDmIni(spec));
  if (Object.keys(changes).length > 0) {
    const running = actual.pids.length > 0 ? " (the running server reads it at its next start)" : "";
    configure.push(setIniOp(spec, "dm.ini", changes, `dm.ini differs: ${Object.keys(changes).join(", ")}${running}`));
  }
  const wantMp = renderMpIni(spec.mpNodes);
  const haveMp = actual.mpIni === null ? null : parseMpIni(actual.mpIni);
  if (haveMp === null || JSON.stringify(haveMp) !== JSON.stringify(parseMpIni(wantMp)))
    configure.push(writeOp(spec, files.mpIni(spec), wantMp, haveMp === null ? "no mp.ini" : "mp.ini names other MPs"));
  return [...phase(`create database ${spec.name}`, create), ...phase(`configure ${spec.name}`, configure)];
}

/**
 * Delete: the RAFT group stopped and unregistered the instance before (Pulumi deletes the group
 * first). The directory stays unless deleteData, and is never removed under a running server:
 * whoever started it (the product, `dmserver path=...` by hand, a DmService unit), a server
 * still running on it is refused by pid.
 */
export function planInstanceDelete(spec: InstanceSpec, actual: HostState): Plan {
  const removing = spec.deleteData && (actual.pathExists || actual.dmIni !== null);
  if (removing && actual.pids.length > 0)
    throw new PlanError(
      `dm.Instance ${spec.name}`,
      `deleteData is set, but a dmserver is running on ${files.dbDir(spec)} (pid ${actual.pids.join(", ")}); the directory of a running server is never removed. ` +
        `Stop that server (if a RAFT group or a DmService unit manages it, through them), then run the delete again`,
    );
  const stop = actual.pids.length > 0 ? [stopOp(spec, "still running although no RAFT group manages it")] : [];
  const dir = files.dbDir(spec);
  const remove = removing
    ? [{ ...targetOf(spec.connection), kind: "remove", describe: shown(`remove ${dir} (deleteData)`, sh`rm -rf ${dir}`), command: sh`rm -rf ${dir}`, reason: "deleteData is true", timeoutMs: 600_000 }]
    : [];
  return [...phase(`stop ${spec.name}`, stop), ...phase(`remove ${spec.name}`, remove)];
}

export interface InstanceDiff {
  /** Fields fixed at dminit that changed: the instance must be replaced. */
  readonly replaces: string[];
  /** Fields updated in place. */
  readonly changes: string[];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function diffInstance(olds: InstanceSpec, news: InstanceSpec): InstanceDiff {
  const immutable = new Set<string>([...INSTANCE_IMMUTABLE, ...INSTANCE_STATIC_PORTS]);
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  const replaces: string[] = [];
  const changes: string[] = [];
  for (const k of keys) {
    const a = (olds as Record<string, unknown>)[k];
    const b = (news as Record<string, unknown>)[k];
    if (same(a, b)) continue;
    // The connection is how we reach the host, not what the instance is: its host is.
    if (k === "connection" && (a as { host?: string })?.host === (b as { host?: string })?.host) {
      changes.push(k);
      continue;
    }
    (immutable.has(k) || k === "connection" ? replaces : changes).push(k);
  }
  return { replaces: replaces.sort(), changes: changes.sort() };
}
