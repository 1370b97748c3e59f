/** What a run tells the user, as events; printed as the CLI's lines or as JSON lines. */
import { isObject, isSecret, SECRET_SIG, SIG_KEY, UNKNOWN, Value } from "./values";

export type StepOp = "create" | "update" | "delete" | "replace" | "same" | "read";

export interface StepEvent {
  op: StepOp;
  urn: string;
  type: string;
  name: string;
  /** Changed top-level fields (update, replace, refresh drift). */
  keys?: string[];
  preview: boolean;
  /** Extra words: "retained", "gone", "delete-before-replace", ... */
  detail?: string;
}

export interface LogEvent {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn?: string;
  /**
   * "program": an Engine.Log call (the program's `pulumi.log`, or a provider plugin logging through
   * the engine address it was given: the engine cannot tell them apart); "plugin": a line of the
   * provider process' stdout/stderr (always shown, unlevelled, as the Go engine's info#err); "engine".
   */
  source: "program" | "plugin" | "engine";
}

export interface Summary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  same: number;
}

export type EngineEvent =
  | { step: StepEvent }
  | { log: LogEvent }
  | { diag: { severity: "error" | "warning"; message: string; urn?: string } }
  | { outputs: Record<string, Value> }
  | { summary: Summary };

export type EventSink = (e: EngineEvent) => void;

/** Replaces secrets with "[secret]" unless asked to show them, and unknowns with "[unknown]". */
export function displayValue(v: Value, showSecrets: boolean): Value {
  if (v === UNKNOWN) return "[unknown]";
  if (isSecret(v) && showSecrets) return displayValue(v.value, showSecrets);
  // Sealed secrets (read without the passphrase) carry a ciphertext instead of a value.
  if (isObject(v) && v[SIG_KEY] === SECRET_SIG) return "[secret]";
  if (Array.isArray(v)) return v.map((x) => displayValue(x, showSecrets));
  if (isObject(v)) {
    const out: Record<string, Value> = {};
    for (const [k, x] of Object.entries(v)) out[k] = displayValue(x, showSecrets);
    return out;
  }
  return v;
}

const SYMBOL: Record<StepOp, string> = {
  create: "+ create",
  update: "~ update",
  delete: "- delete",
  replace: "+- replace",
  same: "  same",
  read: "  read",
};

export function jsonPrinter(write: (line: string) => void): EventSink {
  return (e) => write(JSON.stringify(e) + "\n");
}

export function humanPrinter(write: (line: string) => void): EventSink {
  return (e) => {
    if ("step" in e) {
      const s = e.step;
      if (s.op === "same" || s.op === "read") return;
      const keys = s.keys && s.keys.length ? ` [${s.keys.join(", ")}]` : "";
      const detail = s.detail ? ` (${s.detail})` : "";
      write(`${SYMBOL[s.op]} ${s.type} ${s.name}${keys}${detail}\n`);
    } else if ("log" in e) {
      const l = e.log;
      const where = l.urn ? `${l.urn}: ` : "";
      const prefix = l.source === "plugin" ? "provider: " : l.severity === "info" ? "" : `${l.severity}: `;
      for (const line of l.message.replace(/\n$/, "").split("\n")) write(`${prefix}${where}${line}\n`);
    } else if ("diag" in e) {
      const where = e.diag.urn ? `${e.diag.urn}: ` : "";
      write(`${e.diag.severity}: ${where}${e.diag.message}\n`);
    } else if ("outputs" in e) {
      const entries = Object.entries(e.outputs);
      if (!entries.length) return;
      write("Outputs:\n");
      for (const [k, v] of entries) write(`    ${k}: ${JSON.stringify(v)}\n`);
    } else if ("summary" in e) {
      const s = e.summary;
      const parts = [
        s.create && `${s.create} created`,
        s.update && `${s.update} updated`,
        s.replace && `${s.replace} replaced`,
        s.delete && `${s.delete} deleted`,
        s.same && `${s.same} unchanged`,
      ].filter(Boolean);
      write(`Resources: ${parts.length ? parts.join(", ") : "no changes"}\n`);
    }
  };
}
