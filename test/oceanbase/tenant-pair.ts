/**
 * What the 4.x standby tenant suites share: a lab whose hosts 1-3 run a 4.x primary with tenant
 * t1 (made by the lab's CLI) and whose other hosts (4-6, or more) are bare but for the 4.x build at
 * `obHome/bin/observer`; examples/ob-standby-tenants on it (the resource starts, bootstraps and
 * scales the standby cluster there), and obclient over SSH on either side's first host, as a DBA
 * runs it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LabObCluster } from "../../lab/hosts/lab-json";
import { REPO, stackOn, type Stack } from "../examples/helpers";
import { runLabCli } from "../helpers/lab";
import { startObLab, type ObLab } from "./helpers";

export type PairSide = "primary" | "standby";

export interface TenantPair {
  readonly ob: ObLab;
  /** With `labStandby`: the standby cluster the lab's CLI made on hosts 4-6 (sys tenant only). */
  readonly standby?: LabObCluster;
  /** root@sys's password on the standby cluster: the example leaves it the primary's; the lab-made one has its own. */
  readonly standbyPassword: string;
  /** `examples/ob-standby-tenants` on this lab. */
  readonly stack: Stack;
  /** obclient as root@<tenant> (sys by default); the password (the side's root@sys one, or the primary's for a user tenant) and the statements on stdin. */
  sql(side: PairSide, sql: string, o?: { tenant?: string; password?: string; host?: string }): Promise<{ code: number | null; out: string; err: string }>;
  /** t1's x ids on a side by a weak read, comma-joined; undefined while the query fails. */
  ids(side: PairSide, host?: string): Promise<string | undefined>;
}

export async function startTenantPair(o: { hosts?: number; labStandby?: boolean } = {}): Promise<TenantPair> {
  const ob = await startObLab({ version: "4.2.1", hosts: o.hosts ?? 6, tenants: ["t1"] });
  try {
    let standby: LabObCluster | undefined;
    if (o.labStandby) standby = JSON.parse((await runLabCli(["oceanbase", "create", "--dir", ob.lab.dir, "--name", "obstandby", "--version", "4.2.1", "--zones", "z1:host4,z2:host5,z3:host6"])).stdout) as LabObCluster;
    else for (const h of ob.lab.hosts.slice(3)) await runLabCli(["oceanbase", "binary", "--dir", ob.lab.dir, "--host", h.name, "--version", "4.2.1"]);
    const standbyPassword = standby ? fs.readFileSync(standby.passwordFile, "utf8") : ob.password;
    const sql: TenantPair["sql"] = async (side, text, x = {}) => {
      const [host, address, port] = side === "primary" ? [ob.cluster.servers[0].host, ob.cluster.servers[0].address, ob.cluster.servers[0].sqlPort] : [x.host ?? "host4", ob.lab.host(x.host ?? "host4").address, 2881];
      const tenant = x.tenant ?? "sys";
      const pw = x.password ?? (side === "standby" && tenant === "sys" ? standbyPassword : ob.password);
      const cmd = `f=$(mktemp) && chmod 600 "$f" && IFS= read -r pw && printf '[client]\\npassword=%s\\n' "$pw" > "$f" && obclient --defaults-extra-file="$f" -h${address} -P${port} -uroot@${tenant} -N -s -e "$(cat)"; rc=$?; rm -f "$f"; exit $rc`;
      const r = await ob.lab.exec(host, cmd, `${pw}\n${text}`);
      return { code: r.code, out: r.stdout.trim(), err: r.stderr.trim() };
    };
    const ids: TenantPair["ids"] = async (side, host) => {
      const r = await sql(side, "SET ob_read_consistency = 'WEAK'; SELECT id FROM x ORDER BY id", { tenant: "t1", host });
      return r.code === 0 ? r.out.split("\n").filter((l) => l !== "").join(",") : undefined;
    };
    const stack = stackOn(ob.lab, path.join(REPO, "examples", "ob-standby-tenants"), "tenants-state");
    return { ob, standby, standbyPassword, stack, sql, ids };
  } catch (e) {
    await ob.stop();
    throw e;
  }
}

/**
 * A pair started before the file's first test and stopped after its last, for the files whose
 * tests all share one; the object reads the started pair (its fields only inside tests and hooks).
 */
export function tenantPairPerFile(o: Parameters<typeof startTenantPair>[0] = {}): TenantPair {
  let pair: TenantPair | undefined;
  beforeAll(async () => {
    pair = await startTenantPair(o);
  }, 120_000);
  afterAll(async () => pair?.ob.stop());
  const started = (): TenantPair => {
    if (!pair) throw new Error("the tenant pair's lab did not start (see the beforeAll's error)");
    return pair;
  };
  return {
    get ob() { return started().ob; },
    get standby() { return started().standby; },
    get standbyPassword() { return started().standbyPassword; },
    get stack() { return started().stack; },
    sql: (...a) => started().sql(...a),
    ids: (...a) => started().ids(...a),
  };
}
