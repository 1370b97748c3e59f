/**
 * `lab oceanbase create`: a bootstrapped OceanBase cluster as a DBA's starting point (spec lab.md
 * §4). Writes the cluster's shared state (as bootstrap would have left it), starts one OBServer
 * stand-in per host with the real flags, in the host's own environment, and records the cluster
 * in lab.json under `oceanbase`.
 */
import { initialUnits } from "./standby/units";
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { labNow } from "../common/clock";
import { commandEnv } from "../../hosts/environment";
import { LabJson, LabObCluster, findHost, labFiles, readLabJson, writeJsonAtomic } from "../../hosts/lab-json";
import { ClusterState, OB_VERSIONS, ObVersion, TenantRecord, clusterDir, freshFields, isV4, stateFile, writeState } from "./state";
import { doubleSha1Hex } from "./wire";
import { ensureOss } from "./oss/start";

export interface CreateOptions {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  /** `z1:host1,z2:host2,z3:host3`. */
  readonly zones: string;
  readonly tenants: readonly string[];
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

export function parseZones(text: string): { zone: string; host: string }[] {
  const out = text.split(",").map((part) => {
    const m = /^([A-Za-z][A-Za-z0-9_]*):([A-Za-z0-9_.-]+)$/.exec(part.trim());
    if (!m) throw new Error(`--zones: ${JSON.stringify(part)} is not ZONE:HOST`);
    return { zone: m[1], host: m[2] };
  });
  if (new Set(out.map((z) => z.host)).size !== out.length) throw new Error("--zones: one OBServer per host");
  return out;
}

function password(): string {
  // Letters, digits and a few signs OceanBase accepts; never a quote or a backslash.
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789_+-";
  return Array.from(crypto.randomBytes(20), (b) => alphabet[b % alphabet.length]).join("");
}

function tenantsFor(version: ObVersion, names: readonly string[]): TenantRecord[] {
  // 4.x pairs each user tenant with a meta tenant (id - 1), so user tenants are 1002, 1004, ...
  return [{ id: 1, name: "sys" }, ...names.map((name, i) => ({ id: version.startsWith("4.") ? 1002 + 2 * i : 1001 + i, name }))];
}

function runOnHost(env: Record<string, string>, cwd: string, argv: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (e) => resolve({ code: 127, output: e.message }));
    child.on("close", (code) => resolve({ code, output }));
  });
}

export async function createCluster(o: CreateOptions): Promise<LabObCluster> {
  const dir = path.resolve(o.dir);
  const lab: LabJson = readLabJson(dir);
  if (!NAME.test(o.name)) throw new Error(`--name: ${JSON.stringify(o.name)} is not a cluster name (a letter, then letters, digits, _)`);
  if (!OB_VERSIONS.includes(o.version as ObVersion)) throw new Error(`--version must be one of ${OB_VERSIONS.join(", ")}, got ${o.version}`);
  const version = o.version as ObVersion;
  for (const t of o.tenants) if (!NAME.test(t) || t.toLowerCase() === "sys") throw new Error(`--tenant: ${JSON.stringify(t)} is not a user tenant name`);
  if (fs.existsSync(stateFile(dir, o.name))) throw new Error(`cluster ${o.name} already exists in this lab (${clusterDir(dir, o.name)})`);
  const zones = parseZones(o.zones);
  const others = lab.oceanbase ?? [];
  const servers = zones.map(({ zone, host }) => {
    const h = findHost(lab, host);
    // Two clusters on one host take different ports, as a DBA would give them.
    const n = others.filter((c) => c.servers.some((s) => s.host === h.name)).length;
    return { host: h.name, zone, address: h.address, sqlPort: 2881 + 10 * n, rpcPort: 2882 + 10 * n };
  });
  const pw = password();
  const cdir = clusterDir(dir, o.name);
  fs.mkdirSync(cdir, { recursive: true });
  const passwordFile = path.join(cdir, "root-password");
  fs.writeFileSync(passwordFile, pw, { mode: 0o600 });
  const sharedDir = path.join(dir, "shared");
  fs.mkdirSync(sharedDir, { recursive: true });
  const now = labNow(dir);
  const tenants = tenantsFor(version, o.tenants);
  const merged = () => ({ frozenVersion: 1, lastMergedVersion: 1, status: "IDLE" as const, startedAt: now, lastMergedAt: now });
  const state: ClusterState = {
    name: o.name,
    version,
    clusterId: 100000 + crypto.randomInt(1, 4_000_000),
    rootHash: doubleSha1Hex(pw),
    servers,
    tenants,
    ...freshFields(),
    units: initialUnits(tenants.map((t) => t.id), servers),
    merge: Object.fromEntries([["0", merged()], ...tenants.map((t) => [String(t.id), merged()])]),
    lastDataChangeAt: now,
  };
  writeState(dir, state);

  const plan = JSON.parse(fs.readFileSync(labFiles.plan(dir), "utf8")) as { labPath: string };
  const rsList = zones.map((_, i) => `${servers[i].address}:${servers[i].rpcPort}:${servers[i].sqlPort}`).join(";");
  const started = await Promise.all(
    servers.map(async (sv) => {
      const h = findHost(lab, sv.host);
      const home = path.join(h.obHome, o.name);
      fs.mkdirSync(home, { recursive: true });
      const env = commandEnv(h, dir, h.user, plan.labPath);
      const argv = ["observer", "-z", sv.zone, "-p", String(sv.sqlPort), "-P", String(sv.rpcPort), "-n", o.name, "-c", String(state.clusterId), "-d", path.join(home, "store"), "-r", rsList, "-o", "memory_limit=8G,system_memory=2G,datafile_size=20G"];
      const r = await runOnHost(env, home, ["bash", "-c", 'exec "$@"', "observer", ...argv]);
      return { sv, ...r };
    }),
  );
  const failed = started.filter((r) => r.code !== 0);
  if (failed.length > 0) throw new Error(failed.map((f) => `observer on ${f.sv.host}: exit ${f.code}: ${f.output.trim()}`).join("\n"));
  const oss = await ensureOss(dir, lab);
  const entry: LabObCluster = { name: o.name, version, clusterId: state.clusterId, passwordFile, servers, tenants: o.tenants.slice(), sharedDir };
  const fresh = readLabJson(dir);
  writeJsonAtomic(labFiles.labJson(dir), { ...fresh, oceanbase: [...(fresh.oceanbase ?? []).filter((c) => c.name !== o.name), entry], oss });
  return entry;
}
