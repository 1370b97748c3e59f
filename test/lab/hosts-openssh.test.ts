import * as fs from "fs";
import { hostSuite } from "./hosts-suite";

jest.setTimeout(180_000);

const SSHD = "/usr/sbin/sshd";

if (fs.existsSync(SSHD)) {
  describe("lab hosts on real OpenSSH servers", () => hostSuite("openssh"));
} else {
  // Not a skip: a run without sshd has not shown that the lab works on OpenSSH. `.ci/run`
  // installs it; elsewhere, install it too.
  test("sshd is installed", () => {
    throw new Error(`${SSHD} is missing: apt-get install -y openssh-server openssh-client`);
  });
}
