/** dminit: a new database from a CONTROL file fed through a pipe. */
import { sh } from "../../core/quote/sh";
import { renderIni } from "../ini";
import type { Role } from "../schema";
import { files, tool, type InstanceLayout } from "./layout";

export interface DminitParams extends InstanceLayout {
  readonly name: string;
  readonly mode: Role;
  readonly portNum: number;
  readonly apPortNum: number;
  readonly pageSize: number;
  readonly extentSize: number;
  readonly charset: number;
  readonly caseSensitive: boolean;
  readonly sysdbaPassword: string;
}

/** dminit exits with this when the database already exists (checked before dminit runs). */
export const EXIT_DB_EXISTS = 17;

/**
 * dminit with its parameters in a CONTROL file (dminit's `CONTROL=<file>`: an ini of its own
 * parameters) so that SYSDBA_PWD never reaches argv. dminit cannot read its parameters from
 * stdin, so the CONTROL "file" is `/dev/stdin` of dminit itself, a pipe the shell feeds from the
 * step's stdin: the password passes through the kernel to dminit and is never stored on a disk,
 * so a step killed at any point (SIGKILL, power loss) leaves no file holding it. The pipe is the
 * shell's own (never the session's stdin, which sshd may give as a socket that /dev/stdin cannot
 * open). An earlier form fed a named pipe from a background writer; bash 5.2 then printed
 * "wait_for: No record of process" on about one run in fifteen as it reaped the writer.
 * Refuses to run over an existing dm.ini.
 */
export function dminitCommand(p: DminitParams): { command: string; stdin: string } {
  if (/[\r\n\0#]/.test(p.sysdbaPassword)) throw new Error("the SYSDBA password cannot contain a line break, NUL or # (the CONTROL file has # comments)");
  // The manual's form (DM8 dminit 高级主题 §5.1): a [node_instance] section named after the
  // instance, system_path in place of PATH, the other dminit parameters beside it.
  const control =
    `[${p.name}]\n` +
    renderIni([
      ["SYSTEM_PATH", p.path],
      ["DB_NAME", p.dbName],
      ["INSTANCE_NAME", p.name],
      ["PORT_NUM", p.portNum],
      ["AP_PORT_NUM", p.apPortNum],
      ["DPC_MODE", p.mode],
      ["PAGE_SIZE", p.pageSize],
      ["EXTENT_SIZE", p.extentSize],
      ["CHARSET", p.charset],
      ["CASE_SENSITIVE", p.caseSensitive ? 1 : 0],
    ]) + `SYSDBA_PWD = ${p.sysdbaPassword}\n`;
  const command =
    sh`if [ -e ${files.dmIni(p)} ]; then echo ${"a database already exists at " + files.dbDir(p) + "; refusing to run dminit over it"} >&2; exit ${EXIT_DB_EXISTS}; fi; ` +
    // Safe under a caller's `set -e`: dminit's status is taken in an `if`. A dminit that never
    // reads leaves no writer behind: printf ends once the pipe's buffer holds the control, or on
    // the pipe closing.
    sh`mkdir -p ${p.path} && ctl=$(cat) || exit 1; ` +
    sh`if printf '%s\n' "$ctl" | ${tool(p, "dminit")} CONTROL=/dev/stdin; then st=0; else st=$?; fi; exit "$st"`;
  return { command, stdin: control };
}
