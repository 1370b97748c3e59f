/**
 * Hostile strings through every string field of opengauss.DisasterRecovery, through the engine:
 * `check` refuses exactly what each rule forbids (naming field, value and rule, nothing run); a
 * dorado pair built with hostile values in every field that takes them stores each exactly (the
 * role, its password, the --json file, the env file, each word of the array command), with the
 * DR password in no command line, state or output. Then, while paired, a DN port change, a
 * replica-count change and a DR user change are refused, and allowRebuild does not dissolve a
 * pair it cannot build again.
 */
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { homeOf } from "../../lab/hosts/environment";
import { hostileStrings } from "../fixtures/hostile-strings";
import { allCommands, decodedOutput, engine, findNamed, shellWord, type EngineRun, type Program } from "../hostile/harness";
import { CANARY_NAMES, hostile } from "../hostile/strings";
import { PORT, sqlOn, startOgLab, type OgLab } from "./fixtures";
import { clustersArg, writeDrProgram, type DrResource } from "./program";

jest.setTimeout(300_000);

let og: OgLab;
let strings: string[];
const runs: EngineRun[] = [];

beforeAll(async () => {
  og = await startOgLab();
  fs.mkdirSync(path.join(og.lab.dir, "c"));
  strings = hostile(path.join(og.lab.dir, "c"));
}, 170_000);
afterAll(async () => og?.stop());

async function run(p: Program, cmd: "up" | "preview" | "destroy" | "refresh"): Promise<EngineRun> {
  const r = await engine(og.lab, p, cmd);
  runs.push(r);
  return r;
}

/**
 * The rules, written here from the sources: gs_ddr's SecurityChecker (IP_PATTERN, check_path on
 * the --json path), the seed's forbidden password characters, PostgreSQL's 63-byte names, Linux's
 * NAME_MAX/PATH_MAX, and the resource's own cluster-name rule.
 */
