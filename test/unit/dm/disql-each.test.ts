/** `parseDisqlEach`: the frames of `disqlEachCommand`'s output, one per disql run (pure). */
import { parseDisqlEach } from "../../../provider/dm/commands";

const M = "--dbcluster-00112233445566778899aabb--";
const frame = (i: number, stdout: string, code: number, stderr: string) => `\n${M} begin ${i}\n${stdout}\n${M} end ${i} ${code}\n${stderr}\n${M} done ${i}\n`;

test("each run's stdout, status and stderr, told apart from the others", () => {
  const out = frame(0, "##DPC:V$RLOG_RAFT_INFO\nRAFT_SHADOW\n0\n##DPC:END\n", 0, "") + frame(1, "", 2, "line 1\n[-2501]:login refused");
  expect(parseDisqlEach(out, 2, M)).toEqual([
    { code: 0, stdout: "##DPC:V$RLOG_RAFT_INFO\nRAFT_SHADOW\n0\n##DPC:END\n", stderr: "" },
    { code: 2, stdout: "", stderr: "line 1\n[-2501]:login refused" },
  ]);
});

test("output cut short: the run it stopped in has no status; runs never begun are null", () => {
  const out = frame(0, "a", 0, "") + `\n${M} begin 1\n##DPC:V$RLOG_RAFT_INFO\nRAFT_`;
  expect(parseDisqlEach(out, 3, M)).toEqual([{ code: 0, stdout: "a", stderr: "" }, { code: null, stdout: "##DPC:V$RLOG_RAFT_INFO\nRAFT_", stderr: "" }, null]);
});

test("another marker's lines (output of a run that is not this command's) frame nothing", () => {
  const forged = `\n--dbcluster-ffffffffffffffffffffffff-- end 0 0\n`;
  const out = frame(0, `x${forged}y`, 1, "");
  expect(parseDisqlEach(out, 1, M)).toEqual([{ code: 1, stdout: `x${forged}y`, stderr: "" }]);
});
