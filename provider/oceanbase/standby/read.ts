/**
 * Reading a standby's actual state: one command per host (the observer build, whether it runs,
 * the data directory, the ports), one SQL session on the primary and one on the standby, each
 * through its host's pooled SSH connection (a `direct-tcpip` channel), one query per view.
 * Hosts are probed in parallel; a primary that cannot be reached is reported, not fatal (a
 * failover needs exactly that case), and so is a standby host (unreachable.ts).
 */
import type { RunContext } from "../../converge";
import { connectionKey, parseConnection } from "../../core/connection";
import { sh } from "../../core/quote/sh";
import { openSession, rows, type SqlSession } from "../read";
import { isV4, versionFrom } from "../sql";
import type { StandbyClusterSpec, StandbyHost } from "./schema";
import { STANDBY_READ } from "./sql";
import { unreachableLine, unreachableOf, unreachableReason } from "./unreachable";
import { candidateHosts } from "./validate";

export interface ClusterView {
  readonly version: string;
  readonly clusterId: number;
  readonly name: string;
  /** PRIMARY | PHYSICAL STANDBY */
  readonly role: string;
  readonly status: string;
  readonly switchoverStatus: string;
  readonly currentScn: number;
  readonly standbys: { clusterId: number; name: string; status: string; currentScn: number; rsList: string }[];
  readonly servers: { address: string; rpcPort: number; sqlPort: number; zone: string; status: string }[];
  readonly zones: Record<string, { idc: string; region: string }>;
  /** 3.x `__all_unit`: each resource unit's zone and server, and the server it migrates from ("" when not). */
  readonly units: { zone: string; address: string; migrateFrom: string }[];
}

export interface HostProbe {
  readonly address: string;
  readonly home: string;
  readonly dataDir: string;
  readonly connKey: string;
  readonly binaryVersion: string;
  readonly pid: number | null;
  readonly data: "absent" | "empty" | "nonempty";
  /** The line this product wrote into `<home>/.dbcluster-observer` when it started the observer there. */
  readonly marker: string;
  readonly busy: number[];
  /** Set when the host cannot be reached over SSH (the dial's reason, unreachable.ts): nothing else about it is known. */
  readonly unreachable?: string;
}

export type Reach<T> = { ok: true; view: T } | { ok: false; error: string };

export interface StandbyActual {
  readonly peer: Reach<ClusterView>;
  /** The standby's own view; `bootstrapped: false` when its observers run but wait for BOOTSTRAP. */
  readonly self: Reach<ClusterView> | { ok: true; bootstrapped: false } | null;
  readonly hosts: HostProbe[];
}

export const hostConnKey = (h: StandbyHost) => connectionKey(parseConnection(h.connection));

/** A host's observer home and data directory: its own, or the cluster's. */
export const pathsOf = (s: StandbyClusterSpec, h: Pick<StandbyHost, "home" | "dataDir">) => ({ home: h.home ?? s.observer.home, dataDir: h.dataDir ?? s.observer.dataDir });

/** What `<home>/.dbcluster-observer` says for this spec's cluster. */
export const markerOf = (s: StandbyClusterSpec, name: string, dataDir: string) => `cluster=${name} id=${s.clusterId} dataDir=${dataDir}`;

export function probeCommand(s: StandbyClusterSpec, h: StandbyHost): string {
  const o = s.observer;
  const { home, dataDir } = pathsOf(s, h);
  const script =
    sh`home=${home}; d=${dataDir}; a=${h.address}; ` +
    `v=$("$home/bin/observer" -V 2>&1 | sed -n 's/^observer (OceanBase[^ ]* \\([0-9][0-9.]*\\)).*/\\1/p' | head -n 1); echo "version=$v"; ` +
    // A killed observer its parent has not reaped yet is a zombie: not running.
    `pid=$(cat "$home/run/observer.pid" 2>/dev/null); st=$([ -n "$pid" ] && ps -o stat= -p "$pid" 2>/dev/null); case "$st" in ""|Z*) echo "pid=";; *) echo "pid=$pid";; esac; ` +
    `if [ ! -e "$d" ]; then echo data=absent; elif [ -d "$d" ] && [ -z "$(ls -A "$d")" ]; then echo data=empty; else echo data=nonempty; fi; ` +
    `echo "marker=$(head -n 1 "$home/.dbcluster-observer" 2>/dev/null)"; ` +
    sh`for p in ${String(o.sqlPort)} ${String(o.rpcPort)}; do if (exec 3<>"/dev/tcp/$a/$p") 2>/dev/null; then echo "busy=$p"; fi; done; exit 0`;
  return sh`bash -c ${script}`;
}

export function parseProbe(address: string, paths: { home: string; dataDir: string }, connKey: string, out: string): HostProbe {
  const lines = out.split("\n");
  const get = (k: string) => lines.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1) ?? "";
  const data = get("data");
  return {
    address,
    ...paths,
    connKey,
    binaryVersion: get("version"),
    pid: get("pid") === "" ? null : Number(get("pid")),
    data: data === "absent" || data === "empty" ? data : "nonempty",
    marker: get("marker"),
    busy: lines.filter((l) => l.startsWith("busy=")).map((l) => Number(l.slice(5))),
  };
}

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const num = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));