const bytes = (s: string) => Buffer.byteLength(s);
const accepts = {
  name: (s: string) => /^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(s),
  ip: (s: string) => /^(?:(?:25[0-5]|2[0-4]\d|1\d{2}|[1-9]?\d)(?:\.(?!$)|$)){4}$|^(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}$|^::1$|^::$/.test(s),
  drUser: (s: string) => s.length > 0 && bytes(s) <= 63 && !/[\0\r\n]/.test(s),
  drPassword: (s: string) => s.length >= 8 && s.length <= 256 && !/[| ;&$<>`'"{}()[\]~*?!\-\s]/.test(s),
  path: (p: string) => /^(\/|~\/)/.test(p) && !/[\0\r\n]/.test(p) && !p.split("/").includes("..") && bytes(p) <= 4095 && p.split("/").every((x) => bytes(x) <= 255),
  jsonPath: (p: string) => accepts.path(p) && !/[|;&$<>`\\'"{}()[\]~*?! \n]/.test(p.replace(/^~\//, "/")) && !p.includes(".."),
  word: (s: string) => !s.includes("\0"),
  /** The array command, quoted, fits one SSH exec request (RFC 4253 §6.1 guarantees 32768-byte packets). */
  command: (words: string[]) => Buffer.byteLength(words.map(shellWord).join(" ")) <= 30_000,
};

const OTHER = { name: "b", port: PORT, nodes: [{ connection: { $host: "host3" }, ip: "10.9.0.2", dataIp: "10.9.0.3" }] };

test("check refuses exactly what each field's rule forbids, naming field, value and rule; no host is contacted", async () => {
  const resources: DrResource[] = strings.flatMap((s, i) => [
    {
      name: `h${i}`,
      args: {
        clusters: [{ name: s, port: PORT, nodes: [{ connection: { $host: "host1" }, ip: s, dataIp: s }] }, OTHER],
        primary: s,
        type: "dorado",
        drUser: s,
        drPassword: { $secret: s },
        storageReplication: { connection: { $host: "host1" }, command: [s] },
        envFile: `~/${s}`,
        configFile: `~/${s}`,
      },
    },
    {
      name: `f${i}`,
      args: {
        clusters: [{ ...OTHER, name: "a" }, { ...OTHER, name: s }],
        primary: "a",
        type: s,
        drUser: "u",
        drPassword: { $secret: "Password1" },
        failover: { confirm: s },
        envFile: s,
        configFile: s,
      },
    },
  ]);
  const before = allCommands(og.lab).length;
  const r = await run(writeDrProgram(og.lab, "refusals", resources), "preview");
  expect(r.code).not.toBe(0);
  const out = decodedOutput(r);
  const lines = out.split("\n");
  // The engine prints each check failure as `invalid inputs: ...` followed by the resource's URN.
  const failureOf = (name: string) => {
    const at = lines.findIndex((l, k) => l.startsWith("urn:") && l.endsWith(`::${name}`) && lines[k - 1]?.startsWith("invalid inputs:"));
    return at > 0 ? lines[at - 1] : "";
  };
  const fields: { res: string; at: string; value: (s: string) => string; shown?: (s: string) => unknown; accepted: (s: string) => boolean }[] = [
    { res: "h", at: "clusters[0].name", value: (s) => s, accepted: accepts.name },
    { res: "h", at: "clusters[0].nodes[0].ip", value: (s) => s, accepted: accepts.ip },
    { res: "h", at: "clusters[0].nodes[0].dataIp", value: (s) => s, accepted: accepts.ip },
    { res: "h", at: "primary", value: (s) => s, accepted: accepts.name },
    { res: "h", at: "drUser", value: (s) => s, accepted: accepts.drUser },
    { res: "h", at: "drPassword", value: (s) => s, shown: () => "[secret]", accepted: accepts.drPassword },
    { res: "h", at: "storageReplication.command[0]", value: (s) => s, accepted: accepts.word },
    { res: "h", at: "storageReplication.command", value: (s) => s, shown: (s) => [s], accepted: (s) => accepts.command([s]) },
    { res: "h", at: "envFile", value: (s) => `~/${s}`, accepted: accepts.path },
    { res: "h", at: "configFile", value: (s) => `~/${s}`, accepted: accepts.jsonPath },
    { res: "f", at: "clusters[1].name", value: (s) => s, accepted: accepts.name },
    { res: "f", at: "type", value: (s) => s, accepted: () => false },
    { res: "f", at: "failover.confirm", value: (s) => s, accepted: accepts.name },
    { res: "f", at: "envFile", value: (s) => s, accepted: accepts.path },
    { res: "f", at: "configFile", value: (s) => s, accepted: accepts.jsonPath },
  ];
  const wrong: string[] = [];
  strings.forEach((s, i) => {
    for (const f of fields) {
      const line = failureOf(`${f.res}${i}`);
      const v = f.value(s);
      const at = line.indexOf(`${f.at}: `);
      const refused = at >= 0;
      const label = `${f.res}${i} ${f.at} ${JSON.stringify(v).slice(0, 50)}`;
      if (refused === f.accepted(v)) wrong.push(`${label}: ${refused ? "refused" : "accepted"}`);
      // The value shown is the first `(got ...)` after the field's name: its own, never a neighbour's.
      else if (refused && !line.slice(line.indexOf("(got ", at)).startsWith(`(got ${JSON.stringify(f.shown ? f.shown(s) : v)})`)) wrong.push(`${label}: the refusal does not show the value`);
    }
  });
  expect(wrong).toEqual([]);
  expect(allCommands(og.lab).length).toBe(before);
  expect(await findNamed(og.lab.dir, CANARY_NAMES)).toEqual([]);
}, 170_000);

// What the pair is built with: a hostile value in every field that takes one.
const c = (name: string) => `$(touch ~/${name})`;
const DR_USER = `x'"\`${c("CANARY1")}\`;\\ %s 中`;
const DR_PASSWORD = "Ab1\\%#@^=+,./:中文_Zz";
const CONFIG_FILE = "~/dr#cfg%s@中文=1,+.json";
const ENV_FILE = `~/env '$(touch CANARY2)' \`x\` ; & | "q" \\ %s 中 $HOME.sh`;
const WORDS = [...hostileStrings.filter((s) => s.length < 10_000), `; touch ~/CANARY3`, `'; touch ~/CANARY4; '`];
const ARRAY_STEP = "~/array step";

const home = (host: string) => homeOf(og.lab.hosts.find((h) => h.name === host)!);
const underHome = (host: string, p: string) => path.join(home(host), p.slice(2));

function pairArgs(over: Record<string, unknown> = {}): Record<string, unknown> {
  const stepHost = og.lab.hosts.find((h) => h.name === "host1")!;
  return {
    clusters: clustersArg(og.clusters),
    primary: "og1",
    type: "dorado",
    drUser: DR_USER,
    drPassword: { $secret: DR_PASSWORD },
    storageReplication: { connection: { $host: stepHost.name }, command: [underHome("host1", ARRAY_STEP), ...WORDS] },
    envFile: ENV_FILE,
    configFile: CONFIG_FILE,
    timeoutSeconds: 120,
    ...over,
  };
}
let pair: Program;

/** The SCRAM-SHA-256 verifier PostgreSQL stores (RFC 5802/7677) checked against a password. */
function scramMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const salted = pbkdf2Sync(Buffer.from(password.normalize("NFKC"), "utf8"), Buffer.from(m[2], "base64"), Number(m[1]), 32, "sha256");
  const stored = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest();
  return stored.toString("base64") === m[3];
}

