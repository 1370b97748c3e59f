/**
 * An up interrupted by a host going down mid-start: the standby cluster's first host loses power
 * while its gs_ddr start runs. The up fails; once the host is back, the next up removes the lock
 * the killed gs_ddr left, resumes both sides from gs_ddr's step files, and the pair carries rows.
 */
import { outcome, type Stack } from "../examples/helpers";
import { eventually, rowsOf, sqlOn, startOgStack, type OgLab } from "./fixtures";

jest.setTimeout(170_000);

let og: OgLab;
let stack: Stack;
beforeAll(async () => {
  ({ og, stack } = await startOgStack("og-dr-stream", { timeoutSeconds: "20" }));
}, 170_000);
afterAll(async () => og?.stop());

/** Polls until the standby's start has recorded a step, at most 60 s. */
async function standbyStartRecorded(): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await og.run("host3", "ls -A \"$PGHOST/ddr_cabin\" 2>/dev/null");
    if (/\.ddr_start_standby\.step/.test(r.stdout)) return true;
    await new Promise((res) => setTimeout(res, 200));
  }
  return false;
}

test("host3 goes down during the standby's gs_ddr start: the up fails; after host3 is back the next up finishes the pair", async () => {
  await sqlOn(og, "host1", "create table t(id int primary key, v text); insert into t values (1, 'a')");
  const up = stack.engine("up");
  expect(await standbyStartRecorded()).toBe(true);
  await og.lab.fault("host3", "down");
  const failed = await up;
  expect(failed.code).not.toBe(0);
  await og.lab.fault("host3", "up");

  await stack.engine("config", "set", "timeoutSeconds", "120");
  const r = await stack.engine("up");
  expect(outcome(r)).toEqual({ code: 0, tail: "" });
  // The killed gs_ddr left its lock on host3 (no gs_ddr runs there now): removed first, then both sides resume.
  expect(r.out).toMatch(/rm remove gs_ddr's stale lock ddr_lock_[0-9a-f]+ on og2 \.\.\. ok/);
  expect(r.out).toMatch(/resume the unfinished start/);
  expect((await stack.outputs()).paired).toBe(true);
  await sqlOn(og, "host1", "insert into t values (2, 'b')");
  expect(await eventually(() => rowsOf(og, "host4"), ["1:a", "2:b"])).toEqual(["1:a", "2:b"]);
});
