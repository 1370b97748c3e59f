/**
 * The standby resource's pure parts: check's rules, the zones' host picking, the planner's order
 * from a given actual state, and quoting: hostile strings in every field that reaches a shell
 * (paths, the cluster's -o parameters) or SQL (IDC, region) come out as exactly one word or one
 * literal, checked by a real bash and by the lab server's own tokenizer.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planStandby, planStandbyDelete } from "../../../provider/oceanbase/standby/plan";
import { markerOf, parseProbe, type ClusterView, type StandbyActual } from "../../../provider/oceanbase/standby/read";
import { STANDBY_SQL } from "../../../provider/oceanbase/standby/sql";
import { resolveZones, validateStandby } from "../../../provider/oceanbase/standby/validate";
import { tokenize } from "../../../lab/sim/oceanbase/sql/select";
import { hostileStrings } from "../../fixtures/hostile-strings";

const host = (n: number, machineType?: string) => ({ connection: { host: `10.0.0.${n}`, user: "admin" }, address: `10.0.0.${n}`, ...(machineType ? { machineType } : {}) });
const base = (over: Record<string, unknown> = {}) => ({
  primary: { connection: { host: "10.0.0.1", user: "admin" }, password: "pw" },
  clusterId: 2,
  version: "3.2.4",
  zones: [1, 2, 3].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [host(10 + i)] })),
  observer: { home: "/home/admin/oceanbase", dataDir: "/data/1/store" },
  ...over,
});
const spec = (over: Record<string, unknown> = {}) => {
  const v = validateStandby(base(over));
  if (!v.ok) throw new Error(JSON.stringify(v.failures));
  return v.spec;
};

const peer: ClusterView = {
  version: "3.2.4.0", clusterId: 100, name: "obcluster", role: "PRIMARY", status: "VALID", switchoverStatus: "NOT ALLOWED", currentScn: 5,
  standbys: [], servers: [{ address: "10.0.0.1", rpcPort: 2882, sqlPort: 2881, zone: "z1", status: "ACTIVE" }], zones: {}, units: [],
};
const probe = (n: number, over: Partial<ReturnType<typeof parseProbe>> = {}) => ({ address: `10.0.0.${n}`, home: "/home/admin/oceanbase", dataDir: "/data/1/store", connKey: `k${n}`, binaryVersion: "3.2.4.0", pid: null, data: "absent" as const, marker: "", busy: [], ...over });
const fresh = (): StandbyActual => ({ peer: { ok: true, view: peer }, self: null, hosts: [11, 12, 13].map((n) => probe(n)) });

test("check: a valid spec passes with OCP's defaults (ports 2881/2882, region sys_region, role standby)", () => {
  const s = spec();
  expect(s.observer).toMatchObject({ sqlPort: 2881, rpcPort: 2882, options: {} });
  expect(s.zones[0].region).toBe("sys_region");
  expect(s).toMatchObject({ role: "standby", deleteData: false, timeoutSeconds: 600 });
});

test("check: two zones sharing one pool cannot ask for more hosts than it has", () => {
  const from = [host(11), host(12)];
  const v = validateStandby(base({ zones: [{ name: "z1", idc: "a", hosts: { count: 1, from } }, { name: "z2", idc: "b", hosts: { count: 2, from } }] }));
  expect(v.ok).toBe(false);
  expect(!v.ok && v.failures.map((f) => `${f.path}: ${f.rule}`)).toEqual(["zones[0].hosts.count: zones sharing this pool ask for 3 hosts; it has 2"]);
});

test("host picking: by address (numerically), filtered by machine type, hosts already serving the zone first, never a host of another zone", () => {
  const s = spec({ zones: [
    { name: "z1", idc: "a", hosts: { count: 2, from: [host(100, "big"), host(9, "big"), host(20, "big"), host(10, "small")], machineType: "big" } },
    { name: "z2", idc: "b", hosts: { count: 1, from: [host(100, "big"), host(9, "big"), host(20, "big"), host(10, "small")] } },
  ] });
  expect(resolveZones(s, new Map()).map((z) => z.hosts.map((h) => h.address))).toEqual([["10.0.0.9", "10.0.0.20"], ["10.0.0.10"]]);
  expect(resolveZones(s, new Map([["10.0.0.100", "z1"]])).map((z) => z.hosts.map((h) => h.address))).toEqual([["10.0.0.100", "10.0.0.9"], ["10.0.0.10"]]);
  expect(resolveZones(s, new Map([["10.0.0.10", "z1"]]))[1].hosts.map((h) => h.address)).toEqual(["10.0.0.100"]);
});

test("create plan, in OceanBase's order: verify on the primary beside every observer start (one parallel phase), bootstrap, add beside the IDCs, wait", () => {
  const plan = planStandby(spec(), fresh());
  expect(plan.map((p) => [p.title, p.operations.map((o) => `${o.host} ${o.kind}`)])).toEqual([
    ["check the primary, start observers", ["10.0.0.1 sql", "10.0.0.11 start", "10.0.0.12 start", "10.0.0.13 start"]],
    ["bootstrap the standby", ["10.0.0.11 sql"]],
    ["register on the primary, set the zones' IDC", ["10.0.0.1 sql", "10.0.0.11 sql"]],
    ["wait for the standby", ["10.0.0.1 wait"]],
  ]);
  const boot = plan[1].operations[0];
  expect(boot.stdin).toContain("ALTER SYSTEM BOOTSTRAP CLUSTER STANDBY REGION 'sys_region' ZONE 'z1' SERVER '10.0.0.11:2882', REGION 'sys_region' ZONE 'z2' SERVER '10.0.0.12:2882', REGION 'sys_region' ZONE 'z3' SERVER '10.0.0.13:2882' PRIMARY_CLUSTER_ID 100 PRIMARY_ROOTSERVICE_LIST '10.0.0.1:2882:2881'");
  // The password reaches obclient on stdin only.
  for (const p of plan) for (const o of p.operations) expect(o.command).not.toContain("pw");
});

test("delete plan: never while this cluster is the primary; otherwise REMOVE CLUSTER, then observers stopped with their data kept and marked", () => {
  const self: ClusterView = { ...peer, clusterId: 2, role: "PRIMARY" };
  const ours = [11, 12, 13].map((n) => probe(n, { pid: 40 + n, data: "nonempty", marker: markerOf(spec(), "obcluster", "/data/1/store") }));
  expect(() => planStandbyDelete(spec(), { peer: { ok: true, view: { ...peer, role: "PHYSICAL STANDBY" } }, self: { ok: true, view: self }, hosts: ours })).toThrow(/is the primary now .*switch back first/);
  const plan = planStandbyDelete(spec(), { peer: { ok: true, view: { ...peer, standbys: [{ clusterId: 2, name: "obcluster", status: "VALID", currentScn: 4, rsList: "" }] } }, self: { ok: true, view: { ...self, role: "PHYSICAL STANDBY" } }, hosts: ours });
  expect(plan.map((p) => p.title)).toEqual(["remove from the primary", "stop observers"]);
  expect(plan[1].operations[0].command).not.toContain("rm -rf");
});

describe("quoting", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ob-standby-quote-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const safe = hostileStrings.filter((s) => s !== "" && !/[\0\r\n]/.test(s));

  test("paths and -o parameters reach the observer as exactly the words given", () => {
    for (const [i, word] of safe.slice(0, 40).entries()) {
      const root = path.join(dir, `case${i}`);
      const home = `${root}/h ${word.replace(/\//g, "_")}`;
      const dataDir = `${root}/d ${word.replace(/\//g, "_")}`;
      if (home.split("/").includes("..") || dataDir.split("/").includes("..")) continue;
      const v = validateStandby(base({ observer: { home, dataDir, options: { syslog_level: word.replace(/,/g, ";") } } }));
      if (!v.ok) continue;
      const start = planStandby(v.spec, { ...fresh(), hosts: [11, 12, 13].map((n) => probe(n, { home, dataDir })) })[0].operations[1];
      fs.mkdirSync(path.join(home, "bin"), { recursive: true });
      fs.writeFileSync(path.join(home, "bin", "observer"), `#!/bin/bash\nprintf '%s\\0' "$@"\n`, { mode: 0o755 });
      const argv = execFileSync("bash", ["-c", start.command], { encoding: "utf8" }).split("\0").slice(0, -1);
      expect(argv).toEqual(["-z", "z1", "-p", "2881", "-P", "2882", "-n", "obcluster", "-c", "2", "-d", dataDir, "-r", "10.0.0.11:2882:2881;10.0.0.12:2882:2881;10.0.0.13:2882:2881", "-o", `syslog_level=${word.replace(/,/g, ";")}`]);
      expect(fs.readFileSync(path.join(home, ".dbcluster-observer"), "utf8")).toBe(`${markerOf(v.spec, "obcluster", dataDir)}\n`);
    }
  });

  test("an IDC and a region are one SQL literal each, whatever it holds (read back by the lab server's tokenizer)", () => {
    for (const idc of safe) {
      const toks = tokenize(STANDBY_SQL.setZone("z1", idc, `r ${idc}`));
      expect(toks.filter((t) => t.t === "str").map((t) => t.v)).toEqual(["z1", idc, `r ${idc}`]);
    }
  });

  test("the probe's output is parsed line by line; a marker holding = and spaces stays whole", () => {
    const p = parseProbe("10.0.0.11", { home: "/h", dataDir: "/d" }, "k", "version=3.2.4.0\npid=77\ndata=nonempty\nmarker=cluster=ob id=2 dataDir=/d x=y\nbusy=2881\n");
    expect(p).toMatchObject({ binaryVersion: "3.2.4.0", pid: 77, data: "nonempty", marker: "cluster=ob id=2 dataDir=/d x=y", busy: [2881] });
  });
});

test("a cluster name the primary reports goes into ADD/REMOVE CLUSTER only as a plain identifier", () => {
  expect(STANDBY_SQL.addCluster("obcluster", 2)).toBe("ALTER SYSTEM ADD CLUSTER obcluster CLUSTER_ID 2");
  for (const bad of hostileStrings.filter((h) => !/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(h))) {
    expect(() => STANDBY_SQL.addCluster(bad, 2)).toThrow(/cluster name .* is not a plain identifier/);
    expect(() => STANDBY_SQL.removeCluster(bad, 2)).toThrow(/not a plain identifier/);
  }
});

test("scale-in: DELETE SERVER, the wait until it left __all_server, then its observer stopped with its data kept, deleteData or not (that is the resource delete's option)", () => {
  const s = spec({ deleteData: true, zones: [1, 2].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [host(10 + i)] })) });
  const marker = markerOf(s, "obcluster", "/data/1/store");
  const self: ClusterView = {
    ...peer, clusterId: 2, role: "PHYSICAL STANDBY", switchoverStatus: "NOT ALLOWED",
    servers: [11, 12, 13].map((n, i) => ({ address: `10.0.0.${n}`, rpcPort: 2882, sqlPort: 2881, zone: `z${i + 1}`, status: "ACTIVE" })),
    zones: { z1: { idc: "idc1", region: "sys_region" }, z2: { idc: "idc2", region: "sys_region" }, z3: { idc: "idc3", region: "sys_region" } },
    units: [{ zone: "z1", address: "10.0.0.11", migrateFrom: "" }],
  };
  const registered = { ...peer, standbys: [{ clusterId: 2, name: "obcluster", status: "VALID", currentScn: 4, rsList: "" }] };
  const hosts = [11, 12, 13].map((n) => probe(n, { pid: 40 + n, data: "nonempty", marker }));
  const plan = planStandby(s, { peer: { ok: true, view: registered }, self: { ok: true, view: self }, hosts });
  const titles = plan.map((p) => p.title);
  expect(titles.slice(titles.indexOf("delete servers"))).toEqual(["delete servers", "wait for unit migration", "delete zones", "stop removed observers"]);
  const stop = plan[titles.indexOf("stop removed observers")].operations[0];
  expect(stop.host).toBe("10.0.0.13");
  expect(stop.command).not.toContain("rm -rf");
  expect(stop.describe).toContain("data kept");
});
