/**
 * Hostile strings in the fields that reach a shell or SQL (configFile, the storage command's
 * words, drUser): each command the DR resource builds is run by a real bash with stand-in tools
 * that print their arguments NUL-separated, so a value that ended a word, started a command or
 * expanded would show. SQL values are single literals/identifiers with their quotes doubled.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathWord, readStateCommand, startCommand, storageCommand, writeConfigCommand } from "../../../provider/opengauss/commands";
import { ogIdent, ogLiteral } from "../../../provider/opengauss/quote";
import { validateDr } from "../../../provider/opengauss/validate";
import type { DrSpec } from "../../../provider/opengauss/schema";
import { hostileStrings } from "../../fixtures/hostile-strings";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "og-hostile-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// Stand-ins on PATH: each prints its argv one per line, NUL-separated, so quoting shows exactly.
const bin = path.join(dir, "bin");
fs.mkdirSync(bin);
for (const t of ["gs_ddr", "gsql", "cm_ctl", "gs_om", "gs_guc", "arraystep"]) fs.writeFileSync(path.join(bin, t), `#!/bin/bash\nprintf '%s\\0' ${t} "$@"\n`, { mode: 0o755 });
fs.writeFileSync(path.join(dir, "env"), "true\n");

const bash = (command: string, stdin = "") =>
  execFileSync("bash", ["-c", command], { input: stdin, env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, USER: "omm", PGHOST: dir }, encoding: "utf8" });

function spec(over: Partial<DrSpec>): DrSpec {
  const node = (h: string) => ({ connection: { host: h, user: "omm" }, ip: h, dataIp: h });
  const v = validateDr({
    clusters: [{ name: "a", port: 26000, nodes: [node("10.0.0.1")] }, { name: "b", port: 26000, nodes: [node("10.0.0.2")] }],
    primary: "a",
    type: "stream",
    drUser: "u",
    drPassword: "Password1",
    envFile: path.join(dir, "env"),
  });
  if (!v.ok) throw new Error(JSON.stringify(v.failures));
  return { ...v.spec, ...over };
}
const printable = hostileStrings.filter((s) => !/[\r\n]/.test(s) && s !== "");

test.each(printable.map((s) => [s]))("shell: %j stays one word in every command", (s) => {
  // A ~/ path: the word expands $HOME only, the rest literal.
  expect(bash(`printf '%s' ${pathWord(`~/${s}`)}`)).toBe(`${dir}/${s}`);
  const sp = spec({ configFile: `~/${s}`, storageReplication: { connection: { host: "h", user: "omm" } as any, command: ["arraystep", s] } });
  expect(bash(startCommand(sp, "primary")).split("\0")).toEqual(["gs_ddr", "-t", "start", "-m", "primary", "--disaster_type", "stream", "--json", `${dir}/${s}`, "--time-out=1200", ""]);
  expect(bash(storageCommand(sp, "start")).split("\0")).toEqual(["arraystep", s, "start", ""]);
  if (!s.includes("/") && Buffer.byteLength(s) < 200) {
    // The 0600 config file lands exactly at that name (a file name: no / and under NAME_MAX).
    bash(writeConfigCommand(sp), "{}");
    expect(fs.readFileSync(path.join(dir, s), "utf8")).toBe("{}");
    expect(fs.statSync(path.join(dir, s)).mode & 0o777).toBe(0o600);
    fs.rmSync(path.join(dir, s), { force: true, recursive: true });
  }
});

test.each(printable.map((s) => [s]))("SQL: %j is one literal and one identifier, quotes doubled", (s) => {
  expect(ogLiteral(s)).toBe(`'${s.replace(/'/g, "''")}'`);
  expect(ogIdent(s)).toBe(`"${s.replace(/"/g, '""')}"`);
  // The read's SQL reaches gsql as one -c argument, the DR user inside it as one literal.
  const out = bash(readStateCommand(spec({ drUser: s }), spec({}).clusters[0])).split("\0");
  const sql = out[out.lastIndexOf("-c") + 1];
  expect(sql).toContain(`rolname = ${ogLiteral(s)}`);
});
