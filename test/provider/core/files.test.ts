import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, readdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyRemoteDir, parseReadFiles, readRemoteFiles, writeRemoteFile } from "../../../provider/core/files";
import { RemoteCommandError } from "../../../provider/core/errors";
import { SshPool } from "../../../provider/core/ssh";
import { hostileStrings } from "../../fixtures/hostile-strings";
import { TestServer, connOf, startTestServer } from "./helpers/test-ssh-server";

jest.setTimeout(60_000);

describe("remote files over real SSH", () => {
  let a: TestServer;
  let b: TestServer;
  let pool: SshPool;
  let dir: string;
  beforeEach(async () => {
    a = await startTestServer();
    b = await startTestServer();
    pool = new SshPool({ idleMs: 500 });
    dir = mkdtempSync(join(tmpdir(), "files-"));
  });
  afterEach(async () => {
    await pool.closeAll();
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes a file with its mode through stdin, creating the directory, and replaces it whole", async () => {
    const file = join(dir, "new dir", "dm.ini");
    const content = "PORT_NUM = 5236\nPASSWORD = 'x\"$(y)'\n" + hostileStrings.slice(0, 60).join("\n");
    await writeRemoteFile({ conn: connOf(a) }, file, content, 0o640, pool);
    expect(readFileSync(file, "utf8")).toBe(content);
    expect(statSync(file).mode & 0o7777).toBe(0o640);
    expect(a.execs[0]).not.toContain("PORT_NUM");
    await writeRemoteFile({ conn: connOf(a) }, file, "second\n", 0o600, pool);
    expect(readFileSync(file, "utf8")).toBe("second\n");
    expect(statSync(file).mode & 0o7777).toBe(0o600);
    expect(readdirSync(join(dir, "new dir"))).toEqual(["dm.ini"]);
  });

  it("leaves the old file and no temporary behind when the write fails", async () => {
    const sub = join(dir, "ro");
    mkdirSync(sub);
    writeFileSync(join(sub, "f"), "old");
    chmodSync(sub, 0o500);
    const root = process.getuid?.() === 0;
    try {
      const err = await writeRemoteFile({ conn: connOf(a) }, join(sub, "f"), "new", 0o600, pool).catch((e) => e);
      if (root) {
        // root ignores directory permissions, so the write succeeds; the failure path is shown below.
        expect(readFileSync(join(sub, "f"), "utf8")).toBe("new");
      } else {
        expect(err).toBeInstanceOf(RemoteCommandError);
        expect(readFileSync(join(sub, "f"), "utf8")).toBe("old");
      }
    } finally {
      chmodSync(sub, 0o700);
    }
    // A path whose parent is a regular file fails for root too.
    const err = await writeRemoteFile({ conn: connOf(a) }, join(sub, "f", "child"), "x", 0o600, pool).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err.message).toMatch(/write-file failed/);
    expect(readdirSync(sub)).toEqual(["f"]);
  });

  it("reads several files in one round trip, exactly, with missing ones as null", async () => {
    const names = ["a.ini", "b with space.ini", "empty", "no-newline", "tricky"];
    const contents = ["x=1\n", "y = '2'\n\n\n", "", "last line", "\n--dbcluster-fake-- 0 ok\n" + hostileStrings.slice(0, 70).join("\n")];
    names.forEach((n, i) => writeFileSync(join(dir, n), contents[i]));
    const paths = [...names.map((n) => join(dir, n)), join(dir, "missing.ini")];
    const got = await readRemoteFiles({ conn: connOf(a) }, paths, pool);
    expect(a.execs).toHaveLength(1);
    names.forEach((n, i) => expect(got.get(join(dir, n))).toBe(contents[i]));
    expect(got.get(join(dir, "missing.ini"))).toBeNull();
  });

  it("refuses to parse a listing that was cut short", () => {
    expect(() => parseReadFiles("\nM 0 ok\nabc", ["/x", "/y"], "M", "host1")).toThrow(/host1: the listing of \/y is missing/);
  });

  it("copies a directory from one host to another through tar streams", async () => {
    const src = join(dir, "backup set");
    mkdirSync(join(src, "sub"), { recursive: true });
    const big = randomBytes(3 * 1024 * 1024);
    writeFileSync(join(src, "data.bak"), big);
    writeFileSync(join(src, "sub", "meta it's.txt"), "meta\n");
    const dst = join(dir, "restored");
    const { bytes } = await copyRemoteDir(
      { target: { conn: connOf(a) }, dir: src },
      { target: { conn: connOf(b) }, dir: dst },
      pool,
    );
    expect(readFileSync(join(dst, "data.bak")).equals(big)).toBe(true);
    expect(readFileSync(join(dst, "sub", "meta it's.txt"), "utf8")).toBe("meta\n");
    expect(bytes).toBeGreaterThan(big.length);
    expect(a.execs).toHaveLength(1);
    expect(b.execs).toHaveLength(1);
  });

  it("stops the source when the destination fails, instead of hanging on a full window", async () => {
    const src = join(dir, "big");
    mkdirSync(src);
    writeFileSync(join(src, "blob"), randomBytes(8 * 1024 * 1024));
    writeFileSync(join(dir, "a-file"), "x");
    const err = await copyRemoteDir(
      { target: { conn: connOf(a) }, dir: src },
      { target: { conn: connOf(b) }, dir: join(dir, "a-file", "under") },
      pool,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err.message).toMatch(/copy-dir failed/);
    expect(err.message).toMatch(/tar x into/);
    expect(err.message).toMatch(/Not a directory|File exists/);
  });

  it("reports a copy whose source is missing, naming the source host", async () => {
    const err = await copyRemoteDir(
      { target: { conn: connOf(a) }, dir: join(dir, "nope") },
      { target: { conn: connOf(b) }, dir: join(dir, "dst") },
      pool,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err.message).toMatch(/^127\.0\.0\.1: copy-dir failed/);
    expect(err.message).toMatch(/nope/);
  });
});
