/** The host-level checks both SSH servers must pass (embedded ssh2 and real OpenSSH). */
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { generateEd25519 } from "../../lab/hosts/provision";
import { simulatorPath, type ToolFamily } from "../../lab/hosts/tool-wrappers";
import { ExecResult, Lab, LogEntry, REPO, execOn, startLab } from "../helpers/lab";

export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
  } catch {
    return false;
  }
}

/** Every live process whose environment names this lab directory. */
export function processesOfLab(dir: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e) || !isAlive(Number(e))) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/environ`, "utf8").split("\0").includes(`LAB_DIR=${dir}`)) out.push(Number(e));
    } catch { /* exited */ }
  }
  return out;
}

/** Every live process whose command line mentions `dir` (sshd shows its config path). */
export function processesNaming(dir: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid || !isAlive(Number(e))) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/cmdline`, "utf8").includes(dir)) out.push(Number(e));
    } catch { /* exited */ }
  }
  return out;
}

export function runSsh(lab: Lab, hostName: string, sshArgs: string[], input?: string, knownHosts?: string): Promise<ExecResult> {
  const h = lab.host(hostName);
  const kh = path.join(lab.dir, `known_hosts.${hostName}.${crypto.randomUUID()}`);
  fs.writeFileSync(kh, knownHosts ?? `[${h.address}]:${h.port} ${h.hostKey}\n`);
  const args = [
    "-i", h.privateKeyPath, "-p", String(h.port),
    "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${kh}`, "-o", "StrictHostKeyChecking=yes",
    "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
    ...sshArgs.slice(0, -1), `${h.user}@${h.address}`, ...sshArgs.slice(-1),
  ];
  return new Promise((resolve) => {
    const child = execFile("ssh", args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : null) : 0;
      resolve({ stdout, stderr, code });
    });
    child.stdin!.end(input ?? "");
  });
}

const commands = (log: LogEntry[]) => log.filter((e): e is Extract<LogEntry, { command: string }> => "command" in e);
const events = (log: LogEntry[], kind: string) => log.filter((e) => "event" in e && e.event === kind);

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function timeRoundTrips(lab: Lab, hostName: string, n: number): Promise<number> {
  const client = await lab.connect(hostName);
  try {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await execOn(client, "true");
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    client.end();
  }
}

