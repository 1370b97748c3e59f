/**
 * DM's reading of its ini files (dm.ini, dmarch.ini, mp.ini): `KEY = value  # comment`, keys
 * case-insensitive, `[SECTION]` headers, blank lines and `#` lines ignored. When a key repeats in
 * one section the last line wins, so `echo KEY = v >> dm.ini` overrides the generated value.
 */
import * as fs from "fs";

export interface IniSection {
  readonly name: string; // upper-cased; "" for the lines before the first header
  readonly values: Map<string, string>; // upper-cased keys
}

export interface IniFile {
  readonly sections: IniSection[];
}

export function parseIni(text: string): IniFile {
  const sections: IniSection[] = [{ name: "", values: new Map() }];
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw).trim();
    if (!line) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      sections.push({ name: header[1].trim().toUpperCase(), values: new Map() });
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue; // DM ignores lines it cannot read as KEY = value
    const key = line.slice(0, eq).trim().toUpperCase();
    const value = line.slice(eq + 1).trim();
    sections[sections.length - 1].values.set(key, value);
  }
  return { sections };
}

function stripComment(line: string): string {
  const i = line.indexOf("#");
  return i < 0 ? line : line.slice(0, i);
}

export function readIni(path: string): IniFile {
  return parseIni(fs.readFileSync(path, "utf8"));
}

export function globalValue(ini: IniFile, key: string): string | undefined {
  return ini.sections[0].values.get(key.toUpperCase());
}

/** All values of a key across the file; DM's dm.ini has no sections that matter to us. */
export function anyValue(ini: IniFile, key: string): string | undefined {
  let found: string | undefined;
  for (const s of ini.sections) {
    const v = s.values.get(key.toUpperCase());
    if (v !== undefined) found = v;
  }
  return found;
}

export function section(ini: IniFile, name: string): IniSection | undefined {
  return ini.sections.find((s) => s.name === name.toUpperCase());
}

export function intValue(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** One `KEY = value  #comment` line in dm.ini's layout (two leading tabs, aligned columns). */
export function iniLine(key: string, value: string | number, comment: string): string {
  return `\t\t${key.padEnd(32)}= ${String(value).padEnd(24)}#${comment}`;
}
