import * as fs from "fs";
import { hostSuite } from "./hosts-suite";

jest.setTimeout(180_000);

const SSHD = "/usr/sbin/sshd";

if (fs.existsSync(SSHD)) {
  describe("lab hosts on real OpenSSH servers", () => hostSuite("openssh"));
} else if (process.env.CI === "true") {
  // CI installs openssh-server; a missing sshd there is a broken pipeline, not a reason to skip.
  test("sshd is installed in CI", () => {
    throw new Error(`${SSHD} is missing: apt-get install -y openssh-server openssh-client`);
  });
} else {
  test.skip(`real OpenSSH servers (${SSHD} not installed here)`, () => undefined);
}
