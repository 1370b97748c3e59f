/**
 * DM's ini files (dm.ini, mp.ini, dmarch.ini): `KEY = value  # comment`, keys case-insensitive,
 * `[SECTION]` headers. Parsing keeps every line so that dm.ini can be edited in place (only the
 * keys we own change; the rest, comments included, stays byte for byte).
 */

export type IniValue = string | number;

interface Line {
  readonly raw: string;
  /** Upper-cased section the line is in; "" before the first header. */
  readonly section: string;
  /** Upper-cased key of a `KEY = value` line. */
  readonly key?: string;
  readonly value?: string;
  /** The header's name, for a section line. */
  readonly header?: string;
}

function splitComment(text: string): { body: string; comment: string } {
  const at = text.indexOf("#");
  return at < 0 ? { body: text, comment: "" } : { body: text.slice(0, at), comment: text.slice(at) };
}

function parseLines(text: string): Line[] {
  let section = "";
  const out: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const { body } = splitComment(raw);
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(body);
    if (header) {
      section = header[1].toUpperCase();
      out.push({ raw, section, header: header[1] });
      continue;
    }
    const eq = body.indexOf("=");
    if (eq > 0 && body.slice(0, eq).trim() !== "") {
      out.push({ raw, section, key: body.slice(0, eq).trim().toUpperCase(), value: body.slice(eq + 1).trim() });
      continue;
    }
    out.push({ raw, section });
  }
  return out;
}

export interface IniData {
  /** Keys before the first section, upper-cased. */
  readonly global: Record<string, string>;
  /** Sections by upper-cased name, keys upper-cased, in file order. */
  readonly sections: Record<string, Record<string, string>>;
}

/** The values of an ini text; a later duplicate key wins, as DM reads it. */
export function parseIni(text: string): IniData {
  const global: Record<string, string> = {};
  const sections: Record<string, Record<string, string>> = {};
  for (const l of parseLines(text)) {
    if (l.header !== undefined) sections[l.section] ??= {};
    if (l.key === undefined) continue;
    const target = l.section === "" ? global : (sections[l.section] ??= {});
    target[l.key] = l.value ?? "";
  }
  return { global, sections };
}