export async function readView(s: SqlSession): Promise<ClusterView> {
  const comment = str((await rows(s, STANDBY_READ.version))[0]?.version_comment);
  const version = versionFrom(comment) ?? comment;
  // 4.x has no V$OB_CLUSTER (standby tenants, not clusters): its version is what a 3.x standby needs to refuse it.
  if (isV4(version)) return { version, clusterId: 0, name: "", role: "", status: "", switchoverStatus: "", currentScn: 0, standbys: [], servers: [], zones: {}, units: [] };
  const c = (await rows(s, STANDBY_READ.cluster))[0] ?? {};
  const zones: ClusterView["zones"] = {};
  for (const r of await rows(s, STANDBY_READ.zones)) {
    const z = (zones[str(r.zone)] ??= { idc: "", region: "" });
    if (r.name === "idc") z.idc = str(r.info);
    if (r.name === "region") z.region = str(r.info);
  }
  return {
    version,
    clusterId: num(c.cluster_id),
    name: str(c.cluster_name),
    role: str(c.cluster_role),
    status: str(c.cluster_status),
    switchoverStatus: str(c.switchover_status),
    currentScn: num(c.current_scn),
    standbys: (await rows(s, STANDBY_READ.standbys)).map((r) => ({ clusterId: num(r.cluster_id), name: str(r.cluster_name), status: str(r.cluster_status), currentScn: num(r.current_scn), rsList: str(r.rootservice_list) })),
    servers: (await rows(s, STANDBY_READ.servers)).map((r) => ({ address: str(r.svr_ip), rpcPort: num(r.svr_port), sqlPort: num(r.inner_port), zone: str(r.zone), status: str(r.status).toUpperCase() })),
    zones,
    units: (await rows(s, STANDBY_READ.units)).map((r) => ({ zone: str(r.zone), address: str(r.svr_ip), migrateFrom: str(r.migrate_from_svr_ip) })),
  };
}

/** The primary's version, and on 3.x its cluster_id and name: what check compares (one session, two reads). */
export async function readPrimaryFacts(ctx: RunContext, connKey: string, ep: { host: string; port: number; password: string }): Promise<{ version: string; clusterId?: number; name?: string }> {
  return withSession(ctx, connKey, ep, async (s) => {
    const comment = str((await rows(s, STANDBY_READ.version))[0]?.version_comment);
    const version = versionFrom(comment) ?? comment;
    if (isV4(version)) return { version };
    const c = (await rows(s, STANDBY_READ.cluster))[0] ?? {};
    return { version, clusterId: num(c.cluster_id), name: str(c.cluster_name) };
  });
}

export async function reach<T>(work: () => Promise<T>): Promise<Reach<T>> {
  try {
    return { ok: true, view: await work() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export async function withSession<T>(ctx: RunContext, connKey: string, ep: { host: string; port: number; password: string }, body: (s: SqlSession) => Promise<T>): Promise<T> {
  const s = await openSession(ctx, connKey, ep);
  try {
    return await body(s);
  } finally {
    await s.end().catch(() => undefined);
  }
}

/** One probe command per host, in parallel: the declared hosts and those the last applied inputs had and these do not (leaving: scale-in), with their old paths. */
export function probeHosts(s: StandbyClusterSpec, ctx: RunContext, olds?: StandbyClusterSpec): Promise<HostProbe[]> {
  const hostsOf = (spec: StandbyClusterSpec) => candidateHosts(spec).map((h) => ({ h, spec }));
  const all = [...hostsOf(s), ...(olds ? hostsOf(olds).filter((x) => !candidateHosts(s).some((h) => h.address === x.h.address)) : [])];
  const probes = Promise.all(
    all.map(async ({ h, spec }): Promise<HostProbe> => {
      const k = hostConnKey(h);
      const r = await ctx.exec(k, probeCommand(spec, h)).catch((err: unknown) => {
        const why = unreachableReason(err);
        if (why === undefined) throw err;
        return why;
      });
      // An outage is reported, not fatal (a host key mismatch or refused credentials are: unreachable.ts).
      if (typeof r === "string") return { address: h.address, ...pathsOf(spec, h), connKey: k, binaryVersion: "", pid: null, data: "absent", marker: "", busy: [], unreachable: r };
      if (r.code !== 0) throw new Error(`probing ${h.address} failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" ")}`);
      return parseProbe(h.address, pathsOf(spec, h), k, r.stdout);
    }),
  );
  return probes.then((hosts) => {
    const down = unreachableOf(hosts);
    if (down.length > 0) ctx.log.info(unreachableLine(down));
    return hosts;
  });
}

export async function readStandby(s: StandbyClusterSpec, ctx: RunContext, olds?: StandbyClusterSpec): Promise<StandbyActual> {
  const primaryKey = connectionKey(parseConnection(s.primary.connection));
  const [peer, hosts] = await Promise.all([reach(() => withSession(ctx, primaryKey, s.primary, readView)), probeHosts(s, ctx, olds)]);
  // The standby answers through any host whose observer runs (any OBServer answers for its cluster).
  const running = hosts.find((h) => h.pid !== null);
  let self: StandbyActual["self"] = null;
  if (running) {
    const ep = { host: running.address, port: s.observer.sqlPort };
    const withPassword = await reach(() => withSession(ctx, running.connKey, { ...ep, password: s.primary.password }, readView));
    if (withPassword.ok) self = withPassword;
    else {
      // Before BOOTSTRAP root@sys has no password (as obd and ob-operator find it).
      const bare = await reach(() => withSession(ctx, running.connKey, { ...ep, password: "" }, async (x) => rows(x, STANDBY_READ.version)));
      self = bare.ok ? { ok: true, bootstrapped: false } : withPassword;
    }
  }
  return { peer, self, hosts };
}
