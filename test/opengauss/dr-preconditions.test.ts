/**
 * The create preconditions gs_ddr's seed names, each a real lab condition, refused through the
 * engine on examples/og-dr-stream before anything is touched: og2 is installed with another
 * version (`--version`), another initial user (`--initial-user`) and a cascaded standby
 * (`--cascade`, the install XML's cascadeRole); an upgrade is in progress the way
 * gs_upgradectl leaves it; the clusters are described as logged in as root.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "../examples/helpers";
import { dnRoles, startOgStack, type OgLab } from "./fixtures";

jest.setTimeout(170_000);

let og: OgLab;
let stack: Stack;

beforeAll(async () => {
  ({ og, stack } = await startOgStack("og-dr-stream", { timeoutSeconds: "60" }, {
    layout: [["host1", "host2"], ["host3", "host4", "host5"]],
    extra: [[], ["--version", "5.0.0", "--initial-user", "gauss", "--cascade", "host5"]],
  }));
}, 170_000);
afterAll(async () => og?.stop());

const diag = (r: { events: Record<string, any>[] }) => r.events.filter((e) => e.diag).map((e) => e.diag.message).join("\n");
const mark = () => new Map(og.lab.hosts.map((h) => [h.name, og.lab.commandLog(h.name).length]));
/** What the hosts ran since `m`, but for the resource's state read (one per cluster and run). */
const changesSince = (m: Map<string, number>) =>
  og.lab.hosts.flatMap((h) =>
    og.lab.commandLog(h.name).slice(m.get(h.name)).flatMap((e) => ("command" in e && !e.command.startsWith("echo '@@dbcluster-og@@''user'") ? [`${h.name}: ${e.command.slice(0, 120)}`] : [])),
  );
const inState = () => (fs.existsSync(stack.stateFile()) ? fs.readFileSync(stack.stateFile(), "utf8") : "");

test("the lab's og2 is what the flags say: version 5.0.0, initial user gauss, host5 a cascaded standby that gs_ddr itself refuses", async () => {
  expect((await og.run("host3", "gs_om -V")).stdout).toMatch(/openGauss OM 5\.0\.0 /);
  expect((await og.run("host1", "gs_om -V")).stdout).toMatch(/openGauss OM 6\.0\.0 /);
  expect((await og.run("host3", "gsql -d postgres -p 26000 -t -A -X -c 'select rolname from pg_roles where oid = 10'")).stdout.trim()).toBe("gauss");
  expect(dnRoles((await og.run("host3", "cm_ctl query -Cvidp")).stdout)).toEqual({ host3: "Primary", host4: "Standby", host5: "Cascade Standby" });
  // host5 really streams from host4, not from the primary.
  const upstream = await og.run("host5", "gsql -d postgres -p 26000 -t -A -X -c 'select sender_host from pg_stat_wal_receiver'");
  expect(upstream.stdout.trim()).toBe(og.lab.hosts.find((h) => h.name === "host4")!.address);
  const ddr = await og.run("host3", `printf '%s' '{"localClusterConf":{"port":26000,"shards":[[{"ip":"1.1.1.1","dataIp":"1.1.1.1"}]]},"remoteClusterConf":{"port":26000,"shards":[[{"ip":"2.2.2.2","dataIp":"2.2.2.2"}]]}}' > ~/pre.json && gs_ddr -t start -m disaster_standby --disaster_type stream --json ~/pre.json`);
  expect(ddr.code).toBe(1);
  expect(ddr.stdout).toMatch(/\[GAUSS-51632\] : Failed to do check instance status, there are already main standby or cascade standby, main standby:\[\], cascade stadnby:\[6003\]\./);
});

test("another version, another initial user and a cascaded standby: one up refuses all three at once, naming the clusters; nothing runs, nothing enters state", async () => {
  const before = mark();
  const r = await stack.engine("up");
  expect(r.code).not.toBe(0);
  const text = diag(r);
  expect(text).toMatch(/cannot build the DR pair:\n/);
  expect(text).toMatch(/- the clusters run different versions \(og1: 6\.0\.0, og2: 5\.0\.0\); gs_ddr needs the same version/);
  expect(text).toMatch(/- the clusters have different initial users \(omm, gauss\); gs_ddr needs the same one/);
  expect(text).toMatch(/- cluster og2 \(127\.\S+\): cascaded standby host5 exists; gs_ddr does not build DR over cascaded standbys/);
  expect(changesSince(before)).toEqual([]);
  expect(inState()).not.toMatch(/DisasterRecovery/);
});

test("an upgrade in progress (gs_upgradectl's step file in $PGHOST/binary_upgrade) is refused before any step", async () => {
  await og.run("host1", "mkdir -p \"$PGHOST/binary_upgrade\" && printf '%s\\n' 'step,upgrade_node' '3,1' > \"$PGHOST/binary_upgrade/upgrade_step.csv\"");
  const before = mark();
  const r = await stack.engine("up");
  expect(r.code).not.toBe(0);
  expect(diag(r)).toMatch(/- cluster og1 \(127\.\S+\): an upgrade is in progress \(\$PGHOST\/binary_upgrade is not empty\): finish it first/);
  expect(changesSince(before)).toEqual([]);
  await og.run("host1", "rm -rf \"$PGHOST/binary_upgrade\"");
});

test("nodes logged in as root: refused in check, naming each node's connection.user; no host is contacted", async () => {
  const lab = JSON.parse(fs.readFileSync(path.join(og.lab.dir, "lab.json"), "utf8")) as { hosts: { name: string; user: string }[] };
  for (const h of lab.hosts) if (h.name === "host1" || h.name === "host3") h.user = "root";
  const asRoot = path.join(og.lab.dir, "lab-root.json");
  fs.writeFileSync(asRoot, JSON.stringify(lab));
  const before = mark();
  const r = await stack.withEnv({ LAB_JSON: asRoot }).engine("up");
  expect(r.code).not.toBe(0);
  const text = diag(r);
  expect(text).toMatch(/clusters\[0\]\.nodes\[0\]\.connection\.user: gs_ddr refuses to run as root: log in as the cluster's OS user \(omm\) \(got "root"\)/);
  expect(text).toMatch(/clusters\[1\]\.nodes\[0\]\.connection\.user: gs_ddr refuses to run as root/);
  // Not even the state read: check refused before the engine asked the provider for anything else.
  expect(og.lab.hosts.flatMap((h) => og.lab.commandLog(h.name).slice(before.get(h.name)).filter((e) => "command" in e && !e.command.startsWith("source ~/.bashrc; ")))).toEqual([]);
  expect(inState()).not.toMatch(/DisasterRecovery/);
});
