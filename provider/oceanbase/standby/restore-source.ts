/**
 * A 4.x tenant's log restore source as OceanBase keeps it (CDB_OB_LOG_RESTORE_SOURCE: TENANT_ID,
 * ID, TYPE, VALUE, RECOVERY_UNTIL_SCN; one row per tenant that has a source, none once it is
 * cleared), and whether it is the declared one. VALUE of a SERVICE source is OceanBase's own
 * rendering, `IP_LIST=ip:port;ip:port,USER=u@t,PASSWORD=…,TENANT_ID=…,CLUSTER_ID=…,
 * COMPATIBILITY_MODE=…,IS_ENCRYPTED=…` (the password in clear on the community edition): only
 * the part before PASSWORD is ever parsed, so the password is never held, stored or printed. A
 * LOCATION source's VALUE is the archive's destination (an OSS one carries its keys after `?`:
 * only the part before is kept).
 */

/** What a tenant follows, read back: its kind and address, never its password. */
export type SourceSeen =
  | { readonly kind: "service"; readonly access: readonly string[]; readonly user: string }
  | { readonly kind: "archive" | "rawpath"; readonly location: string };

/** What the inputs declare: the primary tenant's SQL access points and user, or its archive (undefined: it has none yet). */
export type SourceWanted = { readonly kind: "service"; readonly access: readonly string[]; readonly user: string } | { readonly kind: "archive"; readonly location: string | undefined };

// An object store keeps its keys after `?`; a file:// path may hold a `?` of its own.
const withoutQuery = (v: string) => (/^file:\/\//i.test(v) ? v : v.split("?")[0]);

/** One row of CDB_OB_LOG_RESTORE_SOURCE; undefined for a TYPE this product does not know. */
export function parseSource(type: string, value: string): SourceSeen | undefined {
  switch (type.toUpperCase()) {
    case "SERVICE": {
      const fields = new Map<string, string>();
      // IP_LIST and USER come first; whatever follows PASSWORD= is not read (the password may hold a comma).
      // A second guard: TENANT_READ.source already has the server cut VALUE before ',PASSWORD=',
      // so the password never leaves it; keep that cut, this one is not enough on its own.
      for (const part of value.split(/,PASSWORD=/i)[0].split(",")) {
        const i = part.indexOf("=");
        if (i > 0) fields.set(part.slice(0, i).trim().toUpperCase(), part.slice(i + 1).trim());
      }
      return { kind: "service", access: (fields.get("IP_LIST") ?? "").split(";").filter((a) => a !== ""), user: fields.get("USER") ?? "" };
    }
    case "LOCATION":
      return { kind: "archive", location: withoutQuery(value) };
    case "RAWPATH":
      return { kind: "rawpath", location: withoutQuery(value) };
    default:
      return undefined;
  }
}

/** How a source is shown (outputs, steps): never a password. */
export function showSource(x: SourceSeen): { kind: string; address: string; user?: string } {
  return x.kind === "service" ? { kind: "service", address: x.access.join(";"), user: x.user } : { kind: x.kind, address: x.location };
}

const describeSeen = (x: SourceSeen) => (x.kind === "service" ? `SERVICE=${x.access.join(";")} USER=${x.user}` : `${x.kind === "archive" ? "LOCATION" : "RAWPATH"}=${x.location}`);
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join(";") === [...b].sort().join(";");
const samePath = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/**
 * Why a tenant's source is not the declared one, or undefined when it is (or was not read:
 * `seen` undefined). `null` (no row) is a tenant that follows nothing.
 */
export function sourceDrift(seen: SourceSeen | null | undefined, want: SourceWanted): string | undefined {
  if (seen === undefined) return undefined;
  if (seen === null) return "it has no log restore source";
  const is = `it follows ${describeSeen(seen)}`;
  if (want.kind === "archive") {
    if (seen.kind !== "archive") return `${is}, and logRestoreFrom is archive`;
    return want.location === undefined || samePath(seen.location, want.location) ? undefined : `${is}, not the primary tenant's archive ${want.location}`;
  }
  if (seen.kind !== "service") return `${is}, and logRestoreFrom is service`;
  if (!sameSet(seen.access, want.access)) return `${is}, not the primary tenant's access points ${want.access.join(";")}`;
  return seen.user.toLowerCase() === want.user.toLowerCase() ? undefined : `${is}, not user ${want.user}`;
}
