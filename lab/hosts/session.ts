import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { ServerChannel } from "ssh2";
import { logCommand } from "./command-log";
import { commandArgv } from "./mounts";

/** The terminal a client asked for with a `pty` request. */
export interface PtyInfo {
  readonly rows: number;
  readonly cols: number;
  readonly term: string;
}

export interface SessionContext {
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly commandLog: string;
  /** The login shell: a command runs as `<shell> -c <command>`. */
  readonly shell: string;
  /** Processes still running for this host, so that a `down` fault can reach them at once. */
  readonly children: Set<ChildProcess>;
}

/**
 * Runs one `exec` (a command) or `shell` (command undefined) on a channel, the way sshd does:
 * `<login shell> -c <command>` with stdio and exit status passed through. With a pty the program runs
 * under util-linux `script`, which gives it a real terminal (Node has no pty of its own).
 * Only commands are logged, when they end; interactive shells are not commands.
 */
export function runSession(channel: ServerChannel, ctx: SessionContext, command: string | undefined, pty: PtyInfo | undefined): ChildProcess {
  const started = Date.now();
  const time = new Date(started).toISOString();
  const env = pty ? { ...ctx.env, TERM: pty.term || "xterm" } : ctx.env;
  const program = command ?? `exec ${ctx.shell} -i`;
  const child = pty
    ? spawn("script", ["-qfec", `stty rows ${pty.rows || 24} cols ${pty.cols || 80} 2>/dev/null; ${program}`, "/dev/null"], { cwd: ctx.cwd, env, detached: true })
    : command === undefined
      ? spawn(ctx.shell, [], { cwd: ctx.cwd, env, detached: true })
      : spawn(...commandArgv(ctx.env.LAB_HOST_DIR, ctx.shell, command), { cwd: ctx.cwd, env, detached: true });
  ctx.children.add(child);

  child.stdin!.on("error", () => { /* the program exited without reading its input */ });
  channel.pipe(child.stdin!);
  child.stdout!.pipe(channel, { end: false });
  child.stderr!.pipe(pty ? channel : channel.stderr, { end: false });

  let done = false;
  const finish = (code: number | null, signal: NodeJS.Signals | null) => {
    if (done) return;
    done = true;
    ctx.children.delete(child);
    if (command !== undefined) {
      logCommand(ctx.commandLog, { time, command, exit: code, signal, durationMs: Date.now() - started });
    }
    try {
      if (signal) channel.exit(signal.replace(/^SIG/, ""), false, "");
      else channel.exit(code ?? 255);
      channel.end();
    } catch { /* client already gone */ }
  };
  child.on("error", (err) => {
    channel.stderr.write(`bash: ${err.message}\n`);
    finish(127, null);
  });
  child.on("close", finish);
  // A client that vanishes mid-command hangs up its session, as a terminal would.
  channel.on("close", () => {
    if (!done && child.pid) {
      try {
        process.kill(-child.pid, "SIGHUP");
      } catch { /* already gone */ }
    }
  });
  return child;
}

/** Applies a `window-change` to a running pty session: resizing the terminal with stty
 *  also sends SIGWINCH to its foreground programs. */
export function resizePty(child: ChildProcess, rows: number, cols: number): void {
  if (!child.pid) return;
  const tty = ttyOfChildOf(child.pid);
  if (!tty) return;
  spawn("stty", ["-F", tty, "rows", String(rows), "cols", String(cols)], { stdio: "ignore" }).on("error", () => {});
}

function ttyOfChildOf(pid: number): string | undefined {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== pid) continue;
      const tty = fs.readlinkSync(`/proc/${entry}/fd/0`);
      if (tty.startsWith("/dev/pts/")) return tty;
    } catch { /* raced with exit */ }
  }
  return undefined;
}
