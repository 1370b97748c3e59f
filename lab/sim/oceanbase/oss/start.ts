import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isAlive } from "../../common/pidfile";
import { labFiles, readLabJson, writeJsonAtomic, type LabJson, type LabOss } from "../../../hosts/lab-json";

/**
 * Starts the lab's OSS stand-in once per lab (the first `lab oceanbase create`), on the lab's
 * own loopback block (`<block>.250`), with a generated access id and key: lab.json's `oss`
 * records its endpoint, the bucket and the 0600 file holding the credentials. Started with the
 * lab's LAB_DIR in its environment, so `lab down` stops it with the rest of the lab.
 */
export const OSS_BUCKET = "ob-backup";

const alive = (dir: string) => {
  try {
    return isAlive(Number(fs.readFileSync(path.join(dir, "oss", "oss.pid"), "utf8")));
  } catch {
    return false;
  }
};

/** A new key pair, as OSS's RAM console makes one; the old pair stops working at once. */
function writeCredentials(file: string): { accessId: string } {
  const creds = { accessId: `LTAI5lab${crypto.randomBytes(8).toString("hex")}`, accessKey: crypto.randomBytes(21).toString("base64url"), buckets: [OSS_BUCKET] };
  fs.writeFileSync(`${file}.new`, JSON.stringify(creds) + "\n", { mode: 0o600 });
  fs.renameSync(`${file}.new`, file);
  return { accessId: creds.accessId };
}

/**
 * `lab oceanbase oss-rotate --dir DIR`: the OSS stand-in's key pair replaced by a new one (a key
 * rotation that disables the old pair): requests signed with the old id get InvalidAccessKeyId.
 * lab.json's `oss.accessId` follows; the key is only in the credentials file.
 */
export function rotateOssKeys(labDir: string): { accessId: string } {
  const lab = readLabJson(labDir);
  if (!lab.oss) throw new Error(`${labDir} has no OSS stand-in: lab oceanbase create starts it`);
  const made = writeCredentials(lab.oss.credentialsFile);
  writeJsonAtomic(labFiles.labJson(labDir), { ...lab, oss: { ...lab.oss, accessId: made.accessId } });
  return made;
}

export async function ensureOss(labDir: string, lab: LabJson): Promise<LabOss> {
  if (lab.oss && alive(labDir)) return lab.oss;
  const dir = path.join(labDir, "oss");
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  const credentialsFile = path.join(dir, "credentials.json");
  if (!fs.existsSync(credentialsFile)) writeCredentials(credentialsFile);
  const address = lab.hosts[0].address.replace(/\.\d+$/, ".250");
  fs.rmSync(path.join(dir, "ready.json"), { force: true });
  const log = fs.openSync(path.join(dir, "oss.log"), "a");
  const child = spawn(process.execPath, [path.join(__dirname, "main.js"), "--dir", labDir, "--address", address], { detached: true, stdio: ["ignore", log, log], env: { ...process.env, LAB_DIR: labDir } });
  fs.closeSync(log);
  child.unref();
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const { port } = JSON.parse(fs.readFileSync(path.join(dir, "ready.json"), "utf8")) as { port: number };
      const creds = JSON.parse(fs.readFileSync(credentialsFile, "utf8")) as { accessId: string };
      return { endpoint: `${address}:${port}`, address, port, bucket: OSS_BUCKET, accessId: creds.accessId, credentialsFile, dataDir: path.join(dir, "data") };
    } catch {
      if (child.exitCode !== null) throw new Error(`the OSS stand-in exited (${child.exitCode}): see ${path.join(dir, "oss.log")}`);
      if (Date.now() > deadline) throw new Error(`the OSS stand-in did not listen within 15 s: see ${path.join(dir, "oss.log")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
