/**
 * Stand-ins for dminit and dmserver, written into a temp bin/ for the command tests: they record
 * what they received and behave like the real tools where the commands depend on it (dmserver
 * listens on PORT_NUM of its dm.ini, exits on SIGTERM/SIGUSR1; dminit creates dm.ini).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface FakeTools {
  readonly dir: string;
  readonly bin: string;
  readonly record: string;
  run(command: string, stdin?: string, timeoutMs?: number): { code: number | null; stdout: string; stderr: string };
  cleanup(): void;
}

const DMINIT = `#!/bin/bash
# records argv and the CONTROL file (content, mode and type), then lays out a database like dminit
rec="$FAKE_RECORD"
printf 'argv:%s\\n' "$*" >> "$rec"
for a in "$@"; do case "$a" in CONTROL=*) ctl="\${a#CONTROL=}";; esac; done
[ -n "$ctl" ] || { echo "no CONTROL" >&2; exit 2; }
printf 'mode:%s\\n' "$(stat -L -c %a "$ctl")" >> "$rec"
printf 'type:%s\\n' "$(stat -L -c %F "$ctl")" >> "$rec"
printf 'control-path:%s\\n' "$ctl" >> "$rec"
# read once, as a tool reads its parameter file (the CONTROL file may be a pipe)
text=$(cat "$ctl")
printf '%s\\n' "$text" | sed 's/^/control:/' >> "$rec"
get() { printf '%s\\n' "$text" | sed -n "s/^$1 = //p"; }
db="$(get SYSTEM_PATH)/$(get DB_NAME)"
mkdir -p "$db"
printf 'INSTANCE_NAME = %s\\nPORT_NUM = %s  # port\\nAP_PORT_NUM = %s\\nDPC_MODE = %s\\n' "$(get INSTANCE_NAME)" "$(get PORT_NUM)" "$(get AP_PORT_NUM)" "$(get DPC_MODE)" > "$db/dm.ini"
`;

const DMSERVER = `#!/usr/bin/env node
// listens on the PORT_NUM of the dm.ini it is given; SIGTERM = exit, SIGUSR1 = exit all
const fs = require("fs"), net = require("net");
const ini = process.argv[2];
const port = Number(/^\\s*PORT_NUM\\s*=\\s*(\\d+)/m.exec(fs.readFileSync(ini, "utf8"))[1]);
if (process.env.FAKE_DMSERVER_FAIL) { console.error("fake failure: " + process.env.FAKE_DMSERVER_FAIL); process.exit(3); }
console.log("dmserver " + process.argv.slice(2).join(" "));
const server = net.createServer((s) => s.end()).listen(port, process.env.FAKE_IP || "127.0.0.1");
const bye = (sig) => () => { console.log("exit on " + sig); server.close(); setTimeout(() => process.exit(0), Number(process.env.FAKE_EXIT_DELAY_MS || 0)); };
process.on("SIGTERM", bye("SIGTERM"));
process.on("SIGUSR1", bye("SIGUSR1"));
`;

export function makeFakeTools(): FakeTools {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dm-cmd-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "dminit"), DMINIT, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "dmserver"), DMSERVER, { mode: 0o755 });
  const record = path.join(dir, "record.txt");
  return {
    dir,
    bin,
    record,
    run(command, stdin, timeoutMs = 60_000) {
      const r = spawnSync("bash", ["-c", command], {
        input: stdin ?? "",
        encoding: "utf8",
        timeout: timeoutMs,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_RECORD: record },
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on 127.0.0.1 (asked from the kernel). */
export async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}
