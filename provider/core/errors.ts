import { HostKey, fingerprint, formatHostKey } from "./hostkey";
import { redact } from "./redact";

/**
 * Errors that say where, what, why and what to do next. Every message goes through the
 * redactor because errors end up in Pulumi's output and state ("initialization failed").
 */

/** The server's key differs from the one pinned in `hostKey` or recorded on first use. */
export class HostKeyMismatchError extends Error {
  override readonly name = "HostKeyMismatchError";
  constructor(
    readonly endpoint: string,
    readonly source: "pinned" | "recorded",
    readonly expected: HostKey,
    readonly seen: HostKey,
  ) {
    const what =
      source === "pinned"
        ? `does not match the connection's hostKey`
        : `changed since it was first recorded (trust on first use)`;
    const how =
      source === "pinned"
        ? `If the host was legitimately re-keyed, check the new fingerprint out of band ` +
          `(on the host: ssh-keygen -lf /etc/ssh/ssh_host_${seen.type.replace(/^ssh-/, "")}_key.pub) ` +
          `and set hostKey to the new key text`
        : `If the change is expected (host reinstalled or re-keyed), check the new fingerprint out of band ` +
          `and accept it by setting the connection's hostKey to the new key text`;
    super(
      `SSH host key of ${endpoint} ${what}: expected ${fingerprint(expected)} (${expected.type}), ` +
        `the server presented ${fingerprint(seen)} (${seen.type}). Refusing to connect: this is what a ` +
        `man-in-the-middle looks like. ${how}: "${formatHostKey(seen)}".`,
    );
  }
}

/** The host could not be reached or would not let us in. */
export class SshConnectError extends Error {
  override readonly name = "SshConnectError";
  constructor(
    readonly endpoint: string,
    readonly attempts: number,
    readonly lastError: unknown,
    readonly permanent: boolean,
  ) {
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    const hint = permanent
      ? "check the user and credentials (privateKey / password / agent) in the connection"
      : "check that the host is up, sshd listens on that port and no firewall is in the way; " +
        "raise dialErrorLimit / perDialTimeout for hosts that boot slowly";
    super(redact(`cannot connect to ${endpoint} after ${attempts} attempt(s): ${reason}; ${hint}`));
  }
}

const EXIT_MEANINGS: Record<number, string> = {
  1: "general failure reported by the command",
  2: "misuse: bad option or argument",
  124: "timed out (timeout(1))",
  126: "found but not executable (permissions?)",
  127: "command not found on the host's PATH",
  130: "interrupted (SIGINT)",
  137: "killed (SIGKILL, often the OOM killer)",
  143: "terminated (SIGTERM)",
  255: "the remote shell or ssh failed",
};

/** What an exit status usually means, for the error text. */
export function exitMeaning(code: number | null, signal: string | null, timedOut: boolean): string {
  if (timedOut) return "timed out; the command was signalled and its channel closed";
  if (code === null) return signal ? `killed by signal ${signal}` : "no exit status (connection lost?)";
  if (EXIT_MEANINGS[code]) return EXIT_MEANINGS[code];
  if (code > 128 && code < 160) return `killed by signal ${code - 128}`;
  return "command-specific failure";
}

/** The last `n` non-empty lines of a command's output. */
export function tailLines(text: string, n = 12): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return lines.slice(-n);
}

export interface RemoteCommandFailure {
  host: string;
  kind: string;
  describe: string;
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** What the user should do next; defaults to a generic re-run advice. */
  hint?: string;
}

/** A step of a plan failed on a host. */
export class RemoteCommandError extends Error {
  override readonly name = "RemoteCommandError";
  readonly host: string;
  readonly kind: string;
  readonly code: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly meaning: string;
  readonly stderrTail: string[];
  constructor(f: RemoteCommandFailure) {
    const meaning = exitMeaning(f.code, f.signal, f.timedOut);
    const status = f.timedOut ? "timed out" : f.code !== null ? `exit ${f.code}` : `signal ${f.signal ?? "?"}`;
    // Tools such as disql report errors on stdout; fall back to it when stderr is empty.
    const tail = tailLines(f.stderr).length ? tailLines(f.stderr) : tailLines(f.stdout);
    const hint =
      f.hint ??
      "fix the cause on the host, then run `pulumi up` again: finished steps are checked and skipped";
    const text =
      `${f.host}: ${f.kind} failed (${status}: ${meaning}) after ${f.durationMs}ms: ${f.describe}\n` +
      (tail.length ? `  last output:\n${tail.map((l) => `    | ${l}`).join("\n")}\n` : "") +
      `  next: ${hint}`;
    super(redact(text));
    this.host = f.host;
    this.kind = f.kind;
    this.code = f.code;
    this.signal = f.signal;
    this.timedOut = f.timedOut;
    this.meaning = meaning;
    this.stderrTail = tail.map((l) => redact(l));
  }
}

/**
 * A step that never started: the connection failed before its command ran (dial, or the
 * channel request of a connection that died). Names the step, as a failed command does.
 */
export class StepNotStartedError extends Error {
  override readonly name = "StepNotStartedError";
  constructor(
    readonly host: string,
    readonly kind: string,
    describe: string,
    override readonly cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      redact(
        `${host}: ${kind} was not started (${why}): ${describe}\n` +
          "  next: once the host answers over SSH again, run `pulumi up` again: finished steps are checked and skipped",
      ),
    );
  }
}
