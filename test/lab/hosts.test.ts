import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { hostSuite, isAlive } from "./hosts-suite";
import { LAB_CLI, runLabCli, startLab } from "../helpers/lab";

jest.setTimeout(180_000);

describe("lab hosts on the embedded SSH server", () => hostSuite("embedded"));

describe("lab up", () => {
  test("eight hosts come up, each reachable, and go down with nothing left", async () => {
    const started = Date.now();
    const lab = await startLab({ hosts: 8 });
    // Reported, not asserted: wall-clock limits make tests flaky on a shared machine.
    console.log(`lab up of 8 hosts (CLI included): ${Date.now() - started} ms`);
    try {
      const names = await Promise.all(lab.hosts.map(async (h) => (await lab.exec(h.name, "echo $LAB_HOST")).stdout.trim()));
      expect(names).toEqual(lab.hosts.map((h) => h.name));
      expect(new Set(lab.hosts.map((h) => h.hostKey)).size).toBe(8);
    } finally {
      await lab.stop();
    }
  });

  test("two labs at once get different address blocks", async () => {
    const a = await startLab({ hosts: 1 });
    const b = await startLab({ hosts: 1 });
    try {
      expect(a.hosts[0].address).not.toBe(b.hosts[0].address);
      expect((await b.exec("host1", "echo $LAB_HOST_ADDR")).stdout.trim()).toBe(b.hosts[0].address);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test("openssh mode without sshd says how to install it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-nosshd-"));
    try {
      const r = spawnSync(process.execPath, [LAB_CLI, "up", "--hosts", "1", "--dir", dir, "--sshd", "openssh"], {
        env: { ...process.env, LAB_SSHD: path.join(dir, "no-such-sshd") },
        encoding: "utf8",
      });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("openssh-server is not installed: apt-get install -y openssh-server");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a daemon whose lab directory was deleted stops its hosts by itself", async () => {
    const lab = await startLab({ hosts: 1 });
    const daemon = Number(fs.readFileSync(path.join(lab.dir, "daemon.pid"), "utf8"));
    const sleeper = Number((await lab.exec("host1", "setsid nohup sleep 1000 >/dev/null 2>&1 </dev/null & echo $!")).stdout.trim());
    // Moved away in one step (then removed) so that no late log line races a recursive delete.
    const trash = `${lab.dir}.trash`;
    fs.renameSync(lab.dir, trash);
    try {
      const deadline = Date.now() + 20_000;
      while ((isAlive(daemon) || isAlive(sleeper)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(isAlive(daemon)).toBe(false);
      expect(isAlive(sleeper)).toBe(false);
    } finally {
      fs.rmSync(trash, { recursive: true, force: true, maxRetries: 5 });
    }
  });

  test("a second up in a running lab's directory is refused; bad arguments are explained", async () => {
    const lab = await startLab({ hosts: 1 });
    try {
      await expect(runLabCli(["up", "--hosts", "1", "--dir", lab.dir])).rejects.toThrow(/already runs/);
    } finally {
      await lab.stop();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-bad-"));
    try {
      await expect(runLabCli(["up", "--hosts", "0", "--dir", dir])).rejects.toThrow(/--hosts must be 1..254/);
      await expect(runLabCli(["up", "--hosts", "1", "--dir", dir, "--sshd", "dropbear"])).rejects.toThrow(/--sshd must be/);
      await expect(runLabCli(["status", "--dir", dir])).rejects.toThrow(/no lab in/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
