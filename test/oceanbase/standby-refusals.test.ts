/**
 * oceanbase.StandbyCluster's refusals through the local engine: bad input in check (every
 * problem at once: field, value, rule), with what check reads from the primary (its version, id
 * and name); then the prechecks made from what is read, before any step (a host of another
 * build; a data directory in use; a busy port); then `{count, from, machineType}` host picking; a
 * create interrupted at the bootstrap and at the registration, finished by the next up (its VALID
 * wait reporting progress); hostile IDC and region strings; scaling by editing (scale-in waiting
 * for DELETE SERVER's unit migration).
 */
import * as net from "node:net";
import * as fs from "node:fs";
import * as path from "node:path";
import { outcome, stackOn, type Stack } from "../examples/helpers";
import { runLabCli } from "../helpers/lab";
import { obClient, waitFor } from "./helpers";
import { observedInState, startStandbyLab, type StandbyLab } from "./standby-helpers";

jest.setTimeout(300_000);

let sb: StandbyLab;
let stack: Stack;
beforeAll(async () => {
  sb = await startStandbyLab({ hosts: 8 });
  stack = stackOn(sb.ob.lab, path.join(__dirname, "programs", "standby"), "refusals-state");
}, 120_000);
afterAll(async () => sb?.stop());

const threeZones = { zones: [1, 2, 3].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [`host${i + 3}`] })) };
const up = (args: object) => stack.withEnv({ STANDBY_ARGS: JSON.stringify(args) }).engine("up");
const diags = (r: { events: Record<string, any>[] }) => r.events.filter((e) => e.diag).map((e) => e.diag.message).join("\n");
/** Commands the standby hosts ran (reads included): none means nothing was touched there. */
const ranOn = (hosts: string[]) => hosts.flatMap((h) => sb.ob.lab.commandLog(h).filter((e) => "command" in e).map((e) => (e as { command: string }).command));
const changesOn = (hosts: string[]) => ranOn(hosts).filter((c) => /observer -z|BOOTSTRAP|rm -rf/.test(c));

test("check refuses bad input, every problem at once, naming field, value and rule; nothing runs", async () => {
  const r = await up({
    clusterId: 0,
    version: "3.2",
    zones: [
      { name: "z1", idc: "idc1", hosts: ["host4"], rootServer: "host9" },
      { name: "z1", idc: "idc2", hosts: ["host4"] },
      { name: "z3", idc: "idc3", hosts: { count: 4, from: ["host5", "host6"] } },
    ],
    observer: { home: "relative/home", sqlPort: 2882, rpcPort: 2882 },
    failover: { confirm: "obcluster" },
  });
  expect(r.code).not.toBe(0);
  const d = diags(r);
  expect(d).toMatch(/clusterId: a cluster_id is 1 to 4294901759 \(got 0\)/);
  expect(d).toMatch(/version: a version such as 3\.2\.4 \(got "3\.2"\)/);
  expect(d).toMatch(/zones\[1\]\.idc: zone z1 is already in IDC "idc1": a zone sits in one IDC \(got "idc2"\)/);
  expect(d).toMatch(/zones\[1\]\.hosts\[0\]\.address: host 127\.0\.\d+\.4 is already in zone z1: a host is in one zone/);
  expect(d).toMatch(/zones\[0\]\.rootServer: host9 is not one of zone z1's hosts: the RootServer is one of the zone's hosts \(got "host9"\)/);
  expect(d).toMatch(/zones\[2\]\.hosts\.count: the pool has 2 hosts not taken by another zone: count cannot be larger \(got 4\)/);
  expect(d).toMatch(/observer\.home: must be an absolute path \(got "relative\/home"\)/);
  expect(d).toMatch(/observer\.rpcPort: the RPC port equals the SQL port \(2882\): give two ports/);
  expect(d).toMatch(/role: a failover makes this cluster the primary: declare role: "primary" with it/);
  expect(r.out).not.toContain(sb.ob.password);
  expect(ranOn(["host4", "host5", "host6"])).toEqual([]);
});