function checkValue(key: string, value: IniValue): string {
  const v = String(value);
  if (/[\r\n#]/.test(v) || v.includes("\0")) throw new Error(`ini value of ${key} cannot hold a line break, NUL or #: ${JSON.stringify(v)}`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not an ini key: ${JSON.stringify(key)}`);
  return v;
}

/**
 * Sets global keys of an ini text in place: a present key keeps its line's layout and comment,
 * a missing key is appended, `null` removes the key. Everything else is kept as it was.
 */
export function editIni(text: string, changes: Record<string, IniValue | null>): string {
  const wanted = new Map<string, { key: string; value: string | null }>();
  for (const [k, v] of Object.entries(changes)) wanted.set(k.toUpperCase(), { key: k, value: v === null ? null : checkValue(k, v) });
  const lines = parseLines(text);
  const done = new Set<string>();
  const out: string[] = [];
  for (const l of lines) {
    const change = l.section === "" && l.key !== undefined ? wanted.get(l.key) : undefined;
    if (!change) {
      out.push(l.raw);
      continue;
    }
    if (change.value === null || done.has(l.key!)) continue; // removed, or a duplicate of a key already set
    done.add(l.key!);
    const { body, comment } = splitComment(l.raw);
    const eq = body.indexOf("=");
    const lead = body.slice(0, eq + 1);
    const gap = /^\s*/.exec(body.slice(eq + 1))![0] || " ";
    const trail = comment ? body.slice(body.trimEnd().length) || " " : "";
    out.push(`${lead}${gap}${change.value}${trail}${comment}`);
  }
  const missing = [...wanted.entries()].filter(([k, c]) => c.value !== null && !done.has(k));
  if (missing.length > 0) {
    const firstSection = out.findIndex((raw) => /^\s*\[[^\]]+\]\s*(#.*)?$/.test(raw));
    const insertAt = firstSection < 0 ? out.length : firstSection;
    // keep a trailing empty line (file ending in \n) at the end
    const at = firstSection < 0 && out.length > 0 && out[out.length - 1] === "" ? out.length - 1 : insertAt;
    out.splice(at, 0, ...missing.map(([, c]) => `${c.key} = ${c.value}`));
  }
  return out.join("\n");
}

/** The global keys whose values differ from `wanted` (compared as text, case-insensitive keys). */
export function iniDiff(current: IniData | null, wanted: Record<string, IniValue>): Record<string, IniValue> {
  const diff: Record<string, IniValue> = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (current?.global[k.toUpperCase()] !== String(v)) diff[k] = v;
  }
  return diff;
}

export interface IniSection {
  readonly name: string;
  readonly entries: ReadonlyArray<readonly [string, IniValue]>;
}

/** Renders `KEY = value` lines, then each `[SECTION]`, blank-line separated. */
export function renderIni(global: ReadonlyArray<readonly [string, IniValue]>, sections: readonly IniSection[] = []): string {
  const blocks: string[] = [];
  if (global.length > 0) blocks.push(global.map(([k, v]) => `${k} = ${checkValue(k, v)}`).join("\n"));
  for (const s of sections) {
    if (!/^[A-Za-z0-9_]+$/.test(s.name)) throw new Error(`not an ini section name: ${JSON.stringify(s.name)}`);
    blocks.push([`[${s.name}]`, ...s.entries.map(([k, v]) => `${k} = ${checkValue(k, v)}`)].join("\n"));
  }
  return blocks.join("\n\n") + "\n";
}

export interface MpNode {
  readonly host: string;
  readonly port: number;
}

/** mp.ini (seed 7.1.2 for one MP; 7.3.2 `[MP1]`, `[MP2]`... for an MP RAFT group). */
export function renderMpIni(nodes: readonly MpNode[]): string {
  if (nodes.length === 0) throw new Error("mp.ini names at least one MP");
  if (nodes.length === 1) return renderIni([["mp_host", nodes[0].host], ["mp_port", nodes[0].port]]);
  return renderIni(
    [],
    nodes.map((n, i) => ({ name: `MP${i + 1}`, entries: [["mp_host", n.host], ["mp_port", n.port]] as const })),
  );
}

/** The MPs an mp.ini names, in order; [] when it names none. */
export function parseMpIni(text: string): MpNode[] {
  const ini = parseIni(text);
  const node = (e: Record<string, string>) => (e.MP_HOST !== undefined && e.MP_PORT !== undefined ? [{ host: e.MP_HOST, port: Number(e.MP_PORT) }] : []);
  const fromSections = Object.entries(ini.sections)
    .filter(([name]) => /^MP\d+$/.test(name))
    .sort(([a], [b]) => Number(a.slice(2)) - Number(b.slice(2)))
    .flatMap(([, e]) => node(e));
  return [...node(ini.global), ...fromSections];
}

export interface LocalArchive {
  /** ARCH_DEST of [ARCHIVE_LOCAL1]: the instance's `<path>/<dbName>/arch`. */
  readonly dest: string;
  readonly fileSizeMb: number;
  readonly spaceLimitMb: number;
}

export interface RaftArchive {
  readonly selfId: number;
  readonly voteInterval: number;
  readonly xmalHbInterval: number;
  readonly raftHbInterval: number;
  /**
   * Every other member: instance name and RAFT self id, in self-id order. `learner`: another
   * replica added together with this one (`ARCH_TYPE = LEARNER`, MGT §8.2.2); `ip`/`port`: its
   * ARCH_DEST_IP / ARCH_DEST_PORT (the manual's BP learner example writes them).
   */
  readonly peers: ReadonlyArray<{ readonly name: string; readonly id: number; readonly learner?: boolean; readonly ip?: string; readonly port?: number }>;
  /** A replica joining a running group (the manual's learner procedure). */
  readonly learner?: boolean;
  /** XMAL_IP / XMAL_PORT: the member's own address (the manual's BP learner example). */
  readonly xmal?: { readonly ip: string; readonly port: number };
}

function localSection(local: LocalArchive): IniSection {
  return {
    name: "ARCHIVE_LOCAL1",
    entries: [
      ["ARCH_TYPE", "LOCAL"],
      ["ARCH_DEST", local.dest],
      ["ARCH_FILE_SIZE", local.fileSizeMb],
      ["ARCH_SPACE_LIMIT", local.spaceLimitMb],
    ],
  };
}

/**
 * dmarch.ini. Without `raft`: the LOCAL archive only, for the seeding member's first start (the
 * seed: "先只配本地归档，避免提前发起 RAFT 选举"). With `raft`: the full RAFT configuration of one
 * member, one [ARCHIVE_RAFTn] per peer, then the LOCAL archive (seed 7.2.7.3, 7.3.6.4).
 * A shadow replica's file has the same shape (seed 7.5: only its backup differs).
 */
export function renderDmarchIni(local: LocalArchive, raft?: RaftArchive): string {
  if (!raft) return renderIni([], [localSection(local)]);
  const global: Array<readonly [string, IniValue]> = [
    ["XMAL_HB_INTERVAL", raft.xmalHbInterval],
    ["RAFT_HB_INTERVAL", raft.raftHbInterval],
    ["RAFT_VOTE_INTERVAL", raft.voteInterval],
    ...(raft.xmal ? ([["XMAL_IP", raft.xmal.ip], ["XMAL_PORT", raft.xmal.port]] as const) : []),
    ["RAFT_SELF_ID", raft.selfId],
  ];
  if (raft.learner) global.push(["RAFT_LEARNER", 1]);
  const peers = raft.peers.map((p, i) => ({
    name: `ARCHIVE_RAFT${i + 1}`,
    entries: [
      ["ARCH_TYPE", p.learner ? "LEARNER" : "RAFT"],
      ["ARCH_DEST", p.name],
      ...(p.ip !== undefined && p.port !== undefined ? ([["ARCH_DEST_IP", p.ip], ["ARCH_DEST_PORT", p.port]] as const) : []),
      ["ARCH_DEST_ID", p.id],
    ] as ReadonlyArray<readonly [string, IniValue]>,
  }));
  return renderIni(global, [...peers, localSection(local)]);
}

/** What a dmarch.ini says about RAFT: self id, peers (name → id), learner flag. */
export function parseDmarchIni(text: string): { selfId: number | null; learner: boolean; peers: Map<string, number>; hasLocal: boolean } {
  const ini = parseIni(text);
  const peers = new Map<string, number>();
  let hasLocal = false;
  for (const e of Object.values(ini.sections)) {
    const type = e.ARCH_TYPE?.toUpperCase();
    if ((type === "RAFT" || type === "LEARNER") && e.ARCH_DEST) peers.set(e.ARCH_DEST.toUpperCase(), Number(e.ARCH_DEST_ID));
    if (type === "LOCAL") hasLocal = true;
  }
  const self = ini.global.RAFT_SELF_ID;
  return { selfId: self === undefined ? null : Number(self), learner: ini.global.RAFT_LEARNER === "1", peers, hasLocal };
}
