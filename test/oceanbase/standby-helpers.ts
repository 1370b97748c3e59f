/**
 * What the standby suites share: a lab whose first three hosts run a 3.x primary made by the
 * lab's CLI (with user tenant t1) and whose other hosts (4-6 by default) are bare but for the OBServer build at
 * `obHome/bin/observer`; SQL in a user tenant through obclient over SSH, as an application's DBA
 * would run it.
 */
import * as path from "node:path";
import { REPO, stackOn, type Stack } from "../examples/helpers";
import { runLabCli } from "../helpers/lab";
import { startObLab, type ObLab } from "./helpers";

export interface StandbyLab {
  readonly ob: ObLab;
  /** `examples/ob-standby-cluster` on this lab. */
  readonly stack: Stack;
  /** obclient on `host` as root@t1 against `address` (the host's own OBServer when omitted). */
  tenantSql(host: string, sql: string, o?: { address?: string; weak?: boolean }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Rows of a weak read in t1 on `host`'s OBServer (tab-separated cells). */
  tenantRows(host: string, sql: string): Promise<string[][]>;
  stop(): Promise<void>;
}

export async function startStandbyLab(o: { version?: "3.2.4" | "4.2.1"; standbyBuild?: Record<string, "3.2.4" | "4.2.1">; hosts?: number } = {}): Promise<StandbyLab> {
  const ob = await startObLab({ version: o.version ?? "3.2.4", hosts: o.hosts ?? 6, tenants: ["t1"] });
  try {
    for (const h of ob.lab.hosts.slice(3)) await runLabCli(["oceanbase", "binary", "--dir", ob.lab.dir, "--host", h.name, "--version", o.standbyBuild?.[h.name] ?? o.version ?? "3.2.4"]);
    const stack = stackOn(ob.lab, path.join(REPO, "examples", "ob-standby-cluster"), "standby-state");
    const tenantSql: StandbyLab["tenantSql"] = async (host, sql, x = {}) => {
      const address = x.address ?? ob.lab.host(host).address;
      const cmd =
        `f=$(mktemp) && chmod 600 "$f" && IFS= read -r pw && printf '[client]\\npassword=%s\\n' "$pw" > "$f" && ` +
        `obclient --defaults-extra-file="$f" -h${address} -P2881 -uroot@t1 -N -s -e "$(cat)"; rc=$?; rm -f "$f"; exit $rc`;
      const r = await ob.lab.exec(host, cmd, `${ob.password}\n${x.weak ? "SET ob_read_consistency = 'WEAK'; " : ""}${sql}`);
      return { code: r.code, stdout: r.stdout, stderr: r.stderr };
    };
    const tenantRows: StandbyLab["tenantRows"] = async (host, sql) => {
      const r = await tenantSql(host, sql, { weak: true });
      if (r.code !== 0) throw new Error(`obclient on ${host} failed (${r.code}): ${r.stderr}`);
      return r.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
    };
    return { ob, stack, tenantSql, tenantRows, stop: () => ob.stop() };
  } catch (e) {
    await ob.stop();
    throw e;
  }
}

/** SSH logins (the lab's connect events) per host since `marks` (from `connectMarks`). */
export function connectsSince(lab: ObLab["lab"], marks: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of lab.hosts) out[h.name] = lab.commandLog(h.name).slice(marks.get(h.name) ?? 0).filter((e) => "event" in e && e.event === "connect").length;
  return out;
}

export function connectMarks(lab: ObLab["lab"]): Map<string, number> {
  return new Map(lab.hosts.map((h) => [h.name, lab.commandLog(h.name).length]));
}

/** The resource's `observed` as the engine's state holds it (a refresh updates it; the stack's outputs only change on up). */
export function observedInState(stack: Stack, resource = "standby"): Record<string, any> {
  const state = JSON.parse(require("node:fs").readFileSync(stack.stateFile(), "utf8")) as { resources: { urn: string; outputs?: Record<string, any> }[] };
  const r = state.resources.find((x) => x.urn.endsWith(`::${resource}`));
  if (!r?.outputs) throw new Error(`no resource ${resource} in ${stack.stateFile()}`);
  return r.outputs.observed;
}