test("check reads the primary: its version (OCP's rolling order), its own cluster id and another name are refused with the schema's problems, all at once; a 4.x version against this 3.x primary names both versions", async () => {
  const r = await up({ ...threeZones, version: "3.2.5", clusterId: sb.ob.cluster.clusterId, clusterName: "other", observer: { sqlPort: 2882 } });
  expect(r.code).not.toBe(0);
  const d = diags(r);
  expect(d).toMatch(/version: differs from the primary's 3\.2\.4\.0: a standby runs the primary's version; to upgrade, upgrade the standby first, then the primary \(OCP's rolling order\) \(got "3\.2\.5"\)/);
  expect(d).toMatch(new RegExp(`clusterId: is the primary's own cluster_id: give the standby a cluster_id of its own \\(got ${sb.ob.cluster.clusterId}\\)`));
  expect(d).toMatch(/clusterName: differs from the primary's obcluster: a standby has the primary's cluster name \(got "other"\)/);
  expect(d).toMatch(/observer\.rpcPort: the RPC port equals the SQL port \(2882\): give two ports/);
  const major = await up({ ...threeZones, version: "4.2.1" });
  expect(major.code).not.toBe(0);
  expect(diags(major)).toMatch(/version: is 4\.x: standby tenants of the primary's tenants, and the primary runs OceanBase 3\.2\.4\.0 \(3\.x: a standby cluster\): declare the primary's version 3\.2\.4\.0 \(got "4\.2\.1"\)/);
  expect(major.out).not.toMatch(/cannot be reached/);
  for (const x of [r, major]) expect(x.out).not.toContain(sb.ob.password);
  // Check only read: nothing ran on the standby's hosts, and nothing was written on the primary.
  expect(ranOn(["host4", "host5", "host6"])).toEqual([]);
  expect(await sb.ob.rows("host1", "SELECT cluster_id FROM oceanbase.V$OB_STANDBY_STATUS")).toEqual([]);
});

test("a preview that does not know the primary's password yet says check leaves the comparison to the prechecks; the up, knowing it, refuses in check", async () => {
  const args = { ...threeZones, version: "3.2.5", passwordViaResource: true };
  const preview = await stack.withEnv({ STANDBY_ARGS: JSON.stringify(args) }).engine("preview");
  expect(preview.out).toMatch(/check: some inputs are not known yet \(a preview\): what is compared with the hosts is left to the prechecks, before any step/);
  expect(preview.out).not.toMatch(/differs from the primary's/);
  const r = await up(args);
  expect(r.code).not.toBe(0);
  expect(diags(r)).toMatch(/version: differs from the primary's 3\.2\.4\.0: a standby runs the primary's version/);
  // (The SDK's own --verbose lines show the test program's passthrough resource; the product's lines never the password.)
  for (const x of [preview, r]) expect(x.out.split("\n").filter((l) => l.includes("[dbcluster]") || l.includes("diag")).join("\n")).not.toContain(sb.ob.password);
  expect(ranOn(["host4", "host5", "host6"])).toEqual([]);
});

test("prechecks refuse a host of another build, a data directory with data, and a busy port, naming the host", async () => {
  await runLabCli(["oceanbase", "binary", "--dir", sb.ob.lab.dir, "--host", "host5", "--version", "4.2.1"]);
  const build = await up(threeZones);
  expect(build.out).toMatch(/precheck: 127\.0\.\d+\.5: .*\/bin\/observer is build 4\.2\.1\.0, not 3\.2\.4: install the primary's build on every standby host/);
  await runLabCli(["oceanbase", "binary", "--dir", sb.ob.lab.dir, "--host", "host5", "--version", "3.2.4"]);

  const h6 = sb.ob.lab.host("host6");
  fs.mkdirSync(`${h6.dataRoot}/obstandby/store/clog`, { recursive: true });
  const data = await up(threeZones);
  expect(data.out).toMatch(/precheck: 127\.0\.\d+\.6: the data directory .*obstandby\/store is not empty and was not started by this standby: an existing data directory is never overwritten; check that it is disposable/);
  expect(fs.existsSync(`${h6.dataRoot}/obstandby/store/clog`)).toBe(true);
  fs.rmSync(`${h6.dataRoot}/obstandby`, { recursive: true });

  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(2882, sb.ob.lab.host("host4").address, () => r()));
  try {
    const port = await up(threeZones);
    expect(port.out).toMatch(/precheck: 127\.0\.\d+\.4: port 2882 already in use and no observer of this cluster runs there/);
  } finally {
    busy.close();
  }
  expect(changesOn(["host4", "host5", "host6"])).toEqual([]);
});

/** SELECTs of V$OB_STANDBY_STATUS the primary's OBServers answered so far (their observer.log). */
const standbyStatusSelects = () => sb.ob.lab.hosts.slice(0, 3).map((h) => path.join(h.obHome, "obcluster", "log", "observer.log")).filter((f) => fs.existsSync(f)).reduce((n, f) => n + fs.readFileSync(f, "utf8").split("\n").filter((l) => / SELECT oceanbase\.V\$OB_STANDBY_STATUS$/.test(l)).length, 0);

test("a create interrupted at the bootstrap (obclient fails on the RootServer host), then at the registration (on the primary's host), is finished by the next up, observers not started twice; the VALID wait reports progress", async () => {
  await sb.ob.lab.fault("host4", "fail", "obclient", 1);
  const first = await up(threeZones);
  expect(first.code).not.toBe(0);
  expect(first.out).toMatch(/BOOTSTRAP CLUSTER STANDBY/);
  const starts = () => ranOn(["host4", "host5", "host6"]).filter((c) => /\.\/bin\/observer -z/.test(c)).length;
  expect(starts()).toBe(3);
  // ADD CLUSTER VERIFY goes through, ADD CLUSTER fails: the standby stays REGISTERED.
  await sb.ob.lab.fault("host1", "fail", "obclient", 1, 1);
  const second = await up(threeZones);
  expect(second.code).not.toBe(0);
  expect(second.out).toMatch(/sql ALTER SYSTEM ADD CLUSTER obcluster CLUSTER_ID 2 \.\.\. FAILED/);
  expect(await sb.ob.rows("host1", "SELECT cluster_id, cluster_status FROM oceanbase.V$OB_STANDBY_STATUS")).toEqual([["2", "REGISTERED"]]);
  // Synchronization off, the full copy cannot start: the wait reports it until the DBA turns it on.
  const ref = "obcluster CLUSTER_ID = 2";
  expect(await sb.ob.sql("host1", `ALTER SYSTEM DISABLE CLUSTER SYNCHRONIZATION ${ref}`)).toMatchObject({ code: 0, stderr: "" });
  const before = standbyStatusSelects();
  const running = up(threeZones);
  await waitFor("the VALID wait polling", async () => (standbyStatusSelects() >= before + 12 ? true : undefined), 120_000);
  expect(await sb.ob.sql("host1", `ALTER SYSTEM ENABLE CLUSTER SYNCHRONIZATION ${ref}`)).toMatchObject({ code: 0, stderr: "" });
  const third = await running;
  expect(outcome(third)).toEqual({ code: 0, tail: "" });
  const logged = third.events.filter((e) => e.log).map((e) => e.log as { severity: string; message: string });
  const waitLine = /wait wait until standby 2 is VALID and its full copy is done \(at most \d+s\) \.\.\. /;
  const progress = logged.findIndex((l) => waitLine.test(l.message) && /\.\.\. running [\d.]+m?s: standby 2 VALID, full copy running \(at most \d+s\)$/.test(l.message));
  expect(progress).toBeGreaterThanOrEqual(0);
  expect(logged[progress].severity).toBe("info");
  expect(progress).toBeLessThan(logged.findIndex((l) => waitLine.test(l.message) && / \.\.\. ok \d+ms$/.test(l.message)));
  expect(starts()).toBe(3);
  expect(observedInState(stack)).toMatchObject({ role: "PHYSICAL STANDBY", status: "VALID", statusOnPrimary: "VALID" });
  // deleteData is read from the state at delete: an up records it first (and changes nothing else).
  const flag = await up({ ...threeZones, deleteData: true });
  expect(outcome(flag)).toEqual({ code: 0, tail: "" });
  expect(flag.out).not.toMatch(/ \.\.\. ok/);
  expect(outcome(await stack.engine("destroy"))).toEqual({ code: 0, tail: "" });
  for (const h of ["host4", "host5", "host6"]) expect(fs.existsSync(`${sb.ob.lab.host(h).dataRoot}/obstandby/store`)).toBe(false);
});

test("{count, from, machineType}: the hosts picked are of that type, one zone each, and stay the same when the pool gains a host", async () => {
  const pool = ["host4", "host5", "host6", "host3"];
  const args = (from: string[]) => ({
    clusterId: 3,
    machineTypes: { host4: "big", host5: "big", host6: "small", host3: "small" },
    zones: [
      { name: "z1", idc: "idc1", hosts: { count: 2, from, machineType: "big" } },
      { name: "z2", idc: "idc2", hosts: { count: 1, from, machineType: "small" } },
    ],
  });
  const first = await up(args(pool.filter((h) => h !== "host3")));
  expect(outcome(first)).toEqual({ code: 0, tail: "" });
  const servers = () => observedInState(stack).servers.map((x: { address: string; zone: string }) => [x.address.split(".")[3], x.zone]);
  expect(servers()).toEqual([["4", "z1"], ["5", "z1"], ["6", "z2"]]);
  // host3 (lower address, also small) joins the pool: z2 keeps host6.
  const again = await up(args(pool));
  expect(outcome(again)).toEqual({ code: 0, tail: "" });
  // The inputs changed (an update), the hosts did not: no step ran.
  expect(again.out).not.toMatch(/ \.\.\. ok/);
  expect(servers()).toEqual([["4", "z1"], ["5", "z1"], ["6", "z2"]]);
});

test("moving a host between zones is refused before any step; hostile IDC and region strings are set exactly, read back from __all_zone on the standby; the next up is quiet", async () => {
  const { hostileStrings } = await import("../fixtures/hostile-strings");
  const values = hostileStrings.filter((v) => v !== "" && !/[\0\r\n]/.test(v) && v.length <= 128);
  const pool = ["host4", "host5", "host6", "host3"];
  const zonesOf = (idcs: string[], regions: string[]) => ({
    clusterId: 3,
    machineTypes: { host4: "big", host5: "big", host6: "small", host3: "small" },
    zones: [
      { name: "z1", idc: idcs[0], region: regions[0], hosts: { count: 2, from: pool, machineType: "big" } },
      { name: "z2", idc: idcs[1], region: regions[1], hosts: { count: 1, from: pool, machineType: "small" } },
    ],
  });
  const scaled = await up({ clusterId: 3, zones: [1, 2, 3].map((i) => ({ name: `z${i}`, idc: `idc${i}`, hosts: [`host${i + 3}`] })) });
  expect(scaled.code).not.toBe(0);
  expect(scaled.out).toMatch(/moving a host to another zone is not built: 127\.0\.\d+\.5 \(zone z1\), 127\.0\.\d+\.6 \(zone z2\); remove it in one up, add it to the other zone in the next/);
  expect(scaled.out).not.toMatch(/ \.\.\. (ok|FAILED)/);

  const read = async () => (await sb.ob.lab.exec("host4", `f=$(mktemp) && IFS= read -r pw && printf '[client]\\npassword=%s\\n' "$pw" > "$f" && obclient --defaults-extra-file="$f" -h${sb.ob.lab.host("host4").address} -P2881 -uroot@sys -N -s -r -e "SELECT zone, name, info FROM oceanbase.__all_zone WHERE zone <> '' AND name IN ('idc', 'region') ORDER BY zone, name"; rc=$?; rm -f "$f"; exit $rc`, `${sb.ob.password}\n`)).stdout;
  // obclient -r (raw): values as stored, no escaping.
  const cell = (v: string) => v;
  // Four values per up: both zones' IDC and region.
  for (let i = 0; i < values.length; i += 4) {
    const idcs = [values[i], values[i + 1] ?? "idc2"];
    const regions = [values[i + 2] ?? "r1", values[i + 3] ?? "r2"];
    const r = await up(zonesOf(idcs, regions));
    expect(outcome(r)).toEqual({ code: 0, tail: "" });
    expect(await read()).toBe([`z1\tidc\t${cell(idcs[0])}`, `z1\tregion\t${cell(regions[0])}`, `z2\tidc\t${cell(idcs[1])}`, `z2\tregion\t${cell(regions[1])}`].map((l) => `${l}\n`).join(""));
    expect(observedInState(stack).zones.map((z: { idc: string; region: string }) => [z.idc, z.region])).toEqual([[idcs[0], regions[0]], [idcs[1], regions[1]]]);
    if (i === 0) expect((await up(zonesOf(idcs, regions))).out).not.toMatch(/ \.\.\. ok/);
  }
  for (const h of sb.ob.lab.hosts) for (const e of sb.ob.lab.commandLog(h.name)) expect(JSON.stringify(e)).not.toContain(sb.ob.password);
}, 600_000);

test("scaling by editing: a host added to a zone's pool and a new zone (started, ADD ZONE, ADD SERVER), a move refused, then scale-in (DELETE SERVER, DELETE ZONE, observers stopped, data kept); quiet ups between", async () => {
  const pool = ["host4", "host5", "host6", "host7"];
  const args = (z1: number, more: object[]) => ({
    clusterId: 3,
    machineTypes: { host4: "big", host5: "big", host6: "small", host7: "big" },
    zones: [
      { name: "z1", idc: "idc1", hosts: { count: z1, from: pool, machineType: "big" } },
      { name: "z2", idc: "idc2", hosts: { count: 1, from: pool, machineType: "small" } },
      ...more,
    ],
  });
  const out = await up(args(3, [{ name: "z3", idc: "hz-3", region: "east", hosts: ["host8"] }]));
  expect(outcome(out)).toEqual({ code: 0, tail: "" });
  const ran = out.out.split("\n").filter((l) => / \.\.\. ok/.test(l)).map((l) => /(ADD ZONE z3|start observer [\d.]+|ADD SERVER [\d.:]+ ZONE z\d(; ADD SERVER [\d.:]+ ZONE z\d)?)/.exec(l)?.[1]?.replace(/127\.0\.\d+\./g, ""));
  expect(ran).toEqual([expect.stringMatching(/^start observer (7|8)$/), expect.stringMatching(/^start observer (7|8)$/), "ADD ZONE z3", "ADD SERVER 7:2882 ZONE z1; ADD SERVER 8:2882 ZONE z3"]);
  const o = observedInState(stack);
  expect(o.servers.map((x: { address: string; zone: string; status: string }) => [x.address.split(".")[3], x.zone, x.status])).toEqual([["4", "z1", "ACTIVE"], ["5", "z1", "ACTIVE"], ["6", "z2", "ACTIVE"], ["7", "z1", "ACTIVE"], ["8", "z3", "ACTIVE"]]);
  expect(o.zones.find((z: { name: string }) => z.name === "z3")).toEqual({ name: "z3", idc: "hz-3", region: "east" });
  const quiet = await up(args(3, [{ name: "z3", idc: "hz-3", region: "east", hosts: ["host8"] }]));
  expect(outcome(quiet)).toEqual({ code: 0, tail: "" });
  expect(quiet.out).not.toMatch(/ \.\.\. ok/);
  // Moving a host to another zone is refused, nothing runs.
  const move = await up(args(3, [{ name: "z3", idc: "hz-3", region: "east", hosts: ["host8"] }, { name: "z4", idc: "x", hosts: ["host7"] }]));
  expect(move.code).not.toBe(0);
  expect(move.out).not.toMatch(/ \.\.\. (ok|FAILED)/);

  // Scale-in: z1 back to 2 hosts (host7, the last picked, leaves) and zone z3 removed. The lab
  // holds their deletion: the wait times out with its own message, the servers stay deleting and
  // a second DELETE SERVER is refused (4628). Once released and gone from __all_server, the next
  // up still stops their observers and deletes the emptied zone.
  const [h6, h7, h8] = ["host6", "host7", "host8"].map((h) => sb.ob.lab.host(h).address);
  const sys = obClient(sb.ob.lab, { ...sb.ob.cluster, servers: [{ host: "host6", address: h6, sqlPort: 2881, rpcPort: 2882, zone: "z2" }] });
  const leaving = async () => (await sys.rows("host6", `SELECT svr_ip, status FROM oceanbase.__all_server WHERE svr_ip IN ('${h7}', '${h8}') ORDER BY svr_ip`)).map(([a, st]) => [a.split(".")[3], st]);
  for (const h of ["host7", "host8"]) await sb.ob.lab.fault(h, "hold-migration");
  const timedOut = await up({ ...args(2, []), timeoutSeconds: 10 });
  expect(timedOut.code).not.toBe(0);
  expect(timedOut.out).toMatch(/sql DELETE SERVER '[\d.]+7:2882' ZONE 'z1'; DELETE SERVER '[\d.]+8:2882' ZONE 'z3' \.\.\. ok/);
  expect(timedOut.out).toMatch(/still '2' \(want '0'\) after 10s: SELECT count\(\*\) FROM oceanbase\.__all_server/);
  expect(await leaving()).toEqual([["7", "deleting"], ["8", "deleting"]]);
  const twice = await sys.sql("host6", `ALTER SYSTEM DELETE SERVER '${h7}:2882' ZONE 'z1'`);
  expect(twice.stderr).toMatch(/ERROR 4628/);
  for (const h of ["host7", "host8"]) await sb.ob.lab.fault(h, "release-migration");
  await waitFor("host7 and host8 gone from __all_server", async () => ((await leaving()).length === 0 ? true : undefined));
  const shrink = await up(args(2, []));
  expect(outcome(shrink)).toEqual({ code: 0, tail: "" });
  expect(shrink.out).not.toMatch(/ sql DELETE SERVER/);
  expect(shrink.out).toMatch(/sql STOP ZONE 'z3'; DELETE ZONE 'z3' \.\.\. ok/);
  for (const a of [h7, h8]) expect(shrink.out).toContain(`stop observer ${a} (data kept`);
  const after = observedInState(stack);
  expect(after.servers.map((x: { address: string; zone: string }) => [x.address.split(".")[3], x.zone])).toEqual([["4", "z1"], ["5", "z1"], ["6", "z2"]]);
  expect(after.zones.map((z: { name: string }) => z.name)).toEqual(["z1", "z2"]);
  for (const h of ["host7", "host8"]) {
    const host = sb.ob.lab.host(h);
    expect(fs.existsSync(`${host.obHome}/run/observer.pid`)).toBe(false);
    expect(fs.readdirSync(`${host.dataRoot}/obstandby/store`).sort()).toEqual(["clog", "slog", "sstable"]);
    expect(fs.readFileSync(`${host.obHome}/.dbcluster-observer`, "utf8")).toMatch(/^removed cluster=obcluster id=3 /);
  }
  const quietAgain = await up(args(2, []));
  expect(outcome(quietAgain)).toEqual({ code: 0, tail: "" });
  expect(quietAgain.out).not.toMatch(/ \.\.\. ok/);

  // z2's only server holds its units (sys's and t1's): emptying z2 is refused before any step.
  const emptyZ2 = await up({ ...args(2, []), zones: [args(2, []).zones[0]] });
  expect(emptyZ2.code).not.toBe(0);
  expect(emptyZ2.out).toMatch(/zone z2 holds tenants' resource units, and OceanBase moves a unit only to another server of its zone: removing every server of it needs the tenants' locality changed first/);
  expect(emptyZ2.out).not.toMatch(/ \.\.\. (ok|FAILED)/);

  // host4 was z1's first server at bootstrap and holds its units: retired, DELETE SERVER leaves it
  // deleting while the units migrate to host5 (held by the lab until the wait has polled the
  // units for its progress line), and the up waits, saying so, before stopping its observer.
  const retire = { ...args(1, []), machineTypes: { host4: "retired", host5: "big", host6: "small", host7: "big" } };
  const unitPolls = () => {
    const log = `${sb.ob.lab.host("host5").obHome}/log/observer.log`;
    return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => / SELECT oceanbase\.__all_unit$/.test(l)).length : 0;
  };
  const h4 = sb.ob.lab.host("host4").address;
  await sb.ob.lab.fault("host4", "hold-migration");
  const moving = up(retire);
  try {
    await waitFor("host4 deleting", async () => ((await sys.rows("host6", `SELECT status FROM oceanbase.__all_server WHERE svr_ip = '${h4}'`))[0]?.[0] === "deleting" ? true : undefined), 120_000);
    // Then the wait (on z1's RootServer, host5) asks for the units migrating only to report progress.
    const polled = unitPolls();
    await waitFor("the wait's progress poll on host5", async () => (unitPolls() > polled ? true : undefined), 60_000);
  } finally {
    await sb.ob.lab.fault("host4", "release-migration");
  }
  const moved = await moving;
  expect(outcome(moved)).toEqual({ code: 0, tail: "" });
  const lines = moved.out.split("\n");
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const deleted = at(/sql DELETE SERVER '[\d.]+4:2882' ZONE 'z1' \.\.\. ok/);
  const progress = at(/wait wait until [\d.]+4 is gone from __all_server .* \.\.\. running [\d.]+m?s: 1 of 1 server\(s\) still deleting, [12] unit\(s\) migrating \(at most \d+s\)/);
  const waited = at(/wait wait until [\d.]+4 is gone from __all_server .* \.\.\. ok/);
  const stopped = at(/stop stop observer [\d.]+4 \(data kept .*\) \.\.\. ok/);
  expect([deleted, progress, waited, stopped].every((i) => i >= 0)).toBe(true);
  expect(deleted < progress && progress < waited && waited < stopped).toBe(true);
  const h5 = sb.ob.lab.host("host5").address;
  const units = (await sb.ob.lab.exec("host5", `f=$(mktemp) && IFS= read -r pw && printf '[client]\\npassword=%s\\n' "$pw" > "$f" && obclient --defaults-extra-file="$f" -h${h5} -P2881 -uroot@sys -N -s -r -e "SELECT svr_ip, migrate_from_svr_ip FROM oceanbase.__all_unit WHERE zone = 'z1'"; rc=$?; rm -f "$f"; exit $rc`, `${sb.ob.password}\n`)).stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
  expect(units.length).toBeGreaterThan(0);
  expect(units).toEqual(units.map(() => [h5, ""]));
  expect(observedInState(stack).servers.map((x: { address: string; zone: string }) => [x.address.split(".")[3], x.zone])).toEqual([["5", "z1"], ["6", "z2"]]);
  expect(fs.existsSync(`${sb.ob.lab.host("host4").obHome}/run/observer.pid`)).toBe(false);
  const quietLast = await up(retire);
  expect(quietLast.out).not.toMatch(/ \.\.\. ok/);
});
