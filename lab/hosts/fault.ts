import * as fs from "fs";
import * as path from "path";
import { injectFailure, migrationHoldFile } from "../sim/common/faults";
import { listPidFiles } from "../sim/common/pidfile";
import { callControl } from "./control";
import { findHost, readLabJson } from "./lab-json";
import { waitGone } from "./processes";
import { mountShared, unmountShared } from "./mounts";

/**
 * `lab fault --host NAME <kind> [args]`. down/up/latency change the daemon's relays; fail and
 * kill only touch the host's files and processes, which need no daemon.
 */
export async function labFault(dir: string, hostName: string, kind: string, args: string[]): Promise<unknown> {
  const host = findHost(readLabJson(dir), hostName);
  switch (kind) {
    case "down":
      if (args[0] === "--when") {
        // Keyed on a command line: the embedded sshd takes the host down when it arrives.
        if (!args[1] || args.length !== 2) throw new Error("usage: fault --host NAME down [--when TEXT]");
        const file = path.join(host.hostDir, "faults", "down-when");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(`${file}.tmp`, args[1]);
        fs.renameSync(`${file}.tmp`, file);
        return { downWhen: args[1] };
      }
      return callControl(dir, { op: "fault", host: host.name, kind });
    case "up":
      return callControl(dir, { op: "fault", host: host.name, kind });
    case "latency": {
      if (args.length !== 1 || !/^\d+(\.\d+)?$/.test(args[0])) throw new Error("usage: fault --host NAME latency MS");
      return callControl(dir, { op: "fault", host: host.name, kind, ms: Number(args[0]) });
    }
    case "fail": {
      const at = args.indexOf("--when");
      const when = at >= 0 ? args[at + 1] : undefined;
      const [tool, countText = "1", afterText = "0", ...extra] = at >= 0 ? args.slice(0, at) : args;
      if (!tool || !/^\d+$/.test(countText) || !/^\d+$/.test(afterText) || extra.length > 0 || (at >= 0 && (!when || args.length !== at + 2)))
        throw new Error("usage: fault --host NAME fail TOOL [COUNT [AFTER]] [--when TEXT]");
      injectFailure(tool, Number(countText), host.hostDir, Number(afterText), when);
      return { tool, failures: Number(countText), after: Number(afterText), ...(when !== undefined ? { when } : {}) };
    }
    case "noforward":
    case "forward": {
      // The embedded sshd reads this file on every forward request.
      const flag = path.join(host.hostDir, "faults", "noforward");
      if (kind === "noforward") fs.writeFileSync(flag, "");
      else fs.rmSync(flag, { force: true });
      return { forwarding: kind === "forward" };
    }
    case "hold-migration":
    case "release-migration": {
      // The OceanBase simulator checks it whenever it settles a DELETE SERVER (standby/units.ts).
      const flag = migrationHoldFile(host.hostDir);
      if (kind === "hold-migration") fs.writeFileSync(flag, "");
      else fs.rmSync(flag, { force: true });
      return { migrationHeld: kind === "hold-migration" };
    }
    case "unmount-shared":
    case "mount-shared": {
      const lab = readLabJson(dir);
      const shared = lab.oceanbase?.[0]?.sharedDir ?? path.join(lab.dir, "shared");
      return kind === "unmount-shared" ? unmountShared(host.hostDir, shared) : mountShared(host.hostDir);
    }
    case "kill": {
      const [instance] = args;
      if (!instance) throw new Error("usage: fault --host NAME kill INSTANCE");
      const entries = listPidFiles(host.hostDir).filter((e) => e.instance === instance);
      if (entries.length === 0) throw new Error(`no pid file for ${instance} on ${host.name} (${path.join(host.hostDir, "run")})`);
      const alive = entries.filter((e) => e.alive);
      if (alive.length === 0) throw new Error(`${instance} on ${host.name} is not running (stale pid ${entries.map((e) => e.pid).join(", ")})`);
      for (const e of alive) process.kill(e.pid, "SIGKILL");
      // The pid file stays, as after a real crash: the product must cope with a stale one.
      await waitGone(alive.map((e) => e.pid), 5000);
      return { killed: alive.map((e) => ({ family: e.family, instance, pid: e.pid })) };
    }
    default:
      throw new Error(`unknown fault ${kind}: one of down [--when TEXT], up, latency MS, fail TOOL [COUNT [AFTER]] [--when TEXT], kill INSTANCE, noforward, forward, hold-migration, release-migration, unmount-shared, mount-shared`);
  }
}