/** Each run of the array step as it was called: its arguments, NUL-separated per line file. */
const stepCalls = () =>
  fs.existsSync(path.join(home("host1"), "array-calls"))
    ? fs.readdirSync(path.join(home("host1"), "array-calls")).sort().map((f) => fs.readFileSync(path.join(home("host1"), "array-calls", f), "utf8").split("\0").slice(0, -1))
    : [];

test("a dorado pair built with hostile values everywhere stores each exactly; the DR password is in no command, state or output", async () => {
  // The env file the program names, on both first nodes, and the user's array step (records its words, then the lab's array).
  for (const h of ["host1", "host3"]) await og.lab.exec(h, `cp ~/.bashrc ${shellWord(underHome(h, ENV_FILE))}`);
  await og.lab.exec("host1", `mkdir -p ~/array-calls && cat > ${shellWord(underHome("host1", ARRAY_STEP))} && chmod 755 ${shellWord(underHome("host1", ARRAY_STEP))}`, `#!/bin/bash\nprintf '%s\\0' "$@" > ~/array-calls/"$(date +%s%N)"\nexec dorado_pair "\${@: -1}"\n`);
  await sqlOn(og, "host1", "create table t(id int primary key); insert into t values (1)");
  pair = writeDrProgram(og.lab, "pair", [{ name: "pair", args: pairArgs() }]);
  const r = await run(pair, "up");
  expect({ code: r.code, tail: r.code === 0 ? "" : decodedOutput(r).slice(-3000) }).toEqual({ code: 0, tail: "" });

  // The role, under exactly that name (found by its hex), with exactly that password.
  const hex = Buffer.from(DR_USER, "utf8").toString("hex");
  const role = await og.run("host1", "gsql -d postgres -p 26000 -t -A -X", `select rolreplication || ' ' || rolpassword from pg_authid where rolname = convert_from(decode('${hex}', 'hex'), 'UTF8');\n`);
  const [repl, verifier] = role.stdout.trim().split(" ");
  expect(repl).toBe("true");
  expect(scramMatches(verifier, DR_PASSWORD)).toBe(true);
  expect(scramMatches(verifier, `${DR_PASSWORD}x`)).toBe(false);
  // The --json file and the credentials record at exactly those paths, 0600.
  for (const h of ["host1", "host3"]) {
    const file = underHome(h, CONFIG_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).localClusterConf.port).toBe(PORT);
    expect(fs.statSync(`${file}.credentials`).mode & 0o777).toBe(0o600);
  }
  // Each word of the array command reached it as written, then the step.
  expect(stepCalls()).toEqual([[...WORDS, "start"]]);
  expect(await findNamed(og.lab.dir, CANARY_NAMES)).toEqual([]);

  const again = await run(pair, "up");
  expect(again.code).toBe(0);
  expect(again.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
  expect(stepCalls().length).toBe(1);
});

/** Reruns the pair's program with other inputs; returns the run's decoded output. */
async function upWith(over: Record<string, unknown>): Promise<{ code: number; out: string; ran: number }> {
  const before = allCommands(og.lab).length;
  writeDrProgram(og.lab, "pair", [{ name: "pair", args: pairArgs(over) }]);
  const r = await run(pair, "up");
  return { code: r.code, out: decodedOutput(r), ran: allCommands(og.lab).slice(before).filter((x) => !x.startsWith("echo '@@dbcluster-og@@''user'")).length };
}

