/**
 * What the OceanBase tests share: a lab with an OceanBase cluster made by the lab's own CLI
 * (`lab oceanbase create`), and `obclient` run over real SSH on a lab host, as a DBA runs it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, stackOn, type Stack } from "../examples/helpers";
import type { LabHost, LabObCluster } from "../../lab/hosts/lab-json";
import { runLabCli, startLab, type Lab } from "../helpers/lab";

export interface ObLab {
  readonly lab: Lab;
  readonly cluster: LabObCluster;
  readonly password: string;
  /** obclient on `host` against the cluster's first OBServer; the password travels in a 0600 defaults file written from stdin. */
  sql(host: string, sql: string, opts?: { server?: number; password?: string; flags?: string }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Rows of a query as arrays of cells (obclient -N -s: tab separated). */
  rows(host: string, sql: string): Promise<string[][]>;
  clock(advance: string): Promise<{ now: string; ran: { host: string; at: string; command: string; exit: number | null }[] }>;
  stop(): Promise<void>;
}

export async function startObLab(opts: { version: "3.2.4" | "4.2.1"; hosts?: number; tenants?: string[]; name?: string }): Promise<ObLab> {
  const lab = await startLab({ hosts: opts.hosts ?? 3 });
  try {
    const zones = lab.hosts.slice(0, 3).map((h, i) => `z${i + 1}:${h.name}`).join(",");
    const tenants = (opts.tenants ?? ["t1"]).flatMap((t) => ["--tenant", t]);
    const out = await runLabCli(["oceanbase", "create", "--dir", lab.dir, "--name", opts.name ?? "obcluster", "--version", opts.version, "--zones", zones, ...tenants]);
    const cluster = JSON.parse(out.stdout) as LabObCluster;
    const { password, sql, rows } = obClient(lab, cluster);
    const clock: ObLab["clock"] = async (advance) => JSON.parse((await runLabCli(["clock", "--dir", lab.dir, "--advance", advance], 600_000)).stdout);
    await clock(untilNoonUtc((await clock("0s")).now));
    return { lab, cluster, password, sql, rows, clock, stop: () => lab.stop() };
  } catch (e) {
    await lab.stop();
    throw e;
  }
}

/**
 * The lab's clock starts at the real time, so a test that advances it by days would otherwise
 * meet the policies' 01:00 / 03:00 / 05:00 runs at another point of its steps depending on when
 * it is run (CI once landed a step's last hour on a 01:00 backup the job had not seen finish).
 * Every OceanBase lab starts its story at the next 12:00 UTC, far from the schedules' hours.
 */
function untilNoonUtc(nowIso: string): string {
  const now = Date.parse(nowIso);
  const noon = new Date(now);
  noon.setUTCHours(12, 0, 0, 0);
  if (noon.getTime() <= now) noon.setUTCDate(noon.getUTCDate() + 1);
  return `${Math.ceil((noon.getTime() - now) / 60_000)}m`;
}

/** obclient over SSH from a lab host to one of `cluster`'s OBServers, as root@sys with the cluster's password. */
export function obClient(lab: Lab, cluster: LabObCluster): Pick<ObLab, "password" | "sql" | "rows"> {
  const password = fs.readFileSync(cluster.passwordFile, "utf8");
  const sql: ObLab["sql"] = async (host, text, o = {}) => {
    const sv = cluster.servers[o.server ?? 0];
    const cmd =
      `f=$(mktemp) && chmod 600 "$f" && IFS= read -r pw && printf '[client]\\npassword=%s\\n' "$pw" > "$f" && ` +
      `obclient --defaults-extra-file="$f" -h${sv.address} -P${sv.sqlPort} -uroot@sys ${o.flags ?? ""} -e "$(cat)"; rc=$?; rm -f "$f"; exit $rc`;
    const r = await lab.exec(host, cmd, `${o.password ?? password}\n${text}`);
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  };
  const rows: ObLab["rows"] = async (host, text) => {
    const r = await sql(host, text, { flags: "-N -s" });
    if (r.code !== 0) throw new Error(`obclient failed (${r.code}): ${r.stderr}`);
    return r.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
  };
  return { password, sql, rows };
}

/** Polls `check` until it returns a value, at most `ms` (conditions, never fixed sleeps). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A lab cluster whose archiving a policy example turned on (`up` through the engine), and a
 * stack of examples/ob-backup-now on it: what the backup-now tests start from.
 */
export async function startBackupNowLab(opts: { version: "3.2.4" | "4.2.1"; tenants?: string[]; policyExample: string }): Promise<{ ob: ObLab; now: Stack }> {
  const ob = await startObLab({ version: opts.version, hosts: 4, tenants: opts.tenants });
  try {
    const policy = stackOn(ob.lab, path.join(REPO, "examples", opts.policyExample), "policy-state");
    const up = await policy.engine("up");
    if (up.code !== 0) throw new Error(`the policy's up failed:\n${up.out.slice(-4000)}`);
    return { ob, now: stackOn(ob.lab, path.join(REPO, "examples", "ob-backup-now"), "now-state") };
  } catch (e) {
    await ob.stop();
    throw e;
  }
}

/** The StandbyCluster step lines (`... ok` / `... FAILED`) of an engine run's output. */
export const standbySteps = (r: { out: string }): string[] => r.out.split("\n").filter((l) => / \.\.\. (ok|FAILED)/.test(l) && /oceanbase:StandbyCluster\//.test(l));

/**
 * After a StandbyCluster's delete (which keeps data unless asked): on each of `hosts` the observer
 * is stopped and the data directory is still there, and what was kept is marked as a removed
 * standby's, so a new up of `stack` refuses to start over it and runs no step.
 */
export async function expectStandbyDataKept(hosts: readonly LabHost[], stack: Stack): Promise<void> {
  for (const h of hosts) {
    expect(fs.readdirSync(`${h.dataRoot}/obstandby/store`).sort()).toEqual(["clog", "slog", "sstable"]);
    expect(fs.existsSync(`${h.obHome}/run/observer.pid`)).toBe(false);
  }
  const again = await stack.engine("up");
  expect(again.code).not.toBe(0);
  expect(again.out).toMatch(/data directory .*obstandby\/store is not empty \(removed cluster=obcluster id=2 .*\) and was not started by this standby: an existing data directory is never overwritten/);
  expect(standbySteps(again)).toEqual([]);
}
