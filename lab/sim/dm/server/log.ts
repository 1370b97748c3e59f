/**
 * dmserver's log: <db dir>/log/dm_<INSTANCE>_<yyyymm>.log in DM's line layout, mirrored on stdout
 * as the real server prints to its console.
 */
import * as fs from "fs";
import * as path from "path";

export class ServerLog {
  readonly file: string;

  constructor(dbDir: string, instance: string) {
    const now = new Date();
    const ym = `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, "0")}`;
    fs.mkdirSync(path.join(dbDir, "log"), { recursive: true });
    this.file = path.join(dbDir, "log", `dm_${instance}_${ym}.log`);
  }

  write(level: "INFO" | "WARNING" | "ERROR" | "FATAL", msg: string): void {
    const d = new Date();
    const p = (n: number, w = 2) => String(n).padStart(w, "0");
    const ts = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
    const line = `${ts} [${level}] database P${p(process.pid, 10)} T${p(process.pid, 19)}  ${msg}\n`;
    fs.appendFileSync(this.file, line);
    process.stdout.write(line);
  }

  info(msg: string): void {
    this.write("INFO", msg);
  }
  warn(msg: string): void {
    this.write("WARNING", msg);
  }
  error(msg: string): void {
    this.write("ERROR", msg);
  }
  fatal(msg: string): void {
    this.write("FATAL", msg);
  }
}
