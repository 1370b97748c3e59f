/**
 * A standby host that cannot be reached over SSH, the pure rule (unreachable.ts) through the
 * resource's own plan and delete (handler.ts), 3.x and 4.x: which dial failures are an outage and
 * which stay fatal; the plan keeps what does not need the host and is refused, naming it, once
 * only that is left; a leaving server on an unreachable host is refused as one with no known
 * connection; delete is refused; the standby's SQL moves to a reachable running member.
 */
import { connectionKey, parseConnection } from "../../../provider/core/connection";
import { HostKeyMismatchError, SshConnectError } from "../../../provider/core/errors";
import { parseHostKey } from "../../../provider/core/hostkey";
import type { Plan } from "../../../provider/core/operation";
import { standbyClusterLogic } from "../../../provider/oceanbase/standby/handler";
import type { HostProbe, StandbyActual } from "../../../provider/oceanbase/standby/read";
import type { SideView, TenantsActual } from "../../../provider/oceanbase/standby/read-tenants";
import type { StandbyClusterSpec } from "../../../provider/oceanbase/standby/schema";
import { unreachableReason } from "../../../provider/oceanbase/standby/unreachable";
import { validateStandby } from "../../../provider/oceanbase/standby/validate";

const conn = (n: number) => ({ host: `10.9.0.${n}`, user: "admin" });
const specOf = (version: string, hosts: number[]): StandbyClusterSpec => {
  const v = validateStandby({
    primary: { connection: conn(1), host: "10.9.0.1", password: "pw" },
    clusterId: 2,
    version,
    zones: hosts.map((n, i) => ({ name: `z${i + 1}`, idc: `idc${i + 1}`, hosts: [{ connection: conn(n), address: `10.9.0.${n}` }] })),
    observer: { home: "/ob", dataDir: "/ob/store" },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.failures));
  return v.spec;
};
const DOWN = "connect ECONNREFUSED 10.9.0.12:22 (10 attempts)";
/** A standby host running this resource's observer, or (`down`) one whose dial failed. */
const host = (n: number, o: { down?: boolean; stopped?: boolean } = {}): HostProbe => ({
  address: `10.9.0.${n}`, home: "/ob", dataDir: "/ob/store", connKey: connectionKey(parseConnection(conn(n))),
  ...(o.down ? { binaryVersion: "", pid: null, data: "absent" as const, marker: "", busy: [], unreachable: DOWN } : { binaryVersion: "4.2.1.0", pid: o.stopped ? null : 100 + n, data: "nonempty" as const, marker: "cluster=obcluster id=2 dataDir=/ob/store", busy: [] }),
});
const servers = (ns: number[], down: number[] = []) => ns.map((n, i) => ({ address: `10.9.0.${n}`, rpcPort: 2882, sqlPort: 2881, zone: `z${i + 1}`, status: down.includes(n) ? "INACTIVE" : "ACTIVE" }));
const view4 = (ns: number[], down: number[], standbyT1 = true): SideView => ({
  version: "4.2.1.0", name: "obcluster",
  tenants: standbyT1 ? [{ name: "t1", id: 1002, role: "STANDBY", switchoverStatus: "NORMAL", syncScn: 5, syncStatus: "NORMAL", access: [], source: { kind: "service", access: ["10.9.0.1:2881"], user: "root@t1" } }] : [],
  servers: servers(ns, down), zones: Object.fromEntries(ns.map((_, i) => [`z${i + 1}`, { idc: `idc${i + 1}`, region: "sys_region" }])), units: [],
});
const primary4: SideView = { version: "4.2.1.0", name: "obcluster", tenants: [{ name: "t1", id: 1002, role: "PRIMARY", switchoverStatus: "NORMAL", syncScn: 6, syncStatus: "", access: ["10.9.0.1:2881"] }], servers: [], zones: {}, units: [] };
const v4 = (hosts: HostProbe[], view: SideView) => ({ v4: true as const, a: { primary: { ok: true as const, view: primary4 }, standby: { ok: true as const, view }, hosts } satisfies TenantsActual });
const plan = (s: StandbyClusterSpec, x: Parameters<typeof standbyClusterLogic.plan>[1]) => standbyClusterLogic.plan(s, x, { creating: false });
const steps = (p: Plan) => p.map((ph) => `${ph.title}: ${ph.operations.map((o) => `${o.host} ${o.kind}`).join(", ")}`);

test("an outage (refused, timed out) makes a host unreachable; a host key mismatch and refused credentials stay fatal", () => {
  expect(unreachableReason(new SshConnectError("admin@10.9.0.12:22", 10, new Error("connect ECONNREFUSED 10.9.0.12:22"), false))).toBe(DOWN);
  expect(unreachableReason(new SshConnectError("admin@10.9.0.12:22", 1, new Error("Timed out while waiting for handshake"), false))).toBe("Timed out while waiting for handshake (1 attempt)");
  expect(unreachableReason(new SshConnectError("admin@10.9.0.12:22", 1, Object.assign(new Error("All configured authentication methods failed"), { level: "client-authentication" }), true))).toBeUndefined();
  const k = parseHostKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
  expect(unreachableReason(new HostKeyMismatchError("admin@10.9.0.12:22", "recorded", k, k))).toBeUndefined();
  expect(unreachableReason(new Error("probing failed"))).toBeUndefined();
});

