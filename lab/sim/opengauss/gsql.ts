/**
 * gsql with openGauss's flags over the real psql: `-d -p -U -W password -h -c -f -t -A -X -q -v
 * -F -r`. Without -h it uses the socket directory in PGHOST, as gsql does, so a local call needs
 * no password (trust for local connections, openGauss's default for the initial user).
 */
import { spawnSync } from "child_process";
import { here, runTool, ToolExit } from "./tool";
import { paths } from "./cluster";

const WITH_VALUE = new Set(["-d", "-p", "-U", "-W", "-h", "-c", "-f", "-v", "-F"]);
const LONG: Record<string, string> = { "--dbname": "-d", "--port": "-p", "--username": "-U", "--password": "-W", "--host": "-h", "--command": "-c", "--file": "-f", "--set": "-v", "--field-separator": "-F" };
const FLAGS = new Set(["-t", "-A", "-X", "-q", "-r", "-e", "-a"]);

function main(argv: string[]): number {
  const { cluster, node } = here("gsql");
  const out: string[] = [];
  let password: string | undefined;
  let host: string | undefined;
  let port: string | undefined;
  let db: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let value: string | undefined;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    if (eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (LONG[a]) a = LONG[a];
    if (WITH_VALUE.has(a)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new ToolExit(1, `gsql: option requires an argument -- '${a.slice(1)}'\nTry "gsql --help" for more information.\n`);
        value = argv[++i];
      }
      if (a === "-W") password = value;
      else if (a === "-h") host = value;
      else if (a === "-p") port = value;
      else if (a === "-d") db = value;
      else out.push(a, value);
    } else if (/^-[tAXqrea]+$/.test(a) && [...a.slice(1)].every((ch) => FLAGS.has(`-${ch}`))) {
      for (const ch of a.slice(1)) if (ch !== "r") out.push(`-${ch}`);
    } else if (/^-[dpUWhcfvF]./.test(a)) {
      argv.splice(i + 1, 0, a.slice(2));
      argv[i] = a.slice(0, 2);
      i--;
    } else if (!a.startsWith("-") && db === undefined) {
      db = a;
    } else {
      throw new ToolExit(1, `gsql: invalid option -- '${a.replace(/^-+/, "")}'\nTry "gsql --help" for more information.\n`);
    }
  }
  const args = ["-h", host ?? process.env.PGHOST ?? paths.pghost(node), "-p", port ?? process.env.PGPORT ?? String(cluster.port), "-d", db ?? "postgres", "-U", process.env.PGUSER ?? cluster.initialUser, ...out];
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: "gsql" };
  if (password !== undefined) env.PGPASSWORD = password;
  delete env.PGHOST;
  // A later -U (the caller's) wins over the default, as psql takes the last one.
  const r = spawnSync("psql", args, { stdio: "inherit", env });
  return r.status ?? 1;
}

runTool("gsql", main, () => {
  process.stderr.write("gsql: could not connect to server: Connection refused\n\tIs the server running on host and accepting\n\tTCP/IP connections on port?\n");
  return 2;
});
