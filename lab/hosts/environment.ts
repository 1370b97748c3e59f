import * as path from "path";
import { LabHost } from "./lab-json";

/** The fields of a host that decide the environment of its commands. */
export type EnvHost = Pick<LabHost, "name" | "address" | "hostDir" | "dmHome" | "ogHome" | "obHome"> & { readonly loginShell?: string };

export function homeOf(host: Pick<LabHost, "hostDir">): string {
  return path.join(host.hostDir, "home");
}

/**
 * The environment of every command a host runs (lab/README.md): the host's own tools (crontab,
 * a date that answers with the lab clock) and the simulated database tools first on PATH,
 * then the lab's own PATH so that bash, node and coreutils resolve as on the machine.
 * Nothing else leaks from the daemon's environment, as with a fresh SSH login.
 */
export function commandEnv(host: EnvHost, labDir: string, user: string, labPath = process.env.PATH ?? "/usr/bin:/bin"): Record<string, string> {
  return {
    PATH: [path.join(host.dmHome, "bin"), path.join(host.ogHome, "bin"), path.join(host.obHome, "bin"), path.join(host.hostDir, "bin"), labPath].join(":"),
    HOME: homeOf(host),
    USER: user,
    LOGNAME: user,
    SHELL: host.loginShell ?? "/bin/bash",
    LANG: "C.UTF-8",
    LAB_HOST: host.name,
    LAB_HOST_ADDR: host.address,
    LAB_HOST_DIR: host.hostDir,
    LAB_DIR: labDir,
    DM_HOME: host.dmHome,
  };
}
