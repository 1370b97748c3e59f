import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { listPidFiles } from "../sim/common/pidfile";
import { EmbeddedSshd } from "./embedded-sshd";
import { commandEnv, homeOf } from "./environment";
import { SshdKind } from "./lab-json";
import { startSshd } from "./openssh";
import { freePort, probeBanner, waitForBanner } from "./probe";
import { findLabProcesses, killUntilNone } from "./processes";
import { HostPlan } from "./provision";
import { HostRelay } from "./relay";

export interface HostStatus {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly state: "up" | "down";
  /** Injected latency per round trip. */
  readonly latencyMs: number;
  /** Time the SSH server took to greet a probe (measured behind the relay, so unlogged). */
  readonly answerMs: number | null;
}

/** One virtual host inside the daemon: its SSH server (embedded or sshd), its relay, its faults. */
export class HostRuntime {
  readonly relay: HostRelay;
  private embedded: EmbeddedSshd | undefined;
  private sshd: ChildProcess | undefined;
  private backendPort = 0;

  constructor(readonly plan: HostPlan, private readonly kind: SshdKind, private readonly labDir: string, labPath: string, port: number) {
    this.env = commandEnv(plan, labDir, plan.user, labPath);
    this.relay = new HostRelay(plan.address, port, () => ({ host: plan.address, port: this.backendPort }), plan.commandLog);
  }

  private readonly env: Record<string, string>;

  async start(): Promise<void> {
    if (this.kind === "embedded") {
      this.embedded = new EmbeddedSshd({ ...this.plan, env: this.env, cwd: homeOf(this.plan), goDown: () => void this.down() });
      await this.embedded.listen();
      this.backendPort = this.embedded.port;
    } else {
      this.backendPort = await freePort(this.plan.address);
      this.sshd = startSshd(this.plan, this.backendPort, this.env);
      const exited = new Promise<never>((_, reject) =>
        this.sshd!.once("exit", (code) => reject(new Error(`sshd of ${this.plan.name} exited with ${code} (see daemon.log)`))),
      );
      await Promise.race([waitForBanner(this.plan.address, this.backendPort, 10_000), exited]);
    }
    await this.relay.listen();
  }

  get sshdPid(): number | undefined {
    return this.sshd?.pid;
  }

  /** Power loss: unreachable, connections cut, every process of the host SIGKILLed. */
  async down(): Promise<number[]> {
    fs.writeFileSync(path.join(this.plan.hostDir, "faults", "down"), new Date().toISOString() + "\n");
    await this.relay.close();
    this.embedded?.dropConnections();
    return this.killProcesses();
  }

  async up(): Promise<void> {
    await this.relay.listen();
    fs.rmSync(path.join(this.plan.hostDir, "faults", "down"), { force: true });
  }

  killProcesses(): Promise<number[]> {
    const sessionRoots = [...(this.embedded?.children ?? [])].map((c) => c.pid).filter((p): p is number => p !== undefined);
    return killUntilNone(() => [
      ...sessionRoots,
      ...findLabProcesses([`LAB_HOST_DIR=${this.plan.hostDir}`], sessionRoots, [this.plan.hostDir]),
    ]);
  }

  async stop(): Promise<void> {
    await this.relay.close();
    await this.embedded?.close();
    if (this.sshd?.pid) {
      const sshdPid = this.sshd.pid;
      // sshd's per-connection children outlive the listener; they are its descendants.
      await killUntilNone(() => [sshdPid, ...findLabProcesses([], [sshdPid], [])]);
    }
    await this.killProcesses();
  }

  async status(): Promise<HostStatus> {
    let answerMs: number | null = null;
    try {
      answerMs = Math.round((await probeBanner(this.plan.address, this.backendPort)) * 10) / 10;
    } catch { /* reported as null */ }
    return {
      name: this.plan.name,
      address: this.plan.address,
      port: this.relay.port,
      state: this.relay.listening ? "up" : "down",
      latencyMs: this.relay.latencyMs,
      answerMs,
    };
  }

  processes() {
    return listPidFiles(this.plan.hostDir);
  }
}
