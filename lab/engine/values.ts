/** Property values as they travel between the program, the engine and the plugin: plain JSON plus
 *  the two special encodings the engine agrees to (secrets and unknowns, see pulumi-engine.md). */

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };
export type PropertyMap = Record<string, Value>;

export interface SecretValue {
  [SIG_KEY]: typeof SECRET_SIG;
  value: Value;
}

export function isObject(v: unknown): v is Record<string, Value> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isSecret(v: unknown): v is SecretValue {
  return isObject(v) && v[SIG_KEY] === SECRET_SIG && "value" in v;
}

export function secret(v: Value): Value {
  return isSecret(v) ? v : { [SIG_KEY]: SECRET_SIG, value: v };
}

/** The plugin answers Configure with acceptSecrets=false, so every value sent to it is unwrapped. */
export function stripSecrets(v: Value): Value {
  if (isSecret(v)) return stripSecrets(v.value);
  if (Array.isArray(v)) return v.map(stripSecrets);
  if (isObject(v)) {
    const out: PropertyMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = stripSecrets(x);
    return out;
  }
  return v;
}

export function stripMap(m: PropertyMap): PropertyMap {
  return stripSecrets(m) as PropertyMap;
}

export function containsSecret(v: Value): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (isObject(v)) return Object.values(v).some(containsSecret);
  return false;
}

export function containsUnknown(v: Value): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isObject(v)) return Object.values(v).some(containsUnknown);
  return false;
}

/** Marks top-level keys secret the way the Go engine does after a call to a plugin that does not
 *  accept secrets: a key is secret when the same input key was secret (anywhere inside), or when the
 *  resource lists it in additionalSecretOutputs. */
export function remarkSecrets(outs: PropertyMap, inputs: PropertyMap, additional: readonly string[] = []): PropertyMap {
  const result: PropertyMap = {};
  for (const [k, v] of Object.entries(outs)) {
    const wasSecret = (k in inputs && containsSecret(inputs[k])) || additional.includes(k);
    result[k] = wasSecret ? secret(v) : v;
  }
  return result;
}

export function deepEqual(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Top-level keys whose (secret-stripped) values differ; what `~ update [..]` shows. */
export function changedKeys(olds: PropertyMap, news: PropertyMap, ignore: readonly string[] = []): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  const out: string[] = [];
  for (const k of keys) {
    if (ignore.includes(k)) continue;
    if (!deepEqual(stripSecrets(olds[k] ?? null), stripSecrets(news[k] ?? null)) || (k in olds) !== (k in news)) {
      out.push(k);
    }
  }
  return out.sort();
}

/** ignoreChanges: keep the old value of each listed path (top-level keys or dotted paths). */
export function applyIgnoreChanges(olds: PropertyMap, news: PropertyMap, paths: readonly string[]): PropertyMap {
  const result = structuredClone(news) as PropertyMap;
  for (const p of paths) {
    const parts = p.split(".");
    let src: Value | undefined = olds;
    let dst: Value = result;
    for (let i = 0; i < parts.length - 1; i++) {
      src = isObject(src) ? src[parts[i]] : undefined;
      if (!isObject(dst)) break;
      if (!isObject(dst[parts[i]])) dst[parts[i]] = {};
      dst = dst[parts[i]];
    }
    const last = parts[parts.length - 1];
    if (!isObject(dst)) continue;
    if (isObject(src) && last in src) dst[last] = src[last];
    else delete dst[last];
  }
  return result;
}

/** Maps every secret through `f` (used to encrypt and decrypt the state file). */
export function mapSecrets(v: Value, f: (s: Record<string, Value>) => Value): Value {
  if (isObject(v) && v[SIG_KEY] === SECRET_SIG) return f(v);
  if (Array.isArray(v)) return v.map((x) => mapSecrets(x, f));
  if (isObject(v)) {
    const out: PropertyMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapSecrets(x, f);
    return out;
  }
  return v;
}
