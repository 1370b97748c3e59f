/**
 * dminit's CONTROL file carries SYSDBA_PWD: no file holding the password exists while dminit
 * runs, nor after the step is killed (SIGKILL of every process of the host, a power loss), so
 * nothing is left for a later reader. The command runs over real SSH on a lab host; `dmHome`
 * points at a dminit that reads its CONTROL file like the real one and then stays, so that the
 * test can look while it runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SshPool } from "../../../provider/core/ssh";
import { dminitCommand } from "../../../provider/dm/commands";
import { startLab, type Lab } from "../../helpers/lab";

jest.setTimeout(120_000);

const PASSWORD = "Ctl_Secret_0xD1E";

let lab: Lab;
const pool = new SshPool({ idleMs: 500 });

beforeAll(async () => {
  lab = await startLab({ hosts: 1 });
});

afterAll(async () => {
  await pool.closeAll();
  await lab?.stop();
});

/** Regular files under `dir` whose content holds the password. */
function filesHolding(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (e.isFile() && fs.readFileSync(p, "utf8").includes(PASSWORD)) out.push(p);
  }
  return out;
}

async function waitFor(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("the password passes to dminit without a file holding it, and a killed step leaves none", async () => {
  const h = lab.host("host1");
  const root = path.join(h.dataRoot, "ctl");
  const tmp = path.join(root, "tmp");
  const started = path.join(root, "dminit-read");
  const dmHome = path.join(root, "dm");
  fs.mkdirSync(path.join(dmHome, "bin"), { recursive: true });
  fs.mkdirSync(tmp, { recursive: true });
  // Reads CONTROL=<file> as dminit does, says how much it read, then works on (until killed).
  fs.writeFileSync(
    path.join(dmHome, "bin", "dminit"),
    `#!/bin/bash\nf=\${1#CONTROL=}\nn=$(cat "$f" | grep -c SYSDBA_PWD)\necho "$n" > ${started}\nsleep 60\n`,
    { mode: 0o755 },
  );
  const d = dminitCommand({ name: "MP", mode: "MP", path: path.join(root, "db"), dbName: "DAMENG", portNum: 5239, apPortNum: 6003, pageSize: 8, extentSize: 16, charset: 0, caseSensitive: true, dmHome, sysdbaPassword: PASSWORD });
  const run = pool.exec({ conn: { host: h.address, port: h.port, user: h.user, privateKey: fs.readFileSync(h.privateKeyPath, "utf8"), hostKey: h.hostKey } }, d.command, { stdin: d.stdin, env: { TMPDIR: tmp }, timeoutMs: 60_000 });
  await waitFor("dminit to read its CONTROL file", () => fs.existsSync(started) && fs.readFileSync(started, "utf8").trim() !== "");
  expect(fs.readFileSync(started, "utf8").trim()).toBe("1");
  expect(filesHolding(tmp)).toEqual([]);

  await lab.fault("host1", "down");
  const r = await run;
  expect(r.code).not.toBe(0);
  await lab.fault("host1", "up");
  expect(filesHolding(tmp)).toEqual([]);
  expect(filesHolding(root)).toEqual([]);
});
