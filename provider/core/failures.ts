import { SECRET_FIELDS, isSecretField, redactFields } from "./redact";

/**
 * How `check` names a field and shows its value, for every family: `members[1].connection.host`
 * as the field, and the value with every secret field masked (a secret field itself shows as
 * `[secret]`), so that an error can print what the user passed without printing a secret.
 */

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out || "(inputs)";
}

/** The value at `path` in `root`, secrets masked; `secretFields` adds a family's own secret names. */
export function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>, secretFields?: readonly string[]): unknown {
  const fields = secretFields ? [...SECRET_FIELDS, ...secretFields] : SECRET_FIELDS;
  let cur: unknown = root;
  for (const seg of path) {
    if (isSecretField(String(seg), fields)) return "[secret]";
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return redactFields(cur, fields);
}
