/**
 * A step whose connection fails before its command runs is reported like a failed command:
 * host, kind and the step's description, the cause, and what to do next. Seen on the lab when a
 * host went down while a RAFT group was being seeded: the error said only "cannot open a channel".
 */
import { connectionKey, parseConnection } from "../../../provider/core/connection";
import { SshConnectError, StepNotStartedError } from "../../../provider/core/errors";
import { runPlan } from "../../../provider/core/executor";
import { RunLog } from "../../../provider/core/log";
import type { Plan } from "../../../provider/core/operation";
import { SshPool } from "../../../provider/core/ssh";
import { connOf, startTestServer } from "./helpers/test-ssh-server";

jest.setTimeout(60_000);

test("a step on a host that does not answer names the step, the cause and the next move", async () => {
  const server = await startTestServer();
  const conn = { ...connOf(server), dialErrorLimit: 1 };
  await server.close(); // nothing listens on that port any more
  const key = connectionKey(parseConnection(conn));
  const lines: string[] = [];
  const pool = new SshPool({ idleMs: 200 });
  const plan: Plan = [
    { title: "restore", operations: [{ host: "10.9.9.9", connKey: key, kind: "dmrman", describe: "dmrman restore BP12 from /x/BACKUP_01", command: "true", reason: "test", timeoutMs: 5_000 }] },
  ];
  try {
    const err = await runPlan(plan, { targets: new Map([[key, { conn }]]), pool, log: new RunLog("t", (l) => lines.push(l)) }).catch((e) => e);
    expect(err).toBeInstanceOf(StepNotStartedError);
    expect(err.cause).toBeInstanceOf(SshConnectError);
    expect(err.message).toMatch(/^10\.9\.9\.9: dmrman was not started \(cannot connect to .*ECONNREFUSED.*\): dmrman restore BP12 from \/x\/BACKUP_01\n {2}next: .*run `pulumi up` again/);
    expect(lines).toEqual([expect.stringMatching(/10\.9\.9\.9 dmrman dmrman restore BP12 from \/x\/BACKUP_01 \.\.\. FAILED \(SshConnectError\)/)]);
  } finally {
    await pool.closeAll();
  }
});
