import * as os from "os";
import * as path from "path";

/** Where a simulator runs: the LAB_* variables a lab host sets on every command. */
export interface HostEnv {
  /** Host name (`host1`, ...). @default "localhost" outside the lab */
  readonly host: string;
  /** The host's loopback address. @default "127.0.0.1" outside the lab */
  readonly address: string;
  /** The host's private directory (run/, faults/, commands.log). @default `<tmpdir>/pulumi-dbcluster-lab/<host>` outside the lab */
  readonly hostDir: string;
  /** The lab's directory (holds lab.json). @default the parent of the parent of hostDir */
  readonly labDir: string;
  /** DM_HOME of the host. @default `<hostDir>/dm` */
  readonly dmHome: string;
  /** True when the variables came from a lab host, false when the fallbacks were used. */
  readonly inLab: boolean;
}

/** Reads the host environment; outside the lab (a simulator run by hand) it falls back to a
 *  per-user scratch directory so that the tools still work and never write into the cwd. */
export function hostEnv(env: NodeJS.ProcessEnv = process.env): HostEnv {
  const inLab = Boolean(env.LAB_HOST_DIR);
  const host = env.LAB_HOST || "localhost";
  const hostDir = env.LAB_HOST_DIR || path.join(os.tmpdir(), "pulumi-dbcluster-lab", host);
  return {
    host,
    address: env.LAB_HOST_ADDR || "127.0.0.1",
    hostDir,
    labDir: env.LAB_DIR || path.dirname(path.dirname(hostDir)),
    dmHome: env.DM_HOME || path.join(hostDir, "dm"),
    inLab,
  };
}
