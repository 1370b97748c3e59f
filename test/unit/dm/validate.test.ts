import { describeFailures, validate, type Failure } from "../../../provider/dm/validate";
import type { DpcClusterArgs } from "../../../provider/dm/schema";
import { seed71, seed72, seed73 } from "./fixtures/seed";

const rules = (f: Failure[]) => f.map((x) => `${x.path}: ${x.rule}`);
function failures(kind: Parameters<typeof validate>[0], inputs: unknown, olds?: unknown): Failure[] {
  const v = validate(kind, inputs, olds);
  if (v.ok) throw new Error("expected failures");
  return v.failures;
}

const instance = {
  name: "BP1",
  mode: "BP",
  connection: { host: "127.0.10.1", password: "ssh-secret" },
  path: "/data/bp1",
  ip: "127.0.10.1",
  portNum: 5237,
  apPortNum: 6001,
  sysdbaPassword: "SYSDBA_pw1",
  mpNodes: [{ host: "127.0.10.1", port: 9000 }],
};

describe("validate", () => {
  test.each([["7.1", seed71], ["7.2", seed72], ["7.3", seed73]])("the seed's %s topology is valid and gets the stated defaults", (_n, t) => {
    const v = validate("DpcCluster", t);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value.instances[0]).toMatchObject({ dbName: "DAMENG", pageSize: 8, charset: 0, caseSensitive: true, extentSize: 16 });
    expect(v.value).toMatchObject({ deleteData: false, adopt: false });
    expect(v.value.archive).toEqual({ xmalHbInterval: 5, raftHbInterval: 150, voteIntervalBase: 1500, voteIntervalStep: 500, fileSizeMb: 128, spaceLimitMb: 0 });
  });

  test("an instance: every field failure at once, with path, value and rule; secrets redacted", () => {
    const f = failures("Instance", {
      ...instance,
      name: "THIS_NAME_IS_TOO_LONG",
      path: "relative/dir",
      portNum: 80,
      sysdbaPassword: "short",
      dmIni: { ARCH_INI: 1, "bad key": 1 },
      connection: { host: "", password: "ssh-secret" },
    });
    const paths = f.map((x) => x.path).sort();
    expect(paths).toEqual(["connection.host", "dmIni.ARCH_INI", "dmIni.bad key", "name", "path", "portNum", "sysdbaPassword"].sort());
    expect(f.find((x) => x.path === "sysdbaPassword")!.value).toBe("[secret]");
    expect(f.find((x) => x.path === "name")!).toMatchObject({ value: "THIS_NAME_IS_TOO_LONG", rule: expect.stringContaining("16") });
    expect(JSON.stringify(f)).not.toContain("ssh-secret");
  });

  test("instance names: DM charset, at most 16", () => {
    for (const bad of ["1BP", "BP-1", "BP 1", "bp\"1", "ABCDEFGHIJKLMNOPQ", ""]) expect(validate("Instance", { ...instance, name: bad }).ok).toBe(false);
    for (const good of ["BP1", "bp_1", "ABCDEFGHIJKLMNOP"]) expect(validate("Instance", { ...instance, name: good }).ok).toBe(true);
  });

  test("SYSDBA password: 9 to 48 characters, no double quote", () => {
    expect(validate("Instance", { ...instance, sysdbaPassword: "12345678" }).ok).toBe(false);
    expect(validate("Instance", { ...instance, sysdbaPassword: "123456789" }).ok).toBe(true);
    expect(validate("Instance", { ...instance, sysdbaPassword: "x".repeat(48) }).ok).toBe(true);
    expect(validate("Instance", { ...instance, sysdbaPassword: "x".repeat(49) }).ok).toBe(false);
    expect(rules(failures("Instance", { ...instance, sysdbaPassword: 'abc"defghij' }))).toEqual([expect.stringContaining('cannot contain "')]);
    expect(rules(failures("Instance", { ...instance, sysdbaPassword: "abc#defghij" }))).toEqual([expect.stringContaining("cannot contain #")]);
    // dminit reads its CONTROL file's values trimmed: SYSDBA would get another password.
    for (const pw of [" leading123", "trailing123 ", "\ttabbed123"]) expect(rules(failures("Instance", { ...instance, sysdbaPassword: pw }))).toEqual([expect.stringContaining("cannot begin or end with a blank")]);
    expect(validate("Instance", { ...instance, sysdbaPassword: "in side 123" }).ok).toBe(true);
  });

  test("one instance's own ports collide", () => {
    expect(rules(failures("Instance", { ...instance, apPortNum: 5237 }))).toEqual([expect.stringMatching(/^apPortNum: port 5237 \(ap_port_num\) is already used .* by portNum/)]);
    expect(rules(failures("Instance", { ...instance, mpNodes: [{ host: "127.0.10.1", port: 6001 }] }))).toEqual([expect.stringContaining("collides with this instance's ap_port_num")]);
  });

  test("an SP is replaced (new path, or deleteData first at the same path); a BP or MP is not, unless its data was given up", () => {
    const sp = { ...instance, name: "SP1", mode: "SP" };
    expect(rules(failures("Instance", { ...sp, pageSize: 16 }, sp))).toEqual([expect.stringMatching(/^pageSize: pageSize is fixed when the database is created/)]);
    expect(rules(failures("Instance", { ...sp, portNum: 5300 }, sp))).toEqual([expect.stringMatching(/^portNum: portNum is fixed .* set deleteData: true first, or choose a new path/)]);
    expect(validate("Instance", { ...sp, pageSize: 16, path: "/data/new" }, sp).ok).toBe(true);
    expect(validate("Instance", { ...sp, portNum: 5300 }, { ...sp, deleteData: true }).ok).toBe(true);
    expect(rules(failures("Instance", { ...instance, pageSize: 16, path: "/data/new" }, instance))).toEqual([
      expect.stringMatching(/^path: changing path replaces the database .* a BP's rows do not move to a new one: add a new instance under another name and remove this one/),
      expect.stringMatching(/^pageSize: changing pageSize replaces the database/),
    ]);
    expect(rules(failures("Instance", { ...instance, apPortNum: 6101 }, instance))).toEqual([expect.stringMatching(/^apPortNum: changing apPortNum replaces the database/)]);
    expect(rules(failures("Instance", { ...instance, mode: "MP", mpPort: 9100 }, instance))).toEqual([expect.stringMatching(/^mode: DPC_MODE is fixed .*\(BP before\)/)]);
    expect(validate("Instance", { ...instance, pageSize: 16 }, { ...instance, deleteData: true }).ok).toBe(true);
    expect(validate("Instance", { ...instance, dmIni: { MAX_SESSIONS: 10 } }, instance).ok).toBe(true);
  });

  test("a cluster: every topology rule at once", () => {
    const bad: DpcClusterArgs = {
      ...seed72,
      instances: [
        ...seed72.instances,
        { ...seed72.instances[2], name: "BP11" }, // duplicate name
        { ...seed72.instances[2], name: "BPX", portNum: 5238 }, // port taken on this host, in no raft
        { ...seed72.instances[2], name: "BPY", apPortNum: 9000, portNum: 7000, connection: { host: "127.0.10.2" } }, // mp_port vs ap_port_num
      ],
      rafts: [
        { name: "RAFT_1", role: "BP", members: ["BP11", "BP12"] }, // even
        { name: "RAFT_2", role: "BP", members: ["BP21", "BP22", "BP23", "SP1"] }, // SP in BP group
        { name: "RAFT_SP1", role: "SP", members: ["BP13"] }, // BP in SP group
        { name: "RAFT_Y", role: "BP", members: ["BPY"] },
      ],
      bpGroups: [{ name: "BG_1", rafts: ["RAFT_1", "RAFT_9", "RAFT_SP1"] }],
      faultDomains: [
        { name: "FDOM_1", instances: ["MP", "BP11", "BP12"] }, // two of RAFT_1
        { name: "FDOM_2", instances: ["SP1", "BP99"] }, // SP; unknown
      ],
    };
    const got = rules(failures("DpcCluster", bad));
    const expectations = [
      /^instances\[8\]: instance names are unique/,
      /^instances\[9\]\.portNum: port 5238 \(port_num\) is already used on host 127\.0\.10\.1/,
      /^instances\[10\]\.apPortNum: .*|^instances\[1\]\.mpPort: mp_port 9000 collides with ap_port_num of instances\[10\]\.apPortNum/,
      /^instances\[9\]: the BP instance is in no RAFT group/,
      /^rafts\[0\]\.members: a multi-replica RAFT group has an odd number of nodes, shadow replicas included \(got 2\)/,
      /^rafts\[1\]\.members\[3\]: a SP instance cannot be a member of a BP RAFT group/,
      /^rafts\[2\]\.members\[0\]: a BP instance cannot be a member of a SP RAFT group/,
      /^bpGroups\[0\]\.rafts\[1\]: names no RAFT group/,
      /^bpGroups\[0\]\.rafts\[2\]: a BP group holds BP RAFT groups only/,
      /^faultDomains\[0\]\.instances\[2\]: two members of RAFT group RAFT_1 in one fault domain/,
      /^faultDomains\[1\]\.instances\[0\]: an SP cannot be in a fault domain/,
      /^faultDomains\[1\]\.instances\[1\]: names no instance/,
    ];
    for (const e of expectations) expect(got).toContainEqual(expect.stringMatching(e));
  });

  test("one database directory per instance: the same host, path and dbName twice is refused, naming both; another dbName is fine", () => {
    const t = seed72 as DpcClusterArgs;
    const a = t.instances[2];
    const shared = { ...t, instances: t.instances.map((x, i) => (i === 3 ? { ...x, path: `${a.path}/` } : x)) };
    expect(rules(failures("DpcCluster", shared)).filter((r) => r.includes("own database directory"))).toEqual([
      `instances[3].path: instances on one host need their own database directory: ${a.path}//DAMENG on ${a.connection.host} is already instances[2]'s (give one another path or dbName)`,
    ]);
    expect(validate("DpcCluster", { ...t, instances: t.instances.map((x, i) => (i === 3 ? { ...x, path: a.path, dbName: "DAMENG2" } : x)) }).ok).toBe(true);
  });

  test("group sizes: 1, 3, 5, 7, 9 nodes, shadow replicas included (they vote); shadows at most half (DM8 §5.20, §6.2)", () => {
    const sized = (n: number, shadows: string[] = []): DpcClusterArgs => {
      const names = Array.from({ length: n }, (_, i) => `B${i}`);
      return {
        sysdbaPassword: "SYSDBA_pw1",
        instances: [
          { name: "MP", mode: "MP", connection: { host: "h" }, path: "/d/mp", ip: "10.0.0.1", portNum: 5000, apPortNum: 6000 },
          ...names.map((name, i) => ({ name, mode: "BP" as const, connection: { host: "h" }, path: `/d/${name}`, ip: "10.0.0.1", portNum: 5100 + i, apPortNum: 6100 + i })),
        ],
        rafts: [{ name: "R", role: "BP", members: names, shadows }],
      };
    };
    expect([1, 2, 3, 4, 5, 9, 10, 11].map((n) => validate("DpcCluster", sized(n)).ok)).toEqual([true, false, true, false, true, true, false, false]);
    expect(rules(failures("DpcCluster", sized(11)))).toContainEqual(expect.stringContaining("at most 9"));
    // 2 RAFT + 1 shadow: valid; 3 RAFT + 1 shadow: four nodes, even.
    expect(validate("DpcCluster", sized(3, ["B2"])).ok).toBe(true);
    expect(rules(failures("DpcCluster", sized(4, ["B3"])))).toEqual(["rafts[0].members: a multi-replica RAFT group has an odd number of nodes, shadow replicas included (got 4)"]);
    // 1 RAFT + 2 shadows: the field, its value and the rule.
    const f = failures("DpcCluster", sized(3, ["B1", "B2"]));
    expect(f.map((x) => [x.path, x.value])).toEqual([["rafts[0].shadows", ["B1", "B2"]]]);
    expect(rules(f)).toEqual([expect.stringMatching(/^rafts\[0\]\.shadows: shadow replicas are at most half of a RAFT group's nodes \(got 2 of 3\)/)]);
    expect(describeFailures(f)).toContain('(got ["B1","B2"])');
    // a single replica cannot be a shadow (no data files, no one else to hold the data)
    expect(rules(failures("DpcCluster", sized(1, ["B0"])))).toEqual([expect.stringMatching(/^rafts\[0\]\.shadows: shadow replicas are at most half .*\(got 1 of 1\)/)]);
  });

  test("RaftGroup, BpGroup and FaultDomain on their own", () => {
    const member = { name: "BP1", mode: "BP", connection: { host: "h" }, path: "/d/bp1", ip: "10.0.0.1", portNum: 5237, apPortNum: 6001 };
    const group = { name: "RAFT_1", role: "SP", members: [member], sysdbaPassword: "SYSDBA_pw1" };
    expect(rules(failures("RaftGroup", group))).toEqual([
      "members[0].mode: a BP instance cannot be a member of a SP RAFT group",
      "mp: an SP or BP group names the MP(s) to log into",
    ]);
    expect(rules(failures("RaftGroup", { ...group, role: "MP", members: [{ ...member, mode: "MP" }] }))).toEqual(["name: the MP RAFT group is named MP_RAFT"]);
    const mp = [{ name: "MP", connection: { host: "h" }, ip: "10.0.0.1", portNum: 5236 }];
    expect(rules(failures("BpGroup", { name: "BG", rafts: ["R1", "r1"], mp, sysdbaPassword: "SYSDBA_pw1" }))).toEqual([expect.stringMatching(/^rafts\[1\]: a RAFT group is listed once/)]);
    expect(validate("FaultDomain", { name: "FD", instances: ["A", "B"], mp, sysdbaPassword: "SYSDBA_pw1", description: "it's \"quoted\"; DROP" }).ok).toBe(true);
  });

  test("values DM reads trimmed from an ini file cannot end (or begin) with a blank", () => {
    // dminit's CONTROL file and dm.ini are read KEY = value with the value trimmed: a path
    // ending in a blank would put the database in another directory, a dm.ini value with outer
    // blanks would never read back equal (a new update on every up).
    const f = failures("Instance", { ...instance, path: "/data/bp1 ", dmIni: { A: " x", B: "y\t", C: "in side", D: 7 } });
    expect(rules(f)).toEqual([
      expect.stringMatching(/^path: cannot end with a blank/),
      expect.stringMatching(/^dmIni\.A: a dm\.ini value cannot begin or end with a blank/),
      expect.stringMatching(/^dmIni\.B: a dm\.ini value cannot begin or end with a blank/),
    ]);
    expect(validate("Instance", { ...instance, path: "/data/ bp1", dmIni: { C: "in side" } }).ok).toBe(true);
  });

  test("a description must read back from disql as written: no outer blanks, not the text NULL", () => {
    const mp = [{ name: "MP", connection: { host: "h" }, ip: "10.0.0.1", portNum: 5236 }];
    const fd = { name: "FD", instances: [], mp, sysdbaPassword: "SYSDBA_pw1" };
    for (const d of [" x", "x ", "\t", "\ufeffBOM", "NULL"]) expect(rules(failures("FaultDomain", { ...fd, description: d }))).toEqual([expect.stringMatching(/^description: a description cannot/)]);
    for (const d of ["", "null", "a b", "it's; --"]) expect(validate("FaultDomain", { ...fd, description: d }).ok).toBe(true);
  });

  test("a member may change between RAFT and shadow replica (the group plans seed 7.5.2); the group's node count is the same, shadows at most half", () => {
    const m = (name: string, port: number, shadow = false) => ({ name, mode: "BP", connection: { host: "h" }, path: `/d/${name}`, ip: "10.0.0.1", portNum: port, apPortNum: port + 1000, shadow });
    const mp = [{ name: "MP", connection: { host: "h" }, ip: "10.0.0.1", portNum: 5236 }];
    const group = (shadowOf: string[]) => ({ name: "RAFT_1", role: "BP", mp, sysdbaPassword: "SYSDBA_pw1", members: ["B1", "B2", "B3"].map((n, i) => m(n, 5240 + i, shadowOf.includes(n))) });
    expect(validate("RaftGroup", group(["B3"]), group(["B3"])).ok).toBe(true);
    // a swap, one conversion alone, no shadow at all: three nodes each time
    expect(validate("RaftGroup", group(["B2"]), group(["B3"])).ok).toBe(true);
    expect(validate("RaftGroup", group([]), group(["B3"])).ok).toBe(true);
    // 1 RAFT + 2 shadows is refused
    expect(rules(failures("RaftGroup", group(["B2", "B3"]), group(["B3"])))).toEqual([expect.stringMatching(/^members: shadow replicas are at most half of a RAFT group's nodes \(got 2 of 3\)/)]);
  });

});
