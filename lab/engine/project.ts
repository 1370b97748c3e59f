/** The program directory as Pulumi sees it: Pulumi.yaml (project name, runtime, main) and
 *  Pulumi.<stack>.yaml (config with `secure:` values, encryptionsalt), as the local backend. */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { LazyCrypter } from "./secrets";

export interface Project {
  readonly name: string;
  readonly dir: string;
  /** The program entry relative to dir, "." when Pulumi.yaml names none (as the language host). */
  readonly main: string;
  readonly typescript: boolean;
}

export function loadProject(dir: string): Project {
  const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`no Pulumi.yaml project file found in ${dir}`);
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
  if (typeof doc.name !== "string" || !doc.name) throw new Error(`${file}: project name is missing`);
  const runtime = typeof doc.runtime === "string" ? { name: doc.runtime } : (doc.runtime ?? {});
  if (runtime.name !== "nodejs") throw new Error(`${file}: runtime ${runtime.name} is not supported (only nodejs)`);
  const main = typeof doc.main === "string" ? doc.main : ".";
  const tsOption = runtime.options?.typescript;
  // The language host turns ts-node on by default; loading it costs a second, so here it is on
  // only when asked or when the entry is TypeScript.
  const typescript =
    tsOption !== undefined ? tsOption !== false : main.endsWith(".ts") || fs.existsSync(path.join(dir, "index.ts"));
  return { name: doc.name, dir: path.resolve(dir), main, typescript };
}

export interface ConfigValue {
  readonly value: string;
  readonly secret: boolean;
}

/** Pulumi.<stack>.yaml: read, decrypt, set. The file keeps keys in `project:key` form. */
export class StackConfig {
  private doc: { config?: Record<string, unknown>; encryptionsalt?: string; [k: string]: unknown };
  readonly crypter: LazyCrypter;

  constructor(
    readonly project: Project,
    readonly stack: string,
    passphrase: string | undefined,
  ) {
    const file = this.file();
    this.doc = fs.existsSync(file) ? (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) : {};
    this.crypter = new LazyCrypter(passphrase, this.doc.encryptionsalt, (salt) => {
      this.doc.encryptionsalt = salt;
    });
  }

  file(): string {
    return path.join(this.project.dir, `Pulumi.${this.stack}.yaml`);
  }

  fullKey(key: string): string {
    return key.includes(":") ? key : `${this.project.name}:${key}`;
  }

  /** Every config value, decrypted; needs the passphrase only when a secure value exists. */
  values(): Map<string, ConfigValue> {
    const out = new Map<string, ConfigValue>();
    for (const [k, v] of Object.entries(this.doc.config ?? {})) {
      if (v && typeof v === "object" && "secure" in v && typeof (v as { secure: unknown }).secure === "string") {
        out.set(k, { value: this.crypter.get().decrypt((v as { secure: string }).secure), secret: true });
      } else {
        out.set(k, { value: typeof v === "string" ? v : JSON.stringify(v), secret: false });
      }
    }
    return out;
  }

  set(key: string, value: string, secret: boolean): void {
    const config = (this.doc.config ??= {});
    config[this.fullKey(key)] = secret ? { secure: this.crypter.get().encrypt(value) } : value;
    fs.writeFileSync(this.file(), YAML.stringify(this.doc));
  }

  /** The salt, once one exists (config secrets or state secrets created it). */
  salt(): string | undefined {
    return this.crypter.currentSalt();
  }

  /** Saves a salt created for the state so that config and state share one key, as Pulumi does. */
  persistSaltIfNew(): void {
    if (this.crypter.currentSalt() && !fs.existsSync(this.file())) {
      fs.writeFileSync(this.file(), YAML.stringify(this.doc));
    } else if (this.crypter.currentSalt()) {
      const onDisk = YAML.parse(fs.readFileSync(this.file(), "utf8")) ?? {};
      if (!onDisk.encryptionsalt) {
        onDisk.encryptionsalt = this.crypter.currentSalt();
        fs.writeFileSync(this.file(), YAML.stringify(onDisk));
      }
    }
  }
}

/** The environment the language host gives the program: PULUMI_CONFIG and its secret keys. */
export function configEnv(values: Map<string, ConfigValue>): Record<string, string> {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of values) {
    config[k] = v.value;
    if (v.secret) secretKeys.push(k);
  }
  return { PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys) };
}
