/**
 * The one failure rule of plans, as the resources run them (RunContext.run over core's
 * executor), over real SSH on lab hosts: the first failed step stops the plan; a host already
 * running a step of that phase finishes it, but no host starts a further step, and later phases
 * do not run. The error thrown is the failed step's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RunContext } from "../../provider/converge";
import { connectionKey, parseConnection } from "../../provider/core/connection";
import { RemoteCommandError } from "../../provider/core/errors";
import { RunLog } from "../../provider/core/log";
import type { Operation, Plan } from "../../provider/core/operation";
import { sh } from "../../provider/core/quote/sh";
import { startLab, type Lab, type LabHost } from "../helpers/lab";

jest.setTimeout(120_000);

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ hosts: 2 });
});

afterAll(async () => {
  await lab?.stop();
});

const connOf = (h: LabHost) => parseConnection({ host: h.address, port: h.port, user: h.user, privateKey: fs.readFileSync(h.privateKeyPath, "utf8"), hostKey: h.hostKey });

test("the first failed step stops the plan: other hosts finish their running step and start none after it", async () => {
  const [h1, h2] = [lab.host("host1"), lab.host("host2")];
  const dir = path.join(h1.dataRoot, "rule");
  fs.mkdirSync(dir, { recursive: true });
  const failedSeen = path.join(dir, "failure-logged");
  const [c1, c2] = [connOf(h1), connOf(h2)];
  const [k1, k2] = [connectionKey(c1), connectionKey(c2)];
  const op = (host: LabHost, connKey: string, describe: string, command: string): Operation => ({ host: host.name, connKey, kind: "test", describe, command, reason: "test", timeoutMs: 60_000 });
  const plan: Plan = [
    {
      title: "one",
      operations: [
        op(h1, k1, "fails", "exit 3"),
        // Runs until the executor has logged host1's failure (the log sink below marks it), then ends.
        op(h2, k2, "running when host1 fails", sh`i=0; while [ ! -e ${failedSeen} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; touch ${dir + "/h2-1"}`),
        op(h2, k2, "after the failure", sh`touch ${dir + "/h2-2"}`),
      ],
    },
    { title: "two", operations: [op(h1, k1, "a later phase", sh`touch ${dir + "/h1-2"}`)] },
  ];
  const lines: string[] = [];
  const log = new RunLog("rule", (l) => {
    lines.push(l);
    if (/fails \.\.\. FAILED/.test(l)) fs.writeFileSync(failedSeen, "");
  });
  const ctx = new RunContext(log, {}, new Map([[k1, c1], [k2, c2]]), "update");
  const err = await ctx.run(plan).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteCommandError);
  expect((err as RemoteCommandError).message).toMatch(/^host1: test failed \(exit 3/);
  expect(fs.existsSync(path.join(dir, "h2-1"))).toBe(true);
  expect(fs.existsSync(path.join(dir, "h2-2"))).toBe(false);
  expect(fs.existsSync(path.join(dir, "h1-2"))).toBe(false);
  expect(lines.filter((l) => /after the failure|a later phase/.test(l))).toEqual([]);
  expect(ctx.stepsStarted).toBe(2);
  await ctx.pool.closeAll();
});
