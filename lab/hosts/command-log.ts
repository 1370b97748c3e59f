import * as fs from "fs";

/** A command a host ran (appended when it ends). */
export interface CommandEntry {
  readonly time: string;
  readonly command: string;
  readonly exit: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
}

/** An SSH connection opening or closing, so tests can count connections. */
export interface ConnectionEvent {
  readonly time: string;
  readonly event: "connect" | "disconnect";
  readonly client: string;
}

/** A port forward (`direct-tcpip`) a client asked for: one per SQL session tunnelled through SSH. */
export interface ForwardEvent {
  readonly time: string;
  readonly event: "forward";
  readonly to: string;
  readonly refused?: boolean;
}

export type LogEntry = CommandEntry | ConnectionEvent | ForwardEvent;

// One write per line with O_APPEND: lines from concurrent sessions never interleave.
function appendLine(file: string, value: LogEntry): void {
  fs.appendFileSync(file, JSON.stringify(value) + "\n");
}

export function logCommand(file: string, entry: CommandEntry): void {
  appendLine(file, entry);
}

export function logConnection(file: string, event: "connect" | "disconnect", client: string): void {
  try {
    appendLine(file, { time: new Date().toISOString(), event, client });
  } catch {
    // The lab directory is being removed: a connection event is not worth failing a relay for.
  }
}

export function logForward(file: string, to: string, refused: boolean): void {
  try {
    appendLine(file, { time: new Date().toISOString(), event: "forward", to, ...(refused ? { refused } : {}) });
  } catch { /* the lab directory is being removed */ }
}

export function readCommandLog(file: string): LogEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as LogEntry);
}

export function isCommand(entry: LogEntry): entry is CommandEntry {
  return "command" in entry;
}
