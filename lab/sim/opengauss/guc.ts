/**
 * GUC parameters of a DN. PostgreSQL's own parameters live in its postgresql.conf (the last
 * setting wins, as in PostgreSQL); parameters only openGauss has would stop PostgreSQL from
 * starting, so the lab keeps them in a file beside the DN. pg_hba.conf entries are the DN's real ones.
 */
import * as fs from "fs";
import * as path from "path";
import { OgCluster, OgNode, paths } from "./cluster";
import { dnRunning, sql } from "./dn";

/** openGauss parameters PostgreSQL does not know. */
const OG_ONLY = /^(ss_disaster_mode|cross_cluster_replconninfo\d+|ha_module_debug|most_available_sync|ss_double_cluster_mode|enable_dcf|ss_enable_dss)$/;

/** openGauss's defaults for its own parameters. */
const OG_DEFAULTS: Record<string, string> = { ss_disaster_mode: "single", ha_module_debug: "off", most_available_sync: "off", enable_dcf: "off" };

export function isOgOnly(name: string): boolean {
  return OG_ONLY.test(name);
}

function confFile(n: OgNode, name: string): string {
  return isOgOnly(name) ? paths.ogGuc(n) : path.join(n.dataDir, "postgresql.conf");
}

function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, "utf8").split("\n");
  } catch {
    return [];
  }
}

const lineOf = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*(.*?)\\s*(#.*)?$`);

function unquote(v: string): string {
  return /^'.*'$/.test(v) ? v.slice(1, -1).replace(/''/g, "'") : v;
}

/** The value set in the configuration file, or undefined. */
export function configured(n: OgNode, name: string): string | undefined {
  let value: string | undefined;
  for (const l of readLines(confFile(n, name))) {
    const m = lineOf(name).exec(l);
    if (m) value = unquote(m[1]);
  }
  return value;
}

/** The value in effect: the server's for PostgreSQL's parameters when it runs, else the file's or the default. */
export function effective(c: OgCluster, n: OgNode, name: string): string {
  if (!isOgOnly(name) && dnRunning(n)) {
    const r = sql(c, n.address, `show ${name}`);
    if (r.ok) return r.out;
  }
  return configured(n, name) ?? OG_DEFAULTS[name] ?? "NULL";
}

/** Writes `name = value` (replacing earlier lines); the value is kept as given (quotes included). */
export function setGuc(n: OgNode, name: string, value: string | undefined): void {
  const file = confFile(n, name);
  const lines = readLines(file).filter((l) => !lineOf(name).test(l));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (value !== undefined) lines.push(`${name} = ${value}`);
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

/** Adds (`host all all IP/32 trust`) or, without a method, removes a pg_hba.conf entry. */
export function setHba(n: OgNode, entry: string): void {
  const file = path.join(n.dataDir, "pg_hba.conf");
  const words = entry.trim().split(/\s+/);
  const key = words.slice(0, 4).join(" ");
  const lines = readLines(file).filter((l) => l.trim().split(/\s+/).slice(0, 4).join(" ") !== key && l !== "");
  if (words.length > 4) lines.push(words.join("   "));
  fs.writeFileSync(file, lines.join("\n") + "\n");
}

export function hbaHas(n: OgNode, address: string): boolean {
  return readLines(path.join(n.dataDir, "pg_hba.conf")).some((l) => l.split(/\s+/).includes(`${address}/32`));
}
