/**
 * The lab's openGauss, driven over SSH as the seed drives a real one: two clusters from
 * `lab opengauss create` (real PostgreSQL DNs), gs_ddr's parser and refusals, a start on one
 * side that times out and resumes, the seed's stream example 2 (start, query, switchover,
 * stop, failover) with rows written and read, and dorado's `Ready to move on (yes/no)?`.
 */
import * as fs from "fs";
import * as path from "path";
import { dnRoles, drJson, eventually, queryDict, rowsOf, sqlOn as sqlOnHost, startOgLab, type OgLab } from "./fixtures";

jest.setTimeout(170_000);

let og: OgLab;
beforeAll(async () => {
  og = await startOgLab();
  await og.run("host1", "umask 077; cat > ~/dr.json", drJson(og.clusters[0], og.clusters[1]));
  await og.run("host3", "umask 077; cat > ~/dr.json", drJson(og.clusters[1], og.clusters[0]));
}, 170_000);
afterAll(async () => og?.stop());

const sqlOn = (host: string, statement: string) => sqlOnHost(og, host, statement);
const rows = (host: string) => rowsOf(og, host);
const query = async (host: string) => queryDict((await og.run(host, "gs_ddr -t query")).stdout);
const roles = async (host: string) => dnRoles((await og.run(host, "cm_ctl query -Cvidp")).stdout);


test("create: lab.json lists both clusters; CM sees a primary and a streaming standby; gsql runs real SQL", async () => {
  const labJson = JSON.parse(fs.readFileSync(path.join(og.lab.dir, "lab.json"), "utf8"));
  expect(labJson.opengauss.map((c: { name: string }) => c.name)).toEqual(["og1", "og2"]);
  expect(await roles("host1")).toEqual({ host1: "Primary", host2: "Standby" });
  expect((await og.run("host2", "gs_om -t status")).stdout).toMatch(/cluster_state\s+: Normal/);
  expect((await og.run("host1", "gs_om -t status --detail")).stdout).toMatch(/host2 \S+\s+26000 6002 \S+ S Standby Normal/);
  expect((await sqlOn("host1", "create table t(id int primary key, v text); insert into t values (1, 'a')")).code).toBe(0);
  expect(await eventually(() => rows("host2"), ["1:a"])).toEqual(["1:a"]);
  const q = await og.run("host1", "gs_ctl query -D \"$GAUSSHOME/data/dn\"");
  expect(q.stdout).toMatch(/local_role\s+: Primary/);
  expect(q.stdout).toMatch(/peer_role\s+: Standby/);
  expect((await og.run("host1", "gs_guc check -Z datanode -N all -I all -c most_available_sync")).stdout).toMatch(/gs_guc check: host2: most_available_sync=off/);
  // gs_guc reload writes postgresql.conf and signals the real server, which then reports the value.
  expect((await og.run("host1", "gs_guc reload -Z datanode -N all -I all -c \"work_mem=8MB\"")).stdout).toMatch(/Success to perform gs_guc!/);
  expect((await sqlOn("host2", "show work_mem")).stdout.trim()).toBe("8MB");
});

