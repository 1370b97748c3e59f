import { spawnSync } from "node:child_process";
import { quote, sh } from "../../../provider/core/quote/sh";
import { hostileStrings } from "../../fixtures/hostile-strings";

/** What bash prints for `printf %s <word>`: the exact bytes, or the shell's complaint. */
function bashPrintf(command: string): { stdout: Buffer; stderr: string; status: number | null } {
  const r = spawnSync("bash", ["-c", command], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent" } });
  return { stdout: r.stdout, stderr: r.stderr.toString(), status: r.status };
}

describe("sh quoting against real bash", () => {
  it("has a hostile list long enough to mean something", () => {
    expect(hostileStrings.length).toBeGreaterThanOrEqual(50);
  });

  it.each(hostileStrings.map((s, i) => [i, s.length > 40 ? s.slice(0, 40) + "…" : s, s] as const))(
    "#%i %j comes back byte for byte",
    (_i, _label, s) => {
      const r = bashPrintf(sh`printf %s ${s}`);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout.equals(Buffer.from(s, "utf8"))).toBe(true);
    },
  );

  it("keeps every element of an array a separate word", () => {
    const words = hostileStrings.filter((s) => s.length < 200);
    // printf repeats its format for each argument, so the NUL terminators delimit the words.
    const r = bashPrintf(sh`printf '%s\\0' ${words}`);
    expect(r.status).toBe(0);
    const got = r.stdout.toString("utf8").split("\0").slice(0, -1);
    expect(got).toEqual(words);
  });

  it("adds nothing for an empty array and one empty word for an empty string", () => {
    expect(sh`echo ${[]}`).toBe("echo ");
    expect(bashPrintf(sh`printf '[%s]' ${""} x`).stdout.toString()).toBe("[][x]");
  });

  it("quotes numbers and booleans as words and passes raw fragments through", () => {
    expect(sh`head -n ${5}`).toBe("head -n '5'");
    expect(sh`echo ${true}`).toBe("echo 'true'");
    const inner = sh`printf %s ${"a b"}`;
    expect(bashPrintf(sh`${sh.raw(inner)} && printf %s ${"'"}`).stdout.toString()).toBe("a b'");
  });

  it("passes a command as one argument when nested without raw", () => {
    const inner = sh`printf %s ${"$(x)"}`;
    expect(bashPrintf(sh`bash -c ${inner}`).stdout.toString()).toBe("$(x)");
  });

  it("refuses NUL bytes in values and in raw fragments", () => {
    expect(() => sh`echo ${"a\0b"}`).toThrow(/NUL byte/);
    expect(() => sh.raw("a\0")).toThrow(/NUL byte/);
    expect(() => quote("\0")).toThrow(/stdin/);
  });

  it("refuses undefined and null instead of printing them", () => {
    expect(() => sh`rm -rf ${undefined as unknown as string}/x`).toThrow(/undefined/);
    expect(() => sh`echo ${null as unknown as string}`).toThrow(/null/);
  });
});
