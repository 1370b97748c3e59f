import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { HostPlan } from "./provision";

/** The sshd binary; LAB_SSHD overrides it (another build, or a missing one to test the message). */
export const SSHD = process.env.LAB_SSHD || "/usr/sbin/sshd";
export const SSHD_MISSING = "openssh-server is not installed: apt-get install -y openssh-server";

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The ForceCommand of a host: every session, whatever the client asked, runs this script, which
 * gives the command the host's environment (lab/README.md), runs it with `<login shell> -c`, and logs it
 * as the embedded server does. A command killed by a signal is reported as that signal again
 * (bash only sees 128+n, so an explicit `exit 129..192` is read as a signal too).
 */
export function sessionScript(plan: HostPlan, env: Record<string, string>): string {
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`);
  return `#!/bin/bash
${exports.join("\n")}
cd "$HOME" || exit 1
if [ -z "\${SSH_ORIGINAL_COMMAND+x}" ]; then
  exec ${plan.loginShell ?? "/bin/bash"} -i
fi
json() {
  local s=$1 out= c i
  s=\${s//\\\\/\\\\\\\\}; s=\${s//\\"/\\\\\\"}
  s=\${s//$'\\n'/\\\\n}; s=\${s//$'\\r'/\\\\r}; s=\${s//$'\\t'/\\\\t}
  for ((i = 0; i < \${#s}; i++)); do
    c=\${s:i:1}
    if [[ $c < ' ' ]]; then printf -v c '\\\\u%04x' "'$c"; fi
    out+=$c
  done
  printf '"%s"' "$out"
}
start=\${EPOCHREALTIME//[.,]/}
time=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
# The unmount-shared fault (lab/hosts/mounts.ts): the command runs without the shared directory.
if lost=$(cat "$LAB_HOST_DIR/faults/unmounted" 2>/dev/null) && [ -n "$lost" ]; then
  unshare --mount --propagation private -- /bin/sh -c 'mount --bind "$1" "$2" || exit 125; shift 2; exec "$@"' sh "$LAB_HOST_DIR/faults/unmounted.d" "$lost" ${plan.loginShell ?? "/bin/bash"} -c "$SSH_ORIGINAL_COMMAND"
else
  ${plan.loginShell ?? "/bin/bash"} -c "$SSH_ORIGINAL_COMMAND"
fi
st=$?
dur=$(( (\${EPOCHREALTIME//[.,]/} - start) / 1000 ))
sig=
if (( st > 128 && st < 128 + 65 )); then sig=$(kill -l $((st - 128)) 2>/dev/null); fi
if [ -n "$sig" ]; then
  printf '{"time":"%s","command":%s,"exit":null,"signal":"SIG%s","durationMs":%d}\\n' "$time" "$(json "$SSH_ORIGINAL_COMMAND")" "$sig" "$dur" >> ${q(plan.commandLog)}
  trap - "$sig"
  kill -s "$sig" $$
fi
printf '{"time":"%s","command":%s,"exit":%d,"signal":null,"durationMs":%d}\\n' "$time" "$(json "$SSH_ORIGINAL_COMMAND")" "$st" "$dur" >> ${q(plan.commandLog)}
exit $st
`;
}

export function sshdConfig(plan: HostPlan, port: number, forceCommand: string, pidFile: string): string {
  return [
    `ListenAddress ${plan.address}:${port}`,
    `HostKey ${plan.hostPrivateKeyPath}`,
    `PidFile ${pidFile}`,
    `AuthorizedKeysFile ${plan.authorizedKeysPath}`,
    "AuthenticationMethods publickey",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    `AllowUsers ${plan.user}`,
    "StrictModes no", // the lab's files live in a temporary directory, not a home owned by the user
    "UsePAM no",
    "PrintMotd no",
    "PrintLastLog no",
    "X11Forwarding no",
    "AllowTcpForwarding local", // a jump host (direct-tcpip), as sshd allows by default
    "PermitUserEnvironment no",
    "UseDNS no",
    "LogLevel ERROR",
    `ForceCommand ${forceCommand}`,
    "",
  ].join("\n");
}

/** Starts one `sshd -D` for a host on `port` of its address. */
export function startSshd(plan: HostPlan, port: number, env: Record<string, string>): ChildProcess {
  if (!fs.existsSync(SSHD)) throw new Error(SSHD_MISSING);
  // sshd checks for its privilege separation directory even when nothing uses it.
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const sshDir = path.dirname(plan.hostPrivateKeyPath);
  const wrapper = path.join(sshDir, "session.sh");
  fs.writeFileSync(wrapper, sessionScript(plan, env), { mode: 0o755 });
  const config = path.join(sshDir, "sshd_config");
  fs.writeFileSync(config, sshdConfig(plan, port, wrapper, path.join(sshDir, "sshd.pid")));
  // sshd's own environment stays free of LAB_* so that sweeps for a host's processes spare it.
  return spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "inherit", "inherit"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
}