test("gs_ddr's parser and refusals: exit 2 for the parser, 1 with the GAUSS code otherwise", async () => {
  const noUser = await og.run("host1", "gs_ddr -t start -U ddr -W x");
  expect(noUser.code).toBe(2);
  expect(noUser.stderr).toBe("Usage: gs_ddr [options]\n\ngs_ddr: error: no such option: -U\n");
  const ambiguous = await og.run("host1", "gs_ddr -t start --disaster=x");
  expect(ambiguous.stderr).toMatch(/ambiguous option: --disaster \(--disaster_storage_type, --disaster_type\?\)/);
  expect((await og.run("host1", "gs_ddr -V")).stdout).toMatch(/^gs_ddr \(openGauss OM 6\.0\.0 build [0-9a-f]{8}\)/);
  expect((await og.run("host1", "gs_ddr -?")).stdout).toMatch(/gs_ddr -t failover \[-l LOGFILE\]/);
  const noTask = await og.run("host1", "gs_ddr");
  expect([noTask.code, noTask.stdout.trim()]).toEqual([1, "[GAUSS-50001] : Incorrect parameter. Parameter '-t' is required."]);
  const noConf = await og.run("host1", "gs_ddr -t start -m primary --disaster_type stream");
  expect([noConf.code, noConf.stdout.trim()]).toEqual([1, "[GAUSS-50010] : Failed to check -X parameter. XML file and json file are all not exist."]);
  // -X and --json both given: the JSON's content wins over the XML's, yet check_xml_file still wants the -X file to
  // exist (params_handler); an XML without the DR fields is refused.
  await og.run("host1", "cat > ~/bad.xml", '<ROOT><DEVICELIST><DEVICE sn="h1"><PARAM name="dataPortBase" value="26000"/></DEVICE></DEVICELIST></ROOT>');
  const badXml = await og.run("host1", "gs_ddr -t stop -X ~/bad.xml");
  expect([badXml.code, badXml.stdout.trim()]).toEqual([1, "[GAUSS-50026] : Failed to check dorado DR parameters in the XML file."]);
  const missingXml = await og.run("host1", "gs_ddr -t stop -X ~/missing.xml --json ~/dr.json");
  expect(missingXml.code).toBe(1);
  expect(missingXml.stdout.trim().split("\n").pop()).toMatch(/^\[GAUSS-50201\] : The \/\S+\/missing\.xml does not exist\.$/);
  // Without -X the --json path gets check_path: an illegal character (a blank here) is refused, as is an IP gs_ddr's pattern does not take.
  await og.run("host1", "cp ~/dr.json ~/'dr copy.json' && sed 's/\"dataIp\": *\"[^\"]*\"/\"dataIp\":\"fd00::1\"/' ~/dr.json > ~/dr6.json");
  const blank = await og.run("host1", "gs_ddr -t stop --json ~/'dr copy.json'");
  expect([blank.code, blank.stdout.trim().split("\n").pop()]).toEqual([1, "[GAUSS-50025] : There is illegal character ' ' in parameter xml file path."]);
  const v6 = await og.run("host1", "gs_ddr -t stop --json ~/dr6.json");
  expect([v6.code, v6.stdout.trim().split("\n").pop()]).toEqual([1, "[GAUSS-50024] : The parameter 'dataIp of localClusterConf' is invalid."]);
  const jsonWins = await og.run("host1", "gs_ddr -t stop -X ~/bad.xml --json ~/dr.json");
  expect(jsonWins.stdout).toMatch(/Check cluster type succeed\.[\s\S]*Successfully do dorado disaster recovery stop\.\n$/);
  // Long options abbreviate (optparse); --time-out must be a positive integer (the source's message has three dashes).
  const zero = await og.run("host1", "gs_ddr -t query --time=0");
  expect([zero.code, zero.stdout.trim().split("\n").pop()]).toEqual([1, "[GAUSS-50004] : The parameter '---time-out' value is incorrect."]);
  const root = await og.run("host1", "USER=root gs_ddr -t query");
  expect([root.code, root.stderr]).toEqual([1, "[GAUSS-50105] : Cannot run this script as a user with the root permission.\n"]);
  const never = await og.run("host1", "gs_ddr -t failover");
  expect(never.code).toBe(1);
  expect(never.stdout).toMatch(/Because the primary cluster does not support failover\./);
  expect(never.stderr).toMatch(/^Traceback/);
});

test("a start on one side alone times out, leaves its step file (which blocks other actions), and a rerun resumes it", async () => {
  const alone = await og.run("host1", "gs_ddr -t start -m primary --disaster_type stream --json ~/dr.json --time-out=3");
  expect(alone.code).toBe(1);
  expect(alone.stdout).toMatch(/Failed to do check main standby connection\. Because Waiting timeout: 3s/);
  expect((await query("host1")).ddr_cluster_stat).toBe("backup_fail");
  expect((await og.run("host1", "ls -a \"$PGHOST/ddr_cabin\"")).stdout).toMatch(/\.ddr_start_primary\.step/);
  const blocked = await og.run("host1", "gs_ddr -t switchover -m disaster_standby");
  expect(blocked.code).toBe(1);
  expect(blocked.stdout).toMatch(/the step files \['\.ddr_start_primary\.step'\] already exist/);

  // The seed's stream example 2: both sides at about the same time.
  const [p, s] = await Promise.all([
    og.run("host1", "gs_ddr -t start -m primary --disaster_type stream --json ~/dr.json --time-out=120"),
    og.run("host3", "gs_ddr -t start -m disaster_standby --disaster_type stream --json ~/dr.json --time-out=120"),
  ]);
  expect([p.code, s.code]).toEqual([0, 0]);
  expect(p.stdout).toMatch(/Got the continue step:\[\d\] for action:\[start\]\./);
  expect(p.stdout).toMatch(/Main standby already connected\.\nSuccessfully check cluster status is: Normal\.\nSuccessfully removed step file\.\nSuccessfully do dorado disaster recovery start\.\n$/);
  expect(s.stdout).toMatch(/Start build main standby datanode in disaster standby cluster\.[\s\S]*Successfully build main standby in disaster standby cluster on node \[host3\] \n/);
  expect(await query("host2")).toEqual({ ddr_cluster_stat: "archive", ddr_failover_stat: "", ddr_switchover_stat: "" });
  expect(await query("host4")).toEqual({ ddr_cluster_stat: "recovery", ddr_failover_stat: "", ddr_switchover_stat: "" });
  expect(await roles("host3")).toEqual({ host3: "Main Standby", host4: "Standby" });
});

test("rows written on the primary cluster reach both DNs of the DR standby, which refuses writes with PostgreSQL's own error", async () => {
  await sqlOn("host1", "insert into t values (2, 'b')");
  expect(await eventually(() => rows("host3"), ["1:a", "2:b"])).toEqual(["1:a", "2:b"]);
  expect(await eventually(() => rows("host4"), ["1:a", "2:b"])).toEqual(["1:a", "2:b"]);
  const refused = await sqlOn("host3", "insert into t values (3, 'c')");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/ERROR:  cannot execute INSERT in a read-only transaction/);
});

