import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import {
  EXIT_DB_EXISTS,
  SCRIPT_SPLIT,
  waitLeaderCommand,
  dminitCommand,
  files,
  hostStateCommand,
  leftMarkText,
  parseHostState,
  setIniKeysCommand,
  startCommand,
  stopCommand,
  type DminitParams,
} from "../../../provider/dm/commands";
import { editIni } from "../../../provider/dm/ini";
import { makeFakeTools, freePort, type FakeTools } from "./helpers/fake-tools";

let t: FakeTools;
beforeEach(() => {
  t = makeFakeTools();
});
afterEach(() => t.cleanup());

const PASSWORD = "S3cret pw'$(id)`x`;&|*";

function params(base: string, over: Partial<DminitParams> = {}): DminitParams {
  return {
    path: base,
    dbName: "DAMENG",
    name: "BP1",
    mode: "BP",
    portNum: 5237,
    apPortNum: 6001,
    pageSize: 8,
    extentSize: 16,
    charset: 0,
    caseSensitive: true,
    sysdbaPassword: PASSWORD,
    ...over,
  };
}

describe("dminit command", () => {
  test("passes every parameter through a 0600 CONTROL pipe, dminit's own stdin (never argv, never a file on disk)", () => {
    const base = path.join(t.dir, "data dir 'q' $x", "bp1");
    const cmd = dminitCommand(params(base));
    expect(cmd.command).not.toContain("S3cret");
    const r = t.run(cmd.command, cmd.stdin);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rec = fs.readFileSync(t.record, "utf8");
    const argv = rec.split("\n").filter((l) => l.startsWith("argv:"));
    expect(argv).toHaveLength(1);
    expect(argv[0]).not.toContain("S3cret");
    expect(rec).toContain("mode:600");
    expect(rec).toContain("type:fifo");
    expect(rec).toContain(`control:SYSDBA_PWD = ${PASSWORD}`);
    // the manual's CONTROL file: a [node_instance] section, system_path for PATH
    expect(rec).toContain(`control:[BP1]\ncontrol:SYSTEM_PATH = ${base}`);
    expect(rec).toContain("control:DPC_MODE = BP");
    expect(/control-path:(.*)/.exec(rec)![1]).toBe("/dev/stdin");
    expect(fs.readFileSync(path.join(base, "DAMENG", "dm.ini"), "utf8")).toContain("INSTANCE_NAME = BP1");
  });

  test("under a caller's set -e, passes dminit's status through and leaves no writer behind when dminit never read the pipe", () => {
    const base = path.join(t.dir, "bp-fail");
    fs.writeFileSync(path.join(t.bin, "dminit"), "#!/bin/bash\nexit 5\n", { mode: 0o755 });
    const cmd = dminitCommand(params(base));
    // A writer left blocked on the pipe would hold the output open: the run would not end.
    const r = t.run(`set -e; ( ${cmd.command} ); echo after`, cmd.stdin, 20_000);
    expect(r.code).toBe(5);
    expect(r.stdout).not.toContain("after");
    // One that never reads, and one that reads (its writer gone when the EXIT trap runs).
    for (const body of ["exit 0", 'cat "${1#CONTROL=}" > /dev/null']) {
      fs.writeFileSync(path.join(t.bin, "dminit"), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
      const ok = t.run(`set -e; ( ${dminitCommand(params(path.join(t.dir, "bp-ok"))).command} ); echo after`, cmd.stdin, 20_000);
      expect({ body, code: ok.code, stderr: ok.stderr }).toEqual({ body, code: 0, stderr: "" });
      expect(ok.stdout).toContain("after");
    }
  });

  test("refuses to run over an existing database", () => {
    const base = path.join(t.dir, "bp1");
    fs.mkdirSync(path.join(base, "DAMENG"), { recursive: true });
    fs.writeFileSync(path.join(base, "DAMENG", "dm.ini"), "INSTANCE_NAME = OTHER\n");
    const cmd = dminitCommand(params(base));
    const r = t.run(cmd.command, cmd.stdin);
    expect(r.code).toBe(EXIT_DB_EXISTS);
    expect(r.stderr).toContain("refusing");
    expect(fs.existsSync(t.record)).toBe(false);
    expect(fs.readFileSync(path.join(base, "DAMENG", "dm.ini"), "utf8")).toBe("INSTANCE_NAME = OTHER\n");
  });
});

describe("dmserver start, state read and stop", () => {
  async function layout(name = "bp1") {
    const base = path.join(t.dir, `${name} $(id) 'x'`);
    const port = await freePort();
    const cmd = dminitCommand(params(base, { portNum: port }));
    expect(t.run(cmd.command, cmd.stdin).code).toBe(0);
    return { path: base, dbName: "DAMENG", mode: "BP" as const, ip: "127.0.0.1", portNum: port };
  }

  test("start waits for the port, is idempotent, the state read finds the pid, stop waits until gone", async () => {
    const l = await layout();
    const start = startCommand({ ...l, timeoutMs: 20_000 });
    const r1 = t.run(start);
    expect(r1.stderr).toBe("");
    expect(r1.stdout).toMatch(/dmserver started: pid \d+/);
    const pid = Number(/pid (\d+)/.exec(r1.stdout)![1]);
    expect(() => process.kill(pid, 0)).not.toThrow();
    // the server outlives the shell that started it, and its output went to the log
    expect(fs.readFileSync(files.serverLog(l), "utf8")).toContain(`dmserver ${files.dmIni(l)} dpc_mode=BP`);

    const r2 = t.run(start);
    expect(r2.stdout).toContain(`already running: pid ${pid}`);

    const marker = `--m-${randomBytes(8).toString("hex")}--`;
    fs.writeFileSync(files.mpIni(l), "mp_host = 127.0.0.1\nmp_port = 9000\n");
    const st = parseHostState(t.run(hostStateCommand(l, marker)).stdout, l, marker);
    expect(st.pids).toEqual([pid]);
    expect(st.pathExists).toBe(true);
    expect(st.dmIni).toContain("INSTANCE_NAME = BP1");
    expect(st.mpIni).toBe("mp_host = 127.0.0.1\nmp_port = 9000\n");
    expect(st.dmarchIni).toBeNull();
    expect(st.ranBefore).toBe(true);
    expect(st.leftGroup).toBeNull();
    // a removal's mark says which group the member left
    fs.writeFileSync(files.leftMark(l), leftMarkText("RAFT_1"));
    expect(parseHostState(t.run(hostStateCommand(l, marker)).stdout, l, marker).leftGroup).toBe("RAFT_1");

    const stop = t.run(stopCommand({ ...l, timeoutMs: 20_000 }));
    expect(stop.stdout).toContain("dmserver stopped");
    expect(() => process.kill(pid, 0)).toThrow();
    expect(fs.readFileSync(files.serverLog(l), "utf8")).toContain("exit on SIGTERM");
    expect(t.run(stopCommand(l)).stdout).toContain("not running");
    const st2 = parseHostState(t.run(hostStateCommand(l, marker)).stdout, l, marker);
    expect(st2.pids).toEqual([]);
  });

  test("exit all sends SIGUSR1", async () => {
    const l = await layout();
    expect(t.run(startCommand(l)).code).toBe(0);
    expect(t.run(stopCommand({ ...l, all: true })).code).toBe(0);
    expect(fs.readFileSync(files.serverLog(l), "utf8")).toContain("exit on SIGUSR1");
  });

  test("a server that dies during start is reported with its log tail", async () => {
    const l = await layout();
    const r = t.run(`export FAKE_DMSERVER_FAIL='bad ini'; ${startCommand({ ...l, timeoutMs: 20_000 })}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("exited during start");
    expect(r.stderr).toContain("fake failure: bad ini");
  });

  test("the state read finds a dmserver however it was started: path=<ini> (a DmService unit's form), a relative ini from its working directory, a symlinked path; not a process merely naming the ini", async () => {
    const l = await layout("forms");
    const ini = files.dmIni(l);
    const link = path.join(t.dir, "linked");
    fs.symlinkSync(files.dbDir(l), link);
    // Stand-ins that only hold their argv (argv[0] as given by exec -a), as long as the test needs.
    const hold = (argv0: string, cwd: string, args: string[]) => {
      const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
      const r = t.run(`cd '${cwd.replace(/'/g, `'\\''`)}' && { exec -a ${argv0} node -e 'setTimeout(() => {}, 60000)' ${quoted} > /dev/null 2>&1 < /dev/null & echo $!; }`);
      expect(r.code).toBe(0);
      return Number(r.stdout.trim());
    };
    const pids = [
      hold("/opt/dmdbms/bin/dmserver", "/", [`path=${ini}`, "-noconsole"]),
      hold("dmserver", files.dbDir(l), ["dm.ini", "dpc_mode=BP", "MOUNT"]),
      hold("dmserver", "/", [`PATH=${path.join(link, "dm.ini")}`]),
    ];
    const other = hold("tail", "/", [ini]);
    try {
      // Each shell has become its stand-in once the process's argv[0] is the name given to exec -a.
      const argv0 = (p: number) => fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0];
      const end = Date.now() + 10_000;
      while (![...pids, other].every((p, i) => argv0(p) === ["/opt/dmdbms/bin/dmserver", "dmserver", "dmserver", "tail"][i])) {
        if (Date.now() > end) throw new Error("the stand-ins did not start");
        await new Promise((r) => setTimeout(r, 50));
      }
      const marker = `--m-${randomBytes(8).toString("hex")}--`;
      const st = parseHostState(t.run(hostStateCommand(l, marker)).stdout, l, marker);
      expect([...st.pids].sort()).toEqual([...pids].sort());
    } finally {
      for (const p of [...pids, other]) process.kill(p, "SIGKILL");
    }
  });

  test("the state read of a missing instance says so", () => {
    const l = { path: path.join(t.dir, "nothing here"), dbName: "DAMENG" };
    const marker = "--m-1234--";
    const st = parseHostState(t.run(hostStateCommand(l, marker)).stdout, l, marker);
    expect(st).toEqual({ pathExists: false, ranBefore: false, pids: [], dmIni: null, mpIni: null, dmarchIni: null, leftGroup: null });
  });
});

