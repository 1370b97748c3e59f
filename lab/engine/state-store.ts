/** One JSON file per stack, BACKEND/<project>/<stack>.json, rewritten atomically after every step.
 *  Secret values are kept as `{sig, ciphertext}` (Pulumi's checkpoint form); plain text never. */
import * as fs from "fs";
import * as path from "path";
import { LazyCrypter } from "./secrets";
import { mapSecrets, PropertyMap, SECRET_SIG, SIG_KEY, Value } from "./values";

export interface ResourceState {
  urn: string;
  type: string;
  custom: boolean;
  id?: string;
  parent?: string;
  provider?: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
  dependencies: string[];
  propertyDependencies?: Record<string, string[]>;
  protect?: boolean;
  retainOnDelete?: boolean;
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs?: string[];
  /** Set when a create or update failed after the object existed (ErrorResourceInitFailed). */
  initErrors?: string[];
  /** An old copy replaced in this run, waiting to be deleted (Pulumi's `delete: true`). */
  delete?: boolean;
}

export interface StackState {
  version: 1;
  project: string;
  stack: string;
  secretsSalt?: string;
  resources: ResourceState[];
}

export function stateFile(backend: string, project: string, stack: string): string {
  return path.join(backend, project, `${stack}.json`);
}

export class StateStore {
  /**
   * Ciphertext already written for a resource's secret value (key: URN and the value's JSON).
   * The whole file is rewritten after every step, as Pulumi's local backend does; re-encrypting
   * every secret of every resource each time cost a 96-resource deploy seconds. Pulumi's own
   * serializer keeps such a cache too, so an unchanged secret keeps its ciphertext in the file.
   * Keyed per resource so that equal values of different resources still get their own nonce.
   */
  private readonly sealed = new Map<string, string>();

  constructor(
    readonly file: string,
    private readonly crypter: () => LazyCrypter,
  ) {}

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  /** Reads the raw file to learn its salt before a crypter is chosen. */
  static peekSalt(file: string): string | undefined {
    if (!fs.existsSync(file)) return undefined;
    return (JSON.parse(fs.readFileSync(file, "utf8")) as StackState).secretsSalt;
  }

  load(project: string, stack: string): StackState {
    if (!this.exists()) return { version: 1, project, stack, resources: [] };
    const raw = JSON.parse(fs.readFileSync(this.file, "utf8")) as StackState;
    raw.resources = raw.resources.map((r) => {
      const decrypt = (s: Record<string, Value>): Value => {
        const value = JSON.parse(this.crypter().get().decrypt(String(s.ciphertext))) as Value;
        this.sealed.set(sealKey(r.urn, value), String(s.ciphertext));
        return { [SIG_KEY]: SECRET_SIG, value };
      };
      return { ...r, inputs: mapSecrets(r.inputs, decrypt) as PropertyMap, outputs: mapSecrets(r.outputs, decrypt) as PropertyMap };
    });
    return raw;
  }

  /** The state with secrets left encrypted, for reading without the passphrase. */
  loadSealed(project: string, stack: string): StackState {
    if (!this.exists()) return { version: 1, project, stack, resources: [] };
    return JSON.parse(fs.readFileSync(this.file, "utf8")) as StackState;
  }

  save(state: StackState): void {
    const resources = state.resources.map((r) => {
      const encrypt = (s: Record<string, Value>): Value => {
        const key = sealKey(r.urn, s.value ?? null);
        let ciphertext = this.sealed.get(key);
        if (ciphertext === undefined) {
          ciphertext = this.crypter().get().encrypt(JSON.stringify(s.value ?? null));
          this.sealed.set(key, ciphertext);
        }
        return { [SIG_KEY]: SECRET_SIG, ciphertext };
      };
      return { ...r, inputs: mapSecrets(r.inputs, encrypt) as PropertyMap, outputs: mapSecrets(r.outputs, encrypt) as PropertyMap };
    });
    const out: StackState = { ...state, secretsSalt: this.crypter().currentSalt() ?? state.secretsSalt, resources };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(out, null, 2) + "\n");
    fs.renameSync(tmp, this.file);
  }
}

function sealKey(urn: string, value: Value): string {
  return `${urn}\0${JSON.stringify(value)}`;
}
