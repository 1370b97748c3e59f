import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprint, formatHostKey, parseHostKey, sameHostKey } from "../../../provider/core/hostkey";

describe("host keys", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "hostkey-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(["ed25519", "rsa", "ecdsa"])("prints the same SHA256 fingerprint as ssh-keygen for %s", (type) => {
    const file = join(dir, `k_${type}`);
    execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "me@there", "-f", file]);
    const pub = readFileSync(file + ".pub", "utf8");
    const expected = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", file + ".pub"]).toString().split(" ")[1];
    const key = parseHostKey(pub);
    expect(fingerprint(key)).toBe(expected);
    expect(formatHostKey(key)).toBe(pub.trim().split(" ").slice(0, 2).join(" "));
  });

  it("ignores comments and a known_hosts host field, but not the key", () => {
    const file = join(dir, "k_cmp");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
    const pub = readFileSync(file + ".pub", "utf8").trim();
    const [type, b64] = pub.split(" ");
    expect(sameHostKey(parseHostKey(`${type} ${b64}`), parseHostKey(`[127.0.10.1]:2222 ${type} ${b64} a comment`))).toBe(true);
    const other = join(dir, "k_other");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    expect(sameHostKey(parseHostKey(pub), parseHostKey(readFileSync(other + ".pub", "utf8")))).toBe(false);
  });

  it("refuses text that is not a public key", () => {
    expect(() => parseHostKey("SHA256:abc")).toThrow(/not an OpenSSH public key/);
    expect(() => parseHostKey("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ")).toThrow(/does not encode/);
  });
});
