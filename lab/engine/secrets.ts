/** Passphrase secrets, in the format of Pulumi's passphrase secrets provider so that a stack file
 *  written by the real CLI can be read here and the other way round: a key from PBKDF2-SHA256
 *  (1,000,000 rounds, 8-byte salt) and AES-256-GCM values written `v1:<nonce>:<ciphertext+tag>`.
 *  The salt is kept as `v1:<salt>:<the word "pulumi" encrypted>`, so a wrong passphrase is caught. */
import * as crypto from "crypto";
import * as fs from "fs";

const ROUNDS = 1_000_000;
const CHECK_WORD = "pulumi";

export class PassphraseMissingError extends Error {
  constructor() {
    super(
      "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables",
    );
  }
}

export function passphraseFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
  if (env.PULUMI_CONFIG_PASSPHRASE_FILE) return fs.readFileSync(env.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8").trimEnd();
  return undefined;
}

export class Crypter {
  private constructor(
    private readonly key: Buffer,
    readonly salt: string,
  ) {}

  /** Opens an existing salt (verifying the passphrase) or makes a new one. */
  static open(passphrase: string | undefined, salt?: string): Crypter {
    if (passphrase === undefined) throw new PassphraseMissingError();
    if (!salt) {
      const raw = crypto.randomBytes(8);
      const key = derive(passphrase, raw);
      const c = new Crypter(key, "");
      return new Crypter(key, `v1:${raw.toString("base64")}:${c.encrypt(CHECK_WORD)}`);
    }
    const m = /^v1:([^:]+):(v1:.*)$/.exec(salt);
    if (!m) throw new Error(`unrecognised encryption salt ${JSON.stringify(salt)}`);
    const key = derive(passphrase, Buffer.from(m[1], "base64"));
    const c = new Crypter(key, salt);
    let word: string | undefined;
    try {
      word = c.decrypt(m[2]);
    } catch {
      word = undefined;
    }
    if (word !== CHECK_WORD) throw new Error("incorrect passphrase");
    return c;
  }

  encrypt(plain: string): string {
    const nonce = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.key, nonce);
    const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `v1:${nonce.toString("base64")}:${ct.toString("base64")}`;
  }

  decrypt(text: string): string {
    const m = /^v1:([^:]+):(.+)$/.exec(text);
    if (!m) throw new Error("malformed encrypted value");
    const nonce = Buffer.from(m[1], "base64");
    const all = Buffer.from(m[2], "base64");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, nonce);
    decipher.setAuthTag(all.subarray(all.length - 16));
    return Buffer.concat([decipher.update(all.subarray(0, all.length - 16)), decipher.final()]).toString("utf8");
  }
}

// Deriving costs a quarter of a second; a run opens the same salt for config and state.
const keyCache = new Map<string, Buffer>();
function derive(passphrase: string, salt: Buffer): Buffer {
  const id = crypto.createHash("sha256").update(passphrase).update("\0").update(salt).digest("hex");
  let key = keyCache.get(id);
  if (!key) {
    key = crypto.pbkdf2Sync(passphrase, salt, ROUNDS, 32, "sha256");
    keyCache.set(id, key);
  }
  return key;
}

/** Opens the crypter on first use only, so that stacks without secrets need no passphrase. */
export class LazyCrypter {
  private crypter?: Crypter;
  constructor(
    private readonly passphrase: string | undefined,
    private salt: string | undefined,
    private readonly onNewSalt: (salt: string) => void = () => undefined,
  ) {}
  get(): Crypter {
    if (!this.crypter) {
      this.crypter = Crypter.open(this.passphrase, this.salt);
      if (!this.salt) {
        this.salt = this.crypter.salt;
        this.onNewSalt(this.salt);
      }
    }
    return this.crypter;
  }
  currentSalt(): string | undefined {
    return this.salt;
  }
}
