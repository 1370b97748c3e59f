/** Runs the Pulumi program as the Node.js language host does: the program's own copy of
 *  `@pulumi/pulumi/cmd/run` with the host's flags, and config in PULUMI_CONFIG. */
import { spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import { Project } from "./project";

/** The @pulumi/pulumi the program itself resolves, so the runner and its SDK are one copy. */
export function pulumiPackageDir(programDir: string): string {
  return path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [programDir, __dirname] }));
}

export interface RunProgramOptions {
  project: Project;
  stack: string;
  monitorAddress: string;
  engineAddress: string;
  dryRun: boolean;
  parallel: number;
  env: Record<string, string>;
  onOutput: (line: string, stream: "stdout" | "stderr") => void;
}

/** Resolves with the program's exit status. */
export function runProgram(o: RunProgramOptions): Promise<number> {
  const args = [
    "-r", path.join(__dirname, "program-preload.js"),
    path.join(pulumiPackageDir(o.project.dir), "cmd", "run"),
    "--monitor", o.monitorAddress,
    "--engine", o.engineAddress,
    "--organization", "organization",
    "--project", o.project.name,
    "--root-directory", o.project.dir,
    "--stack", o.stack,
    "--pwd", o.project.dir,
    ...(o.dryRun ? ["--dry-run"] : []),
    "--parallel", String(o.parallel),
    o.project.main,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.env,
    PULUMI_NODEJS_TYPESCRIPT: String(o.project.typescript),
  };
  const child = spawn(process.execPath, args, { cwd: o.project.dir, env, stdio: ["ignore", "pipe", "pipe"] });
  readline.createInterface({ input: child.stdout! }).on("line", (l) => o.onOutput(l, "stdout"));
  readline.createInterface({ input: child.stderr! }).on("line", (l) => o.onOutput(l, "stderr"));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
