/**
 * A lab with two openGauss clusters made by `lab opengauss create` (og1 on host1,host2 and og2
 * on host3,host4), reached over real SSH, and what the tests read from them.
 */
import * as path from "node:path";
import { REPO, stackOn, type Stack } from "../examples/helpers";
import { runLabCli, startLab, type Lab } from "../helpers/lab";

export interface OgCluster {
  readonly name: string;
  readonly port: number;
  readonly initialUser: string;
  readonly nodes: { host: string; address: string; dataIp: string; dataDir: string; instanceId: number }[];
}

export interface OgLab {
  readonly lab: Lab;
  readonly clusters: OgCluster[];
  /** Runs a command on a host with the openGauss environment (`source ~/.bashrc`). */
  run(host: string, command: string, stdin?: string): Promise<{ stdout: string; stderr: string; code: number | null }>;
  stop(): Promise<void>;
}

export const PORT = 26000;

/** `layout`: each cluster's hosts; `extra`: more `lab opengauss create` flags per cluster (e.g. `--version`). */
export async function startOgLab(layout: string[][] = [["host1", "host2"], ["host3", "host4"]], extra: string[][] = []): Promise<OgLab> {
  const lab = await startLab({ hosts: layout.flat().length });
  const clusters: OgCluster[] = [];
  try {
    for (const [i, hosts] of layout.entries()) {
      const r = await runLabCli(["opengauss", "create", "--dir", lab.dir, "--name", `og${i + 1}`, "--hosts", hosts.join(","), "--port", String(PORT), ...(extra[i] ?? [])], 120_000);
      clusters.push(JSON.parse(r.stdout) as OgCluster);
    }
  } catch (e) {
    await lab.stop();
    throw e;
  }
  return {
    lab,
    clusters,
    run: (host, command, stdin) => lab.exec(host, `source ~/.bashrc; ${command}`, stdin, { timeoutMs: 170_000 }),
    stop: () => lab.stop(),
  };
}

/** `gs_ddr -t query`'s last line, as a dict. */
export function queryDict(stdout: string): Record<string, string> {
  const last = stdout.trim().split("\n").pop() ?? "";
  const out: Record<string, string> = {};
  for (const m of last.matchAll(/'(\w+)': '([^']*)'/g)) out[m[1]] = m[2];
  return out;
}

/** The DN roles `cm_ctl query -Cvidp` lists, by host. */
export function dnRoles(stdout: string): Record<string, string> {
  const row = stdout.trim().split("\n").pop() ?? "";
  const out: Record<string, string> = {};
  for (const part of row.split("|")) {
    const m = /^\s*\d+\s+(\S+)\s+\S+\s+\d+\s+\d+\s+\S+\s+[PSC]\s+(Primary|Main Standby|Standby|Cascade Standby|Down)\s/.exec(part + " ");
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The JSON `--json` takes, for one side of a pair. */
export function drJson(local: OgCluster, remote: OgCluster): string {
  const side = (c: OgCluster) => ({ port: c.port, shards: [c.nodes.map((n) => ({ ip: n.address, dataIp: n.dataIp }))] });
  return JSON.stringify({ localClusterConf: side(local), remoteClusterConf: side(remote) });
}

/** One SQL statement with gsql on a host (unaligned tuples). */
export function sqlOn(og: OgLab, host: string, statement: string) {
  return og.run(host, `gsql -d postgres -p ${PORT} -t -A -X -c ${JSON.stringify(statement)}`);
}

/** Table t's rows as `id:v`, in id order. */
export async function rowsOf(og: OgLab, host: string): Promise<string[]> {
  return (await sqlOn(og, host, "select id || ':' || v from t order by id")).stdout.trim().split("\n");
}

/** Polls a read until it answers `want` (standbys replay asynchronously), at most 20 s; returns the last answer. */
export async function eventually<T>(read: () => Promise<T>, want: T): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const got = await read();
    if (JSON.stringify(got) === JSON.stringify(want) || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The lab of startOgLab and a stack of one of the DR examples on it, with some stack config set. */
export async function startOgStack(
  example: "og-dr-stream" | "og-dr-dorado",
  config: Record<string, string> = {},
  lab: { layout?: string[][]; extra?: string[][] } = {},
): Promise<{ og: OgLab; stack: Stack }> {
  const og = await startOgLab(lab.layout, lab.extra);
  const stack = stackOn(og.lab, path.join(REPO, "examples", example));
  for (const [k, v] of Object.entries(config)) await stack.engine("config", "set", k, v);
  return { og, stack };
}
