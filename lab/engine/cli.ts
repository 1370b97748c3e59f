/** `npm run engine -- up|preview|refresh|destroy --cwd DIR --stack NAME [--backend DIR] [--parallel N] [--json] [--verbose]`,
 *  `config set [--secret] KEY VALUE --cwd DIR --stack NAME`, `stack output [--show-secrets] [--json]`. */
import { destroy, humanPrinter, jsonPrinter, preview, refresh, setConfig, stackOutputs, up } from "./index";
import type { RunOptions, RunResult } from "./operations";

const USAGE = `usage:
  engine up|preview|refresh|destroy --cwd DIR --stack NAME [--backend DIR] [--parallel N] [--json] [--verbose]
    --verbose (or --debug, as pulumi's flag is called) shows debug-level messages: each provider step
  engine config set [--secret] KEY VALUE --cwd DIR --stack NAME
  engine stack output [--show-secrets] [--json] --cwd DIR --stack NAME [--backend DIR]`;

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(["cwd", "stack", "backend", "parallel", "C", "s"]);

function parse(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--") || /^-[Cs]$/.test(a)) {
      const [name, inline] = a.replace(/^--?/, "").split(/=(.*)/s);
      if (VALUE_FLAGS.has(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new Error(`--${name} needs a value`);
        flags.set(name, v);
      } else {
        flags.set(name, true);
      }
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function str(a: Args, name: string, alias?: string): string | undefined {
  const v = a.flags.get(name) ?? (alias ? a.flags.get(alias) : undefined);
  return typeof v === "string" ? v : undefined;
}

function required(a: Args, name: string, alias?: string): string {
  const v = str(a, name, alias);
  if (!v) throw new Error(`--${name} is required\n${USAGE}`);
  return v;
}

const COMMANDS: Record<string, (o: RunOptions) => Promise<RunResult>> = { up, preview, refresh, destroy };

async function main(argv: string[]): Promise<number> {
  const a = parse(argv);
  const [cmd, sub, ...rest] = a.positional;
  const write = (line: string) => process.stdout.write(line);
  const common = { cwd: required(a, "cwd", "C"), stack: required(a, "stack", "s"), backend: str(a, "backend") };

  if (cmd in COMMANDS && cmd !== "config" && cmd !== "stack") {
    const parallel = str(a, "parallel");
    const p = parallel === undefined ? 10 : Number(parallel);
    if (!Number.isInteger(p) || p < 1) throw new Error(`--parallel must be a positive integer, got ${parallel}`);
    const emit = a.flags.has("json") ? jsonPrinter(write) : humanPrinter(write);
    const result = await COMMANDS[cmd]({ ...common, parallel: p, emit, debug: a.flags.has("verbose") || a.flags.has("debug") });
    return result.ok ? 0 : 1;
  }
  if (cmd === "config" && sub === "set") {
    const [key, value] = rest;
    if (key === undefined || value === undefined) throw new Error(`config set needs KEY and VALUE\n${USAGE}`);
    setConfig({ ...common, key, value, secret: a.flags.has("secret") });
    return 0;
  }
  if (cmd === "stack" && sub === "output") {
    const outputs = stackOutputs({ ...common, showSecrets: a.flags.has("show-secrets") });
    if (a.flags.has("json")) write(JSON.stringify(outputs, null, 2) + "\n");
    else for (const [k, v] of Object.entries(outputs)) write(`${k}\t${typeof v === "string" ? v : JSON.stringify(v)}\n`);
    return 0;
  }
  throw new Error(`unknown command ${[cmd, sub].filter(Boolean).join(" ") || "(none)"}\n${USAGE}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 2;
  },
);
