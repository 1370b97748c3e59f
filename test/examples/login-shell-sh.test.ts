/**
 * Hosts whose login shell is a POSIX sh (dash), not bash: sshd runs every command with it, so
 * scripts that need bash (`$SECONDS`, `/dev/tcp`) must ask for bash themselves. A cluster with
 * an MP, an SP and two BPs in a BP group deploys, a second up changes nothing, and destroy
 * stops every process.
 */
import { dmProcesses, dpcProgram, labOf, outcome, type Lab } from "./helpers";

jest.setTimeout(300_000);

let lab: Lab;

beforeAll(async () => {
  lab = await labOf(1, { loginShell: "sh" });
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

test("the lab host really runs commands with sh", async () => {
  const r = await lab.exec("host1", 'echo "${BASH_VERSION:-none}"; readlink -f /proc/$$/exe');
  expect(r.stdout.split("\n")[0]).toBe("none");
  expect(r.stdout).not.toMatch(/bash/);
});

test("deploy, a quiet second up and destroy on a host whose login shell is sh", async () => {
  const i = (name: string, mode: string, portNum: number, apPortNum: number) => ({ name, mode, host: "host1", dir: `sh/${name.toLowerCase()}`, portNum, apPortNum });
  const stack = dpcProgram(lab, {
    sysdbaPassword: "Lab_Dameng_123",
    instances: [{ ...i("MP", "MP", 5239, 6003), mpPort: 9000 }, i("SP1", "SP", 5236, 6000), i("BP1", "BP", 5237, 6001), i("BP2", "BP", 5238, 6002)],
    rafts: [
      { name: "RAFT_SP1", role: "SP", members: ["SP1"] },
      { name: "RAFT_1", role: "BP", members: ["BP1"] },
      { name: "RAFT_2", role: "BP", members: ["BP2"] },
    ],
    bpGroups: [{ name: "BG_1", rafts: ["RAFT_1", "RAFT_2"] }],
    faultDomains: [],
  });
  expect(outcome(await stack.engine("up"))).toEqual({ code: 0, tail: "" });
  expect((await dmProcesses(lab)).host1).toEqual(["BP1", "BP2", "MP", "SP1"]);
  const again = await stack.engine("up");
  expect(outcome(again)).toEqual({ code: 0, tail: "" });
  expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0 });
  expect(outcome(await stack.engine("destroy"))).toEqual({ code: 0, tail: "" });
  expect((await dmProcesses(lab)).host1).toEqual([]);
});
