/**
 * The lab daemon: one detached process serving every virtual host of a lab directory.
 * Started by `lab up` with the path of a DaemonPlan; reports `{ports}` or `{error}` to its
 * parent over IPC once every host accepts SSH, then serves the control socket until `shutdown`.
 */
import * as fs from "fs";
import * as net from "net";
import { ControlRequest, serveControl } from "./control";
import { HostRuntime } from "./host-runtime";
import { labFiles } from "./lab-json";
import { findLabProcesses, killUntilNone } from "./processes";
import { DaemonPlan } from "./provision";

async function main(planFile: string): Promise<void> {
  const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as DaemonPlan;
  const hosts = plan.hosts.map(
    (h, i) => new HostRuntime(h, plan.sshd, plan.dir, plan.labPath, plan.basePort === undefined ? 0 : plan.basePort + i),
  );
  let control: net.Server | undefined;
  const shutdown = async () => {
    await Promise.all(hosts.map((h) => h.stop().catch(() => undefined)));
    // Whatever escaped a host's own sweep (a process that re-parented under a shell of another host).
    await killUntilNone(() => findLabProcesses([`LAB_DIR=${plan.dir}`], [], plan.hosts.map((h) => h.hostDir))).catch(() => undefined);
  };
  try {
    await Promise.all(hosts.map((h) => h.start()));
    control = await serveControl(plan.dir, (req) => handle(req));
  } catch (e) {
    await shutdown();
    throw e;
  }
  fs.writeFileSync(labFiles.daemonPid(plan.dir), `${process.pid}\n`);
  process.once("SIGTERM", () => void handle({ op: "shutdown" }));

  async function handle(req: ControlRequest): Promise<unknown> {
    switch (req.op) {
      case "status":
        return Promise.all(hosts.map((h) => h.status()));
      case "fault": {
        const host = hosts.find((h) => h.plan.name === req.host);
        if (!host) throw new Error(`no host ${req.host} (hosts: ${hosts.map((h) => h.plan.name).join(", ")})`);
        if (req.kind === "down") return { killed: await host.down() };
        if (req.kind === "up") return host.up();
        const ms = Number(req.ms);
        if (!Number.isFinite(ms) || ms < 0) throw new Error(`latency must be a number of ms >= 0, got ${req.ms}`);
        host.relay.latencyMs = ms;
        return { latencyMs: ms };
      }
      case "shutdown":
        await shutdown();
        control?.close();
        fs.rmSync(labFiles.daemonPid(plan.dir), { force: true });
        setImmediate(() => process.exit(0));
        return { stopped: true };
      default:
        throw new Error(`unknown control request ${JSON.stringify(req)}`);
    }
  }

  // A test that removed its lab directory without `lab down` must not leave hosts running forever.
  const watchdog = setInterval(() => {
    if (!fs.existsSync(planFile)) {
      console.error(`${new Date().toISOString()} lab directory ${plan.dir} is gone: stopping`);
      clearInterval(watchdog);
      void handle({ op: "shutdown" });
    }
  }, 2000);
  watchdog.unref();

  process.send?.({ ports: hosts.map((h) => h.relay.port) });
  process.disconnect?.();
}

process.on("uncaughtException", (e) => console.error(`${new Date().toISOString()} lab daemon: uncaught`, e));
process.on("unhandledRejection", (e) => console.error(`${new Date().toISOString()} lab daemon: unhandled`, e));
// The daemon outlives the terminal that ran `lab up`.
process.on("SIGHUP", () => undefined);

main(process.argv[2]).catch((e: Error) => {
  console.error(`${new Date().toISOString()} lab daemon failed:`, e);
  process.send?.({ error: e.message });
  setTimeout(() => process.exit(1), 50);
});