test("while paired: a DN port change, a replica-count change and a DR user change are refused in check with the reason; nothing runs", async () => {
  const [og1, og2] = clustersArg(og.clusters);
  const port = await upWith({ clusters: [{ ...og1, port: 26001 }, og2] });
  expect(port.code).not.toBe(0);
  expect(port.out).toMatch(/clusters\[0\]\.port: a DN port change \(26000 → 26001\) cannot change while the DR pair exists \(gs_ddr\): dissolve it first \(delete the resource\), or set allowRebuild: true/);
  const replicas = await upWith({ clusters: [og1, { ...og2, nodes: og2.nodes.slice(0, 1) }] });
  expect(replicas.out).toMatch(/clusters\[1\]\.nodes: a replica count change \(2 → 1\) cannot change while the DR pair exists/);
  const user = await upWith({ drUser: "other_user" });
  expect(user.out).toMatch(/drUser: cannot change while the DR pair exists \(gs_ddr\): dissolve it first/);
  expect([port.ran, replicas.ran, user.ran]).toEqual([0, 0, 0]);
});

test("allowRebuild with a DN port the clusters do not have: refused before the pair is dissolved, and the pair still carries rows", async () => {
  const [og1, og2] = clustersArg(og.clusters);
  const r = await upWith({ clusters: [{ ...og1, port: 26001 }, og2], allowRebuild: true });
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/allowRebuild cannot rebuild the pair as declared: clusters\[og1\]\.port: 26000 → 26001 .*dissolve the pair \(delete the resource\), change the clusters, then declare the pair again/);
  expect(r.ran).toBe(0);
  await sqlOn(og, "host1", "insert into t values (2)");
  let n = "";
  for (let i = 0; i < 60 && n !== "2"; i++) n = (await sqlOn(og, "host4", "select count(*) from t")).stdout.trim();
  expect(n).toBe("2");
});

test("allowRebuild with another type: the dorado pair is dissolved as dorado (the array's failover step, from the last program) and rebuilt in stream mode", async () => {
  const r = await upWith({ type: "stream", storageReplication: undefined, allowRebuild: true });
  expect({ code: r.code, tail: r.code === 0 ? "" : r.out.split("\n").filter((l) => /fail|error|GAUSS|refus/i.test(l)).slice(-12).join("\n") }).toEqual({ code: 0, tail: "" });
  expect(r.out).toMatch(/allowRebuild: type: og1 runs DR in dorado mode, the program says stream/);
  expect(stepCalls()).toEqual([[...WORDS, "start"], [...WORDS, "failover"]]);
  const modes = await og.run("host3", "gs_guc check -Z datanode -N all -I all -c ss_disaster_mode");
  expect(modes.stdout).toMatch(/ss_disaster_mode=stream/);
  expect(modes.stdout).not.toMatch(/ss_disaster_mode=dorado/);
  const again = await upWith({ type: "stream", storageReplication: undefined, allowRebuild: true });
  expect([again.code, again.ran]).toEqual([0, 0]);
});

test("destroy dissolves the pair; every array step got each word exactly; nothing leaked anywhere", async () => {
  writeDrProgram(og.lab, "pair", [{ name: "pair", args: pairArgs({ type: "stream", storageReplication: undefined, allowRebuild: true }) }]);
  const r = await run(pair, "destroy");
  expect({ code: r.code, tail: r.code === 0 ? "" : decodedOutput(r).slice(-3000) }).toEqual({ code: 0, tail: "" });
  expect(stepCalls()).toEqual([[...WORDS, "start"], [...WORDS, "failover"]]);
  expect((await sqlOn(og, "host3", "insert into t values (20)")).code).toBe(0);
  expect(await findNamed(og.lab.dir, CANARY_NAMES)).toEqual([]);
  const commands = allCommands(og.lab).join("\n");
  const state = fs.readdirSync(path.join(pair.backend), { recursive: true }).map((f) => path.join(pair.backend, String(f))).filter((f) => fs.statSync(f).isFile()).map((f) => fs.readFileSync(f, "utf8")).join("\n");
  const output = runs.map((x) => decodedOutput(x)).join("\n");
  for (const [where, text] of [["command lines", commands], ["state", state], ["engine output", output]] as const) {
    expect(`${where}: ${text.includes(DR_PASSWORD)}`).toBe(`${where}: false`);
  }
});
