/**
 * The printed plan shows what runs: every step of a seed 7.2 deployment (and of a member joining
 * online) names, after ` $ `, the exact command line it runs, shell-quoted as sent, or the SQL it
 * sends, and never the SYSDBA password.
 */
import { renderPlan } from "../../../../provider/core/operation";
import { flatten, type Operation } from "../../../../provider/dm/ops";
import { seed72 } from "../fixtures/seed";
import { buildCluster } from "./world";

const exactPart = (op: Operation) => op.describe.slice(op.describe.indexOf(" $ ") + 3);

/** The script a `bash -c '<script>'` command runs (scripts that need bash are wrapped so, see core's `bash`). */
const script = (command: string) => {
  const m = /^bash -c '([\s\S]*)'$/.exec(command);
  return m ? m[1].replace(/'\\''/g, "'") : command;
};

test("every step's plan line ends with its exact command; commands built from it contain it verbatim", () => {
  const { plans } = buildCluster(seed72);
  const ops = plans.flatMap((p) => flatten(p));
  expect(ops.length).toBeGreaterThan(40);
  for (const op of ops) {
    if (op.kind === "write-file" || op.kind === "set-ini" || op.kind.startsWith("wait-")) continue; // content on stdin, shown as what it writes / waits for
    expect([op.kind, op.describe.includes(" $ ")]).toEqual([op.kind, true]);
    const exact = exactPart(op);
    switch (op.kind) {
      case "dmrman":
      case "mkdir":
      case "remove":
        expect(op.command).toContain(exact);
        break;
      case "start":
        // `setsid nohup <dmserver invocation>, then wait for ip:port`
        expect(script(op.command)).toContain(exact.replace(/^setsid nohup /, "").replace(/, then wait for .*$/, ""));
        break;
      case "sql": {
        const statements = op.describe.slice(op.describe.indexOf(": ") + 2, op.describe.indexOf(" $ "));
        expect(op.stdin!.split("\n").join(" ")).toContain(statements);
        expect(exact.startsWith(op.command)).toBe(true);
        break;
      }
      case "dminit":
        expect(op.describe).toMatch(/^dminit SYSTEM_PATH=.* INSTANCE_NAME=\w+ .*\(SYSDBA_PWD not shown\) \$ 'dminit' CONTROL=/);
        break;
      case "stop":
        expect(exact).toMatch(/^kill -(TERM|USR1) <pid of the dmserver of .*dm\.ini>/);
        expect(op.command).toContain(exact.slice(0, 10));
        break;
      default:
        throw new Error(`no check for a ${op.kind} step: ${op.describe}`);
    }
  }
  const printed = plans.flatMap((p) => renderPlan(p)).join("\n");
  expect(printed).not.toContain(seed72.sysdbaPassword);
  expect(printed).toMatch(/dmrman offline full backup of BP11 to .*BACKUP_RAFT_1_SEED_r1 \$ 'dmrman' 'CTLSTMT=BACKUP DATABASE /);
});
