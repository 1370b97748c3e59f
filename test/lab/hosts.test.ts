import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostSuite } from "./hosts-suite";
import { runLabCli, startLab } from "../helpers/lab";

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