test("switchover: the quirk for the current role, then demote and promote at once; no row is lost", async () => {
  const same = await og.run("host1", "gs_ddr -t switchover -m primary");
  expect(same.code).toBe(0);
  expect(same.stdout).toMatch(/please check your switchover cmd & make sure your cmd correct\./);
  const [d, p] = await Promise.all([og.run("host1", "gs_ddr -t switchover -m disaster_standby --time-out=60"), og.run("host3", "gs_ddr -t switchover -m primary --time-out=60")]);
  expect([d.code, p.code, d.stdout.split("\n").slice(-2)[0], p.stdout.split("\n").slice(-2)[0]]).toEqual([0, 0, "Successfully do dorado disaster recovery switchover.", "Successfully do dorado disaster recovery switchover."]);
  expect(await roles("host1")).toEqual({ host1: "Main Standby", host2: "Standby" });
  expect(await roles("host3")).toEqual({ host3: "Primary", host4: "Standby" });
  expect((await sqlOn("host3", "insert into t values (3, 'c')")).code).toBe(0);
  expect(await eventually(() => rows("host2"), ["1:a", "2:b", "3:c"])).toEqual(["1:a", "2:b", "3:c"]);
  expect((await query("host1")).ddr_cluster_stat).toBe("recovery");
  expect((await query("host3")).ddr_cluster_stat).toBe("archive");
});

test("stop on the primary's first node, then failover on the standby: both clusters serve writes", async () => {
  const stop = await og.run("host3", "gs_ddr -t stop --json ~/dr.json");
  expect([stop.code, stop.stdout.split("\n").slice(-2)[0]]).toEqual([0, "Successfully do dorado disaster recovery stop."]);
  expect((await og.run("host3", "ls \"$PGHOST/ddr_cabin\" 2>&1")).code).not.toBe(0);
  const fo = await og.run("host1", "gs_ddr -t failover");
  expect([fo.code, fo.stdout.split("\n").slice(-2)[0]]).toEqual([0, "Successfully do dorado disaster recovery failover."]);
  expect(await roles("host1")).toEqual({ host1: "Primary", host2: "Standby" });
  expect((await sqlOn("host1", "insert into t values (10, 'og1')")).code).toBe(0);
  expect((await sqlOn("host3", "insert into t values (20, 'og2')")).code).toBe(0);
  expect(await query("host1")).toEqual({ ddr_cluster_stat: "normal", ddr_failover_stat: "", ddr_switchover_stat: "" });
  // A failover on the former primary (not a DR standby) is the source's hint with status 0 ... once it has no record: status 1.
  const again = await og.run("host3", "gs_ddr -t failover");
  expect(again.stdout).toMatch(/cluster_conf_record is lost/);
});

test("dorado: start stops at Ready to move on (yes/no)?; no aborts with GAUSS-35805, yes on both sides builds the pair", async () => {
  await og.run("host1", "umask 077; cat > ~/dr.json", drJson(og.clusters[0], og.clusters[1]));
  const no = await og.run("host1", "gs_ddr -t start -m primary --json ~/dr.json --time-out=5", "no\n");
  expect(no.code).toBe(1);
  expect(no.stdout).toMatch(/with Replication Mode in "Synchronous" state\.\nReady to move on \(yes\/no\)\? $/);
  expect(no.stderr).toBe("[GAUSS-35805] Input NO. Operation aborted. \n");
  // The standby side takes the installation XML with the three DR fields instead of --json.
  const [a, b] = [og.clusters[1], og.clusters[0]];
  const ipmap = (c: typeof a) => c.nodes.map((n) => `(${n.address},${n.dataIp})`).join(",");
  await og.run("host3", "cat > ~/cluster.xml", `<?xml version="1.0" encoding="UTF-8"?>\n<ROOT><DEVICELIST><DEVICE sn="${a.nodes[0].host}">\n<PARAM name="dataNum" value="1"/>\n<PARAM name="dataPortBase" value="${a.port}"/>\n<PARAM name="localStreamIpmap1" value="${ipmap(a)}"/>\n<PARAM name="remoteStreamIpmap1" value="${ipmap(b)}"/>\n<PARAM name="remotedataPortBase" value="${b.port}"/>\n</DEVICE></DEVICELIST></ROOT>\n`);
  const [p, s] = await Promise.all([
    og.run("host1", "gs_ddr -t start -m primary --json ~/dr.json --time-out=120", "yes\n"),
    og.run("host3", "gs_ddr -t start -m disaster_standby --disaster_type dorado -X ~/cluster.xml --time-out=120", "yes\n"),
  ]);
  expect([p.code, s.code]).toEqual([0, 0]);
  expect(s.stdout).toMatch(/Successfully set dss cfg CLUSTER_RUN_MODE to cluster_standby\./);
  expect(await roles("host3")).toEqual({ host3: "Main Standby", host4: "Standby" });
  // The standby was rebuilt from og1: og2's own row is gone, og1's are there.
  expect(await eventually(() => rows("host4"), ["1:a", "2:b", "3:c", "10:og1"])).toEqual(["1:a", "2:b", "3:c", "10:og1"]);
});
