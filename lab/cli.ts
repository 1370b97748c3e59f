#!/usr/bin/env node
/** `npm run lab -- up|down|status|fault ...`: the lab's virtual hosts (see lab/README.md). */
import { parseBlock } from "./hosts/address-block";
import { labDown } from "./hosts/down";
import { labFault } from "./hosts/fault";
import { formatStatus, labStatus } from "./hosts/status";
import { labUp } from "./hosts/up";
import type { LoginShell } from "./hosts/lab-json";
import { createCluster } from "./sim/opengauss/create";

const USAGE = `usage:
  lab up --hosts N --dir DIR [--sshd embedded|openssh] [--base-port P] [--net 127.0.N] [--login-shell bash|sh]
  lab down --dir DIR
  lab status --dir DIR [--json]
  lab fault --dir DIR --host NAME down [--when TEXT]|up|latency MS|fail TOOL [COUNT [AFTER]] [--when TEXT]|kill INSTANCE|noforward|forward|hold-migration|release-migration|unmount-shared|mount-shared
  lab opengauss create --dir DIR --name NAME --hosts host1,host2 --port 26000 [--version V] [--initial-user U] [--cascade HOST,...]
  lab oceanbase create --dir DIR --name NAME --version 3.2.4|4.2.1 --zones z1:host1,z2:host2,z3:host3 [--tenant NAME]...
  lab oceanbase fault --dir DIR --name NAME hang-backups|release-backups
  lab oceanbase oss-rotate --dir DIR   (a new key pair for the OSS stand-in; the old one is refused)
  lab oceanbase binary --dir DIR --host HOST --version 3.2.4|4.2.1   (the build at the host's obHome/bin/observer)
  lab clock --dir DIR --advance 1d|12h|30m|90s
  lab clock --dir DIR --show`;

interface Parsed {
  readonly flags: Map<string, string | true>;
  readonly rest: string[];
}

function parse(argv: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  const boolean = new Set(["json", "show"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (eq > 0) flags.set(name, a.slice(eq + 1));
    else if (boolean.has(name)) flags.set(name, true);
    else if (i + 1 < argv.length) flags.set(name, argv[++i]);
    else throw new Error(`--${name} needs a value`);
  }
  return { flags, rest };
}

function need(p: Parsed, name: string): string {
  const v = p.flags.get(name);
  if (typeof v !== "string" || v === "") throw new Error(`--${name} is required\n${USAGE}`);
  return v;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const p = parse(args);
  switch (command) {
    case "up": {
      const base = p.flags.get("base-port");
      const net = p.flags.get("net");
      const lab = await labUp({
        hosts: Number(need(p, "hosts")),
        dir: need(p, "dir"),
        sshd: (p.flags.get("sshd") as "embedded" | "openssh" | undefined) ?? "embedded",
        basePort: typeof base === "string" ? Number(base) : undefined,
        net: typeof net === "string" ? parseBlock(net) : undefined,
        loginShell: (p.flags.get("login-shell") as LoginShell | undefined) ?? "bash",
      });
      process.stdout.write(JSON.stringify(lab, null, 2) + "\n");
      return 0;
    }
    case "down": {
      const { swept } = await labDown(need(p, "dir"));
      if (swept.length > 0) process.stderr.write(`lab down: killed ${swept.length} leftover process(es): ${swept.join(" ")}\n`);
      return 0;
    }
    case "status": {
      const report = await labStatus(need(p, "dir"));
      process.stdout.write((p.flags.has("json") ? JSON.stringify(report, null, 2) : formatStatus(report)) + "\n");
      return 0;
    }
    case "fault": {
      const [kind, ...faultArgs] = p.rest;
      if (!kind) throw new Error(USAGE);
      // `fail TOOL ... --when TEXT`: the flag parser took --when; hand it back to the fault.
      const when = p.flags.get("when");
      const result = await labFault(need(p, "dir"), need(p, "host"), kind, typeof when === "string" ? [...faultArgs, "--when", when] : faultArgs);
      process.stdout.write(JSON.stringify(result ?? { ok: true }) + "\n");
      return 0;
    }
    case "opengauss": {
      const [sub] = p.rest;
      if (sub !== "create") throw new Error(`unknown opengauss command ${sub ?? ""}\n${USAGE}`);
      const text = (k: string) => {
        const v = p.flags.get(k);
        return typeof v === "string" ? v : undefined;
      };
      const made = createCluster({
        dir: need(p, "dir"),
        name: need(p, "name"),
        hosts: need(p, "hosts").split(",").filter((h) => h !== ""),
        port: Number(need(p, "port")),
        version: text("version"),
        initialUser: text("initial-user"),
        cascade: text("cascade")?.split(",").filter((h) => h !== ""),
      });
      process.stdout.write(JSON.stringify(made, null, 2) + "\n");
      return 0;
    }
    case "oceanbase": {
      const [sub, faultKind] = p.rest;
      if (sub === "fault") {
        const { obFault } = await import("./sim/oceanbase/faults");
        process.stdout.write(JSON.stringify(obFault(need(p, "dir"), need(p, "name"), faultKind ?? "")) + "\n");
        return 0;
      }
      if (sub === "oss-rotate") {
        const { rotateOssKeys } = await import("./sim/oceanbase/oss/start");
        process.stdout.write(JSON.stringify(rotateOssKeys(need(p, "dir"))) + "\n");
        return 0;
      }
      if (sub === "binary") {
        const { setObserverBuild } = await import("./sim/oceanbase/standby/binary");
        process.stdout.write(JSON.stringify(setObserverBuild({ dir: need(p, "dir"), host: need(p, "host"), version: need(p, "version") })) + "\n");
        return 0;
      }
      if (sub !== "create") throw new Error(`unknown oceanbase command ${sub ?? ""}\n${USAGE}`);
      const { createCluster: createObCluster } = await import("./sim/oceanbase/create");
      const tenants = args.flatMap((a, i) => (a === "--tenant" && i + 1 < args.length ? [args[i + 1]] : a.startsWith("--tenant=") ? [a.slice(9)] : []));
      const made = await createObCluster({ dir: need(p, "dir"), name: need(p, "name"), version: need(p, "version"), zones: need(p, "zones"), tenants });
      process.stdout.write(JSON.stringify(made, null, 2) + "\n");
      return 0;
    }
    case "clock": {
      const { labClock } = await import("./hosts/cron");
      const advance = p.flags.get("advance");
      const result = await labClock(need(p, "dir"), typeof advance === "string" ? advance : undefined);
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
      return 0;
    }
    case undefined:
    case "help":
    case "--help":
      process.stdout.write(USAGE + "\n");
      return command === undefined ? 2 : 0;
    default:
      throw new Error(`unknown command ${command}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`lab: ${e.message}\n`);
    process.exit(1);
  },
);