export function hostSuite(sshd: "embedded" | "openssh"): void {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab({ hosts: 2, sshd });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  test("lab.json describes each host and its files", () => {
    expect(lab.lab.sshd).toBe(sshd);
    expect(lab.hosts.map((h) => h.name)).toEqual(["host1", "host2"]);
    const block = lab.hosts[0].address.split(".").slice(0, 3).join(".");
    expect(lab.hosts.map((h) => h.address)).toEqual([`${block}.1`, `${block}.2`]);
    expect(new Set(lab.hosts.map((h) => h.port)).size).toBe(2);
    for (const h of lab.hosts) {
      expect(h.hostKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+$/);
      expect(fs.statSync(h.privateKeyPath).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(h.privateKeyPath, "utf8")).toContain("BEGIN OPENSSH PRIVATE KEY");
      for (const d of [h.dataRoot, h.hostDir]) expect(fs.statSync(d).isDirectory()).toBe(true);
      for (const tool of ["dminit", "dmserver", "disql", "dmrman"]) expect(fs.statSync(path.join(h.dmHome, "bin", tool)).mode & 0o111).toBeTruthy();
      for (const tool of ["gs_ddr", "gs_om", "cm_ctl", "gsql"]) expect(fs.statSync(path.join(h.ogHome, "bin", tool)).mode & 0o111).toBeTruthy();
      for (const tool of ["obclient", "observer"]) expect(fs.statSync(path.join(h.obHome, "bin", tool)).mode & 0o111).toBeTruthy();
    }
    expect(JSON.parse(fs.readFileSync(path.join(lab.dir, "lab.json"), "utf8"))).toEqual(lab.lab);
  });

  test("a command runs in bash with the host's environment, tools first on PATH", async () => {
    const h = lab.host("host2");
    const r = await lab.exec("host2", 'printf "%s\\n" "$PATH" "$HOME" "$PWD" "$LAB_HOST" "$LAB_HOST_ADDR" "$LAB_HOST_DIR" "$LAB_DIR" "$DM_HOME" "$BASH_VERSION"; command -v dminit gs_ddr obclient');
    expect(r.code).toBe(0);
    const [p, home, pwd, name, addr, hostDir, labDir, dmHome, bash, dminit, gsDdr, obclient] = r.stdout.trim().split("\n");
    expect(p.split(":").slice(0, 3)).toEqual([path.join(h.dmHome, "bin"), path.join(h.ogHome, "bin"), path.join(h.obHome, "bin")]);
    expect(p.split(":").length).toBeGreaterThan(3);
    expect([home, pwd]).toEqual([path.join(h.hostDir, "home"), path.join(h.hostDir, "home")]);
    expect([name, addr, hostDir, labDir, dmHome]).toEqual(["host2", h.address, h.hostDir, lab.dir, h.dmHome]);
    expect(bash).toMatch(/^\d+\./);
    expect([dminit, gsDdr, obclient]).toEqual([path.join(h.dmHome, "bin", "dminit"), path.join(h.ogHome, "bin", "gs_ddr"), path.join(h.obHome, "bin", "obclient")]);
  });

  test("stdin, stdout, stderr and exit status pass through unchanged", async () => {
    const input = crypto.randomBytes(300_000).toString("base64");
    const r = await lab.exec("host1", "sha256sum | cut -d' ' -f1; echo to-stderr >&2; exit 42", input);
    expect(r.stdout.trim()).toBe(crypto.createHash("sha256").update(input).digest("hex"));
    expect(r.stderr).toBe("to-stderr\n");
    expect(r.code).toBe(42);
    const big = await lab.exec("host1", "head -c 2000000 /dev/zero | tr '\\0' x");
    expect(big.stdout.length).toBe(2_000_000);
  });

  test("each command and connection is logged, never its stdin", async () => {
    const before = lab.commandLog("host1");
    const marker = `marker-${crypto.randomUUID()}`;
    await lab.exec("host1", `echo ${marker}; exit 7`, "secret-on-stdin\n");
    await waitFor("the disconnect event", () => events(lab.commandLog("host1"), "disconnect").length > events(before, "disconnect").length);
    const log = lab.commandLog("host1");
    const added = log.slice(before.length);
    expect(events(added, "connect")).toHaveLength(1);
    expect(events(added, "disconnect")).toHaveLength(1);
    const entry = commands(added);
    expect(entry).toHaveLength(1);
    expect(entry[0]).toMatchObject({ command: `echo ${marker}; exit 7`, exit: 7, signal: null });
    expect(Number.isNaN(Date.parse(entry[0].time))).toBe(false);
    expect(entry[0].durationMs).toBeGreaterThanOrEqual(0);
    expect((events(added, "connect")[0] as { client: string }).client).toMatch(/^[\d.]+:\d+$/);
    expect(fs.readFileSync(lab.host("host1").commandLog, "utf8")).not.toContain("secret-on-stdin");
    expect(commands(lab.commandLog("host2")).some((e) => e.command.includes(marker))).toBe(false);
  });

  test("the log keeps the exact command line, whatever characters it holds", async () => {
    const command = `printf '%s\\n' "a\\"b" 'c\\d' $'t\\tt'\n# 中文 \u0001 end`;
    const r = await lab.exec("host1", command);
    expect(r).toMatchObject({ stdout: 'a"b\nc\\d\nt\tt\n', code: 0 });
    expect(commands(lab.commandLog("host1")).pop()!.command).toBe(command);
  });

  test("a command killed by a signal is reported as that signal", async () => {
    const r = await lab.exec("host1", "kill -KILL $$");
    expect(r.code).toBeNull();
    expect(r.signal).toBe("SIGKILL"); // ssh2 names the wire's "KILL" this way
    const last = commands(lab.commandLog("host1")).pop()!;
    expect(last).toMatchObject({ command: "kill -KILL $$", exit: null, signal: "SIGKILL" });
  });

  test("a wrong client key or user is refused, and so is a wrong host key", async () => {
    const stranger = generateEd25519("stranger").private;
    await expect(lab.exec("host1", "true", undefined, { privateKey: stranger })).rejects.toThrow(/authentication/i);
    const host2Key = fs.readFileSync(lab.host("host2").privateKeyPath);
    await expect(lab.exec("host1", "true", undefined, { privateKey: host2Key })).rejects.toThrow(/authentication/i);
    await expect(lab.exec("host1", "true", undefined, { hostKey: lab.host("host2").hostKey })).rejects.toThrow(/host/i);
    expect(commands(lab.commandLog("host1")).some((e) => e.command === "true")).toBe(false);
    const wrongUser = await runSsh(lab, "host1", ["-l", "nobody-here", "true"]);
    expect(wrongUser.code).toBe(255);
  });

  test("the plain OpenSSH client works, checking the host key from lab.json", async () => {
    const r = await runSsh(lab, "host1", ['echo "$LAB_HOST says hi"; cat; exit 3'], "piped\n");
    expect(r).toMatchObject({ stdout: "host1 says hi\npiped\n", code: 3 });
    const h2 = lab.host("host2");
    const wrongKnown = `[${lab.host("host1").address}]:${lab.host("host1").port} ${h2.hostKey}\n`;
    const refused = await runSsh(lab, "host1", ["true"], undefined, wrongKnown);
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  test("an interactive shell works with and without a terminal", async () => {
    const tty = await runSsh(lab, "host1", ["-tt", ""], 'echo "on $LAB_HOST"; tty; exit 5\n');
    expect(tty.stdout).toContain("on host1");
    expect(tty.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(tty.code).toBe(5);
    const noTty = await runSsh(lab, "host1", ["-T", ""], 'echo "on $LAB_HOST"; tty; exit 6\n');
    expect(noTty.stdout).toContain("on host1\nnot a tty");
    expect(noTty.code).toBe(6);
  });

  test("tool wrappers run the simulators from dist, or say command not found", async () => {
    const h = lab.host("host1");
    const families: [ToolFamily, string, string[]][] = [
      ["dm", h.dmHome, ["dminit", "dmserver", "disql", "dmrman"]],
      ["og", h.ogHome, ["gs_ddr", "gs_om", "cm_ctl", "gsql"]],
      ["ob", h.obHome, ["observer"]],
    ];
    for (const [family, , tools] of families) {
      for (const tool of tools) {
        const built = fs.existsSync(simulatorPath(family, tool, path.join(REPO, "dist")));
        const r = await lab.exec("host1", `${tool} --lab-probe </dev/null`, undefined);
        if (built) expect(r.stderr).not.toContain(`${tool}: command not found`);
        else expect(r).toMatchObject({ code: 127, stderr: `${tool}: command not found\n` });
      }
    }
    // obclient is Debian's MariaDB client under OceanBase's name (installed by .ci/run).
    const client = await lab.exec("host1", "obclient --version </dev/null");
    if (client.code === 127) expect(client.stderr).toBe("obclient: command not found (install mariadb-client)\n");
    else expect(client.stdout).toMatch(/^obclient .*MariaDB/);
  });

  test("fault down cuts the host and kills its processes; up brings SSH back, not the processes", async () => {
    const h1 = lab.host("host1");
    const h2 = lab.host("host2");
    const start = "setsid nohup sleep 1000 >/dev/null 2>&1 </dev/null & echo $!";
    const victim = Number((await lab.exec("host1", start)).stdout.trim());
    const bystander = Number((await lab.exec("host2", start)).stdout.trim());
    const held = await lab.connect("host1");
    const heldClosed = new Promise<void>((resolve) => held.on("close", () => resolve()));
    held.on("error", () => undefined);
    expect(isAlive(victim)).toBe(true);

    await lab.fault("host1", "down");
    expect(isAlive(victim)).toBe(false);
    expect(isAlive(bystander)).toBe(true);
    await heldClosed; // a live connection is cut, not just new ones refused
    await expect(lab.exec("host1", "true")).rejects.toThrow(/ECONNREFUSED/);
    expect(fs.existsSync(path.join(h1.hostDir, "faults", "down"))).toBe(true);
    expect((await lab.status()).hosts.map((x) => x.state)).toEqual(["down", "up"]);
    expect((await lab.exec("host2", "echo still")).stdout).toBe("still\n");

    await lab.fault("host1", "up");
    expect((await lab.exec("host1", "echo back")).stdout).toBe("back\n");
    expect(isAlive(victim)).toBe(false);
    expect(fs.existsSync(path.join(h1.hostDir, "faults", "down"))).toBe(false);
    process.kill(bystander, "SIGKILL");
    expect(h2.name).toBe("host2");
  });

  test("fault latency makes every round trip slower until cleared", async () => {
    const base = await timeRoundTrips(lab, "host2", 5);
    await lab.fault("host2", "latency", 150);
    expect((await lab.status()).hosts[1].latencyMs).toBe(150);
    const slow = await timeRoundTrips(lab, "host2", 5);
    await lab.fault("host2", "latency", 0);
    const cleared = await timeRoundTrips(lab, "host2", 5);
    // Each exec is at least one request/reply, so 5 of them at +150 ms each must show.
    expect(slow).toBeGreaterThan(base + 5 * 150 * 0.9);
    expect(cleared).toBeLessThan(slow);
  });

  test("fault fail is consumed by takeInjectedFailure, once per run", async () => {
    await lab.fault("host1", "fail", "mytool", 2);
    const common = path.join(REPO, "dist", "lab", "sim", "common", "index.js");
    const run = `node -e 'process.exit(require(process.argv[1]).takeInjectedFailure("mytool") ? 1 : 0)' ${common}`;
    const codes: (number | null)[] = [];
    for (let i = 0; i < 3; i++) codes.push((await lab.exec("host1", run)).code);
    expect(codes).toEqual([1, 1, 0]);
    expect(fs.existsSync(path.join(lab.host("host1").hostDir, "faults", "fail", "mytool"))).toBe(false);
    await lab.fault("host1", "fail", "othertool");
    expect(fs.readFileSync(path.join(lab.host("host1").hostDir, "faults", "fail", "othertool"), "utf8").trim()).toBe("1");
  });

  test("fault unmount-shared: the host's commands see its own empty mount point at the shared path; mount-shared ends it", async () => {
    const shared = path.join(lab.dir, "shared");
    fs.mkdirSync(shared, { recursive: true });
    fs.writeFileSync(path.join(shared, "on-nfs"), "x");
    await lab.fault("host2", "unmount-shared");
    expect((await lab.exec("host2", `ls -A ${shared}; echo local > ${shared}/local`)).stdout).toBe("");
    expect((await lab.exec("host1", `ls ${shared}`)).stdout.split("\n").filter((l) => l !== "")).toEqual(["on-nfs"]);
    expect(fs.existsSync(path.join(shared, "local"))).toBe(false);
    // The log keeps the command as the client sent it.
    expect(lab.commandLog("host2").some((e) => "command" in e && e.command === `ls -A ${shared}; echo local > ${shared}/local`)).toBe(true);
    await lab.fault("host2", "mount-shared");
    expect((await lab.exec("host2", `ls ${shared}`)).stdout.trim()).toBe("on-nfs");
  });

  test("fault kill SIGKILLs the process of a pid file; status reports it", async () => {
    const r = await lab.exec("host2", 'mkdir -p "$LAB_HOST_DIR/run/og"; setsid nohup sleep 1000 >/dev/null 2>&1 </dev/null & echo $! | tee "$LAB_HOST_DIR/run/og/dn_6001.pid"');
    const pid = Number(r.stdout.trim());
    const before = (await lab.status()).hosts[1].processes;
    expect(before).toContainEqual({ family: "og", instance: "dn_6001", pid, alive: true });
    await expect(lab.fault("host2", "kill", "NOPE")).rejects.toThrow(/no pid file for NOPE/);
    await lab.fault("host2", "kill", "dn_6001");
    expect(isAlive(pid)).toBe(false);
    expect((await lab.status()).hosts[1].processes).toContainEqual({ family: "og", instance: "dn_6001", pid, alive: false });
  });

  test("down still cleans up after a crashed daemon", async () => {
    const crashed = await startLab({ hosts: 1, sshd });
    try {
      const sleeper = Number((await crashed.exec("host1", "setsid nohup sleep 1000 >/dev/null 2>&1 </dev/null & echo $!")).stdout.trim());
      process.kill(Number(fs.readFileSync(path.join(crashed.dir, "daemon.pid"), "utf8")), "SIGKILL");
      const dir = crashed.dir;
      await crashed.stop();
      expect(isAlive(sleeper)).toBe(false);
      expect(processesOfLab(dir)).toEqual([]);
      expect(processesNaming(dir)).toEqual([]); // sshd listeners carry no LAB_* but name their config
    } finally {
      await crashed.stop();
    }
  });

  test("down stops everything the hosts started, even detached processes", async () => {
    const detached = Number((await lab.exec("host2", "setsid nohup sleep 1000 >/dev/null 2>&1 </dev/null & echo $!")).stdout.trim());
    const daemon = Number(fs.readFileSync(path.join(lab.dir, "daemon.pid"), "utf8"));
    expect(isAlive(detached) && isAlive(daemon)).toBe(true);
    expect(processesOfLab(lab.dir).length).toBeGreaterThan(0);
    const dir = lab.dir;
    const hosts = lab.hosts;
    await lab.stop();
    expect(isAlive(detached)).toBe(false);
    expect(isAlive(daemon)).toBe(false);
    expect(processesOfLab(dir)).toEqual([]);
    expect(processesNaming(dir)).toEqual([]);
    for (const h of hosts) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = require("net").connect({ host: h.address, port: h.port });
        s.on("connect", () => (s.destroy(), resolve(false)));
        s.on("error", () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });
}
