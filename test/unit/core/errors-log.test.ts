import { RemoteCommandError, exitMeaning } from "../../../provider/core/errors";
import { RunLog } from "../../../provider/core/log";
import { registerSecret } from "../../../provider/core/redact";

describe("RemoteCommandError", () => {
  it("names host, kind, exit status and meaning, shows the last stderr lines and redacts secrets", () => {
    registerSecret("Pw-in-stderr-42");
    const stderr = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n") + "\nlogin failed for Pw-in-stderr-42\n";
    const e = new RemoteCommandError({
      host: "host2", kind: "dminit", describe: "init /data/DM2", code: 127, signal: null,
      timedOut: false, durationMs: 80, stdout: "", stderr,
    });
    expect(e.message).toContain("host2: dminit failed (exit 127: command not found on the host's PATH)");
    expect(e.message).toContain("| login failed for [secret]");
    expect(e.message).not.toContain("Pw-in-stderr-42");
    expect(e.message).not.toContain("line 5\n");
    expect(e.message).toContain("next:");
    expect(e.stderrTail).toHaveLength(12);
  });

  it("falls back to stdout when a tool reports errors there", () => {
    const e = new RemoteCommandError({
      host: "h", kind: "sql", describe: "x", code: 2, signal: null, timedOut: false, durationMs: 1,
      stdout: "[-2106]:无效的表或视图名[T]", stderr: "",
    });
    expect(e.message).toContain("[-2106]");
  });

  it("explains signals and timeouts", () => {
    expect(exitMeaning(null, "KILL", false)).toMatch(/signal KILL/);
    expect(exitMeaning(137, null, false)).toMatch(/SIGKILL/);
    expect(exitMeaning(null, null, true)).toMatch(/timed out/);
    expect(exitMeaning(42, null, false)).toMatch(/command-specific/);
  });
});

describe("RunLog", () => {
  it("writes one whole, prefixed, redacted line per step", () => {
    registerSecret("log-secret-9");
    const lines: string[] = [];
    const log = new RunLog("dm:Instance/dm1 create a1b2c3", (l) => lines.push(l));
    log.step("host1", "write-file", "/data/dm.ini", { ok: true, ms: 123 });
    log.step("host2", "sql", "CONN log-secret-9\nselect 1", { ok: false, ms: 80, code: 3 });
    log.child("member host3").step("host3", "start", "dmserver", { ok: false, ms: 5, code: null, timedOut: true });
    expect(lines).toEqual([
      "[dbcluster] dm:Instance/dm1 create a1b2c3 host1 write-file /data/dm.ini ... ok 123ms",
      "[dbcluster] dm:Instance/dm1 create a1b2c3 host2 sql CONN [secret] ⏎ select 1 ... FAILED (exit 3) 80ms",
      "[dbcluster] dm:Instance/dm1 create a1b2c3 member host3 host3 start dmserver ... FAILED (timed out) 5ms",
    ]);
  });
});