describe("in-place ini edit on the host", () => {
  const cases: Array<[string, Record<string, string | number>]> = [
    ["# header\nMEMORY_TARGET = 0   # comment kept\nPORT_NUM=5236\nport_num = 1\n", { PORT_NUM: 5240, ARCH_INI: 1 }],
    ["A = 1\n\n[SECTION]\nARCH_INI = 7\n", { ARCH_INI: 1, a: "x y" }],
    ["", { ARCH_INI: 1 }],
  ];
  test.each(cases)("the awk edit on the host equals editIni for %j", (text, changes) => {
    const file = path.join(t.dir, "it's dm.ini");
    fs.writeFileSync(file, text, { mode: 0o640 });
    const cmd = setIniKeysCommand(file);
    const r = t.run(cmd.command, cmd.stdinFor(changes));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const remote = fs.readFileSync(file, "utf8");
    const local = editIni(text, changes);
    // awk always ends the file with a newline
    expect(remote.replace(/\n+$/, "")).toBe(local.replace(/\n+$/, ""));
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
  });
});

describe("waiting for a RAFT leader", () => {
  test("tries each MP's script from stdin until the catalog shows a member as PRIMARY", () => {
    const disql = path.join(t.bin, "disql");
    // answers only through the second MP, and only from its third call on (an election takes a while)
    fs.writeFileSync(
      disql,
      `#!/bin/bash\nin=$(cat)\nprintf '%s\\n--\\n' "$in" >> "$FAKE_RECORD"\ncase "$in" in *":5301"*) n=$(grep -c ':5301' "$FAKE_RECORD"); [ "$n" -ge 3 ] && printf 'NAME|SYS_MODE|SYS_STATUS\\nbp11 |STANDBY|4\\nBP12 | PRIMARY | 4\\n' || printf 'NAME|SYS_MODE|SYS_STATUS\\nBP11|STANDBY|3\\nBP12|PRIMARY|6\\n';; *) echo '[-70028]:connect failed'; exit 1;; esac\n`,
      { mode: 0o755 },
    );
    const scripts = ['CONN SYSDBA/"pw one"@127.0.0.1:5300\nSELECT 1;\n', 'CONN SYSDBA/"pw one"@127.0.0.1:5301\nSELECT 1;\n'];
    const cmd = waitLeaderCommand({}, ["BP11", "BP12", "BP13"], 30_000);
    expect(cmd).not.toContain("pw one");
    const r = t.run(cmd, scripts.join(`${SCRIPT_SPLIT}\n`));
    expect(r.stdout).toContain("leader elected");
    expect(r.code).toBe(0);
    const rec = fs.readFileSync(t.record, "utf8");
    expect(rec).toContain(scripts[0].trimEnd());
    expect(rec).toContain(scripts[1].trimEnd());
    expect(rec).not.toContain(SCRIPT_SPLIT);
  });

  test("gives up after its timeout when no member is PRIMARY", () => {
    fs.writeFileSync(path.join(t.bin, "disql"), "#!/bin/bash\ncat >/dev/null\nprintf 'NAME|SYS_MODE\\nBP11|STANDBY\\n'\n", { mode: 0o755 });
    const r = t.run(waitLeaderCommand({}, ["BP11"], 1_000), "CONN x\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no leader among BP11");
  });
});
