/** What a host holds of an instance (directory, ini files, processes, leave mark), read in one round trip, and its parser. */
import { parseReadFiles, readFilesCommand } from "../../core/files";
import { sh } from "../../core/quote/sh";
import { files, type InstanceLayout } from "./layout";
import { pidsOf } from "./process";

export interface HostState {
  /** The base directory exists. */
  readonly pathExists: boolean;
  /** dm.ini, mp.ini, dmarch.ini contents; null when absent. */
  readonly dmIni: string | null;
  readonly mpIni: string | null;
  readonly dmarchIni: string | null;
  /** Pids of dmserver processes started with this dm.ini. */
  readonly pids: number[];
  /**
   * The database has been started before: DM's log directory holds a log of it, or the product's
   * start log exists. A restore may only go over a database for which this is false (and which
   * holds no RAFT configuration): one that never opened holds nothing but what dminit wrote.
   */
  readonly ranBefore: boolean;
  /**
   * The RAFT group this database left in a removal (`files.leftMark`, written before the
   * removal's SP_ALTER_RAFT_NODE); null when it never left one. Its dmarch.ini may still name the
   * old configuration, so it must not start as a member again.
   */
  readonly leftGroup: string | null;
}

/** The mark's text: the group the member left (one line). */
export function leftMarkText(group: string): string {
  return `left ${group}\n`;
}

function parseLeftMark(text: string | null | undefined): string | null {
  const m = text == null ? null : /^left (\S+)\s*$/m.exec(text);
  return m ? m[1] : null;
}

/**
 * One round trip: whether the directory exists, the three ini files and the running dmserver.
 * `marker` must be fresh and random per call (so file contents cannot forge it).
 */
export function hostStateCommand(l: InstanceLayout, marker: string): string {
  const paths = [files.dmIni(l), files.mpIni(l), files.dmarchIni(l), files.leftMark(l)];
  return (
    sh`printf '%s path %s\n' ${marker + "-state"} "$([ -d ${l.path} ] && echo 1 || echo 0)"; ` +
    sh`printf '%s ran %s\n' ${marker + "-state"} "$({ [ -e ${files.serverLog(l)} ] || ls ${files.dmLogDir(l)} 2>/dev/null | grep -q '^dm_.*[.]log$'; } && echo 1 || echo 0)"; ` +
    sh`printf '%s pids %s\n' ${marker + "-state"} "$(${sh.raw(pidsOf(files.dmIni(l)))} | tr '\n' ' ')"; ` +
    readFilesCommand(paths, marker)
  );
}

/**
 * Several instances' state on one host in one round trip: each part is `hostStateCommand` for
 * one layout (with its own marker), announced by a line holding `batchMarker` and its index, so
 * that one part's file contents can never run into the next part.
 */
export function hostStatesCommand(reads: readonly { layout: InstanceLayout; marker: string }[], batchMarker: string): string {
  return reads.map((r, i) => sh`printf '\n%s %s\n' ${batchMarker} ${String(i)}; ` + `{ ${hostStateCommand(r.layout, r.marker)}; }`).join("; ");
}

/** Parses `hostStatesCommand`'s output: one HostState per read, in order. */
export function parseHostStates(stdout: string, reads: readonly { layout: InstanceLayout; marker: string }[], batchMarker: string, host = "host"): HostState[] {
  const parts = new Map<number, string>();
  for (const chunk of stdout.split(`\n${batchMarker} `).slice(1)) {
    const nl = chunk.indexOf("\n");
    parts.set(Number(chunk.slice(0, nl)), chunk.slice(nl + 1));
  }
  return reads.map((r, i) => {
    const part = parts.get(i);
    if (part === undefined) throw new Error(`${host}: the state of ${files.dbDir(r.layout)} is missing from the batched read (output cut short?)`);
    return parseHostState(part, r.layout, r.marker, host);
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function parseHostState(stdout: string, l: InstanceLayout, marker: string, host = "host"): HostState {
  const field = (name: string): string => {
    const m = new RegExp(`^${escapeRe(marker)}-state ${name} (.*)$`, "m").exec(stdout);
    if (!m) throw new Error(`${host}: the host state read printed no ${name} line (output cut short?)`);
    return m[1].trim();
  };
  const paths = [files.dmIni(l), files.mpIni(l), files.dmarchIni(l), files.leftMark(l)];
  const content = parseReadFiles(stdout, paths, marker, host);
  return {
    pathExists: field("path") === "1",
    ranBefore: field("ran") === "1",
    pids: field("pids")
      .split(/\s+/)
      .filter((x) => x !== "")
      .map(Number),
    dmIni: content.get(paths[0]) ?? null,
    mpIni: content.get(paths[1]) ?? null,
    dmarchIni: content.get(paths[2]) ?? null,
    leftGroup: parseLeftMark(content.get(paths[3])),
  };
}