test("4.x: a stopped observer on a reachable host is started, the unreachable one's start left out; with only that left, the plan is refused naming the host, the reason and what to do; outputs list it", () => {
  const s = specOf("4.2.1", [11, 12, 13]);
  const both = plan(s, v4([host(11), host(12, { down: true }), host(13, { stopped: true })], view4([11, 12, 13], [12, 13])));
  expect(steps(both)).toEqual(["start observers: 10.9.0.13 start"]);
  const only = () => plan(s, v4([host(11), host(12, { down: true }), host(13)], view4([11, 12, 13], [12])));
  expect(only).toThrow(/10\.9\.0\.12 cannot be reached over SSH \(connect ECONNREFUSED 10\.9\.0\.12:22 \(10 attempts\)\): the next step needs it \(10\.9\.0\.12: start observer 10\.9\.0\.12 \(zone z2, cluster obcluster 2\)\)\. Bring it back and run up again/);
  expect(only).toThrow(/Nothing is failed over or removed because a host is unreachable/);
  const x = v4([host(11), host(12, { down: true }), host(13)], view4([11, 12, 13], [12]));
  expect(standbyClusterLogic.observe(s, x)).toMatchObject({ hostsUnreachable: [{ address: "10.9.0.12", reason: DOWN }], standbyCluster: { servers: [{ status: "ACTIVE" }, { status: "INACTIVE" }, { status: "ACTIVE" }] } });
});

test("4.x: a drift start left out does not hold back the later phases; the first zone's host unreachable, the standby's SQL runs on a reachable running member", () => {
  const s = specOf("4.2.1", [11, 12]);
  const p = plan(s, v4([host(11, { down: true }), host(12)], view4([11, 12], [11], false)));
  expect(steps(p)).toEqual(["create standby tenants: 10.9.0.12 sql", "wait for the standby tenants: 10.9.0.12 wait"]);
});

test("4.x: an added host that is unreachable: its start is refused and nothing after it runs (its ADD SERVER needs it)", () => {
  const s = specOf("4.2.1", [11, 12, 13]);
  expect(() => plan(s, v4([host(11), host(12), host(13, { down: true })], view4([11, 12], [])))).toThrow(/10\.9\.0\.13 cannot be reached over SSH .*start observer 10\.9\.0\.13/);
});

test("a server leaving the inputs on an unreachable host is refused while it is in the standby's view, as one with no known connection; once gone from the view, dropping it plans nothing", () => {
  const s = specOf("4.2.1", [11, 12]);
  const leaving = () => plan(s, v4([host(11), host(12), host(13, { down: true })], view4([11, 12, 13], [13])));
  expect(leaving).toThrow(/10\.9\.0\.13 \(connect ECONNREFUSED .*\) is no longer declared but cannot be reached over SSH, and its server is still in the standby cluster's view: .*Bring it back and run up again; if lost for good, DELETE SERVER it by hand .*Nothing was changed/);
  expect(plan(s, v4([host(11), host(12), host(13, { down: true })], view4([11, 12], [])))).toEqual([]);
});

test("delete is refused while a host cannot be reached: what this resource started there cannot be stopped", () => {
  const s = specOf("4.2.1", [11, 12]);
  expect(() => standbyClusterLogic.planDelete(s, v4([host(11), host(12, { down: true })], view4([11, 12], [12])))).toThrow(/delete: 10\.9\.0\.12 cannot be reached over SSH .*Bring it back and delete again; if lost for good, stop what runs there by hand and drop the resource from the stack only \(pulumi state delete\)\. Nothing was changed/);
});

test("3.x: the same rule; a create needs every host: the reachable observers are started, the bootstrap waits", () => {
  const s = specOf("3.2.4", [11, 12]);
  const bare = (n: number): HostProbe => ({ ...host(n), binaryVersion: "3.2.4.0", pid: null, data: "absent", marker: "" });
  const peer = { version: "3.2.4.0", clusterId: 100, name: "obcluster", role: "PRIMARY", status: "VALID", switchoverStatus: "NOT ALLOWED", currentScn: 5, standbys: [], servers: [{ address: "10.9.0.1", rpcPort: 2882, sqlPort: 2881, zone: "z1", status: "ACTIVE" }], zones: {}, units: [] };
  const a: StandbyActual = { peer: { ok: true, view: peer }, self: null, hosts: [bare(11), host(12, { down: true })] };
  expect(steps(plan(s, { v4: false, a }))).toEqual(["check the primary, start observers: 10.9.0.1 sql, 10.9.0.11 start"]);
  expect(standbyClusterLogic.observe(s, { v4: false, a })).toMatchObject({ hostsUnreachable: [{ address: "10.9.0.12", reason: DOWN }] });
});
