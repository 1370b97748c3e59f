/**
 * disql [-L] [-S] [USER/PWD@HOST:PORT | /nolog] [-E "sql;..."] with the script on standard input.
 * Non-interactive: a failed login ends the run with status 1 instead of asking again.
 */
import { ERR, formatPlainError, formatStatementError } from "./errors";
import { hostAddr, takeInjectedFailure } from "./host";
import { defaultSettings, formatRows, OutputSettings } from "./client/format";
import { Login, parseLogin, splitScript, ScriptStatement } from "./client/script";
import { Session } from "./wire";
import type { Column } from "./server/tables";
import type { Value } from "./server/catalog-data";

class Stop extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

class Disql {
  private session?: Session;
  private settings: OutputSettings = defaultSettings();
  private onError: number | undefined;
  /** The whole script, read before the first login: a failure keyed on a statement (`fail disql --when`) looks at it. */
  script = "";

  constructor(private readonly silent: boolean) {}

  private print(s: string): void {
    process.stdout.write(s);
  }

  async connect(login: Login): Promise<void> {
    this.session?.close();
    this.session = undefined;
    const started = process.hrtime.bigint();
    if (takeInjectedFailure("disql", this.script)) {
      this.print(`${formatPlainError(ERR.connect().code, ERR.connect().message)}\n`);
      throw new Stop(1);
    }
    let s: Session;
    try {
      s = await Session.open(login.host, login.port, () => undefined, () => undefined, 3000);
    } catch {
      this.print(`${formatPlainError(ERR.connect().code, ERR.connect().message)}\n`);
      throw new Stop(1);
    }
    const r = await s.call({ op: "login", user: login.user, pwd: login.pwd });
    if (!r.ok) {
      s.close();
      const code = typeof r.code === "number" ? r.code : ERR.connect().code;
      this.print(`${formatPlainError(code, String(r.message ?? ERR.connect().message))}\n`);
      throw new Stop(1);
    }
    this.session = s;
    if (!this.silent) {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const state = r.status === "OPEN" ? "普通打开状态" : "普通配置状态";
      this.print(`服务器[${login.host}:${login.port}]:处于${state}\n登录使用时间 : ${ms.toFixed(3)}(ms)\ndisql V8\n`);
    }
  }

  async run(statements: ScriptStatement[]): Promise<number> {
    for (const st of statements) {
      if (!this.silent) this.print("SQL> ");
      const code = st.client ? await this.client(st.text) : await this.sql(st.text);
      if (code !== undefined) return code;
    }
    return 0;
  }

  /** Returns an exit status when the run must stop. */
  private async client(text: string): Promise<number | undefined> {
    const words = text.split(/\s+/);
    const head = words[0].toUpperCase();
    if (head === "EXIT" || head === "QUIT") {
      const n = words[1] !== undefined && /^\d+$/.test(words[1]) ? Number(words[1]) : 0;
      this.session?.close();
      return n;
    }
    if (head === "CONN" || head === "CONNECT") {
      const login = parseLogin(text.slice(words[0].length).trim(), hostAddr());
      if (!login) {
        this.print(`${formatPlainError(ERR.badConnectString("").code, ERR.badConnectString(text.slice(words[0].length).trim().replace(/\/.*@/, "/******@")).message)}\n`);
        return 1;
      }
      await this.connect(login);
      return undefined;
    }
    if (head === "PROMPT") {
      // disql prints the rest of the line as it is (scripts use it to mark their output).
      this.print(`${text.slice(words[0].length).replace(/^\s/, "").replace(/;\s*$/, "")}\n`);
      return undefined;
    }
    if (head === "DISCONNECT" || head === "DISCONN") {
      this.session?.close();
      this.session = undefined;
      return undefined;
    }
    if (head === "WHENEVER") {
      const m = /^WHENEVER\s+SQLERROR\s+(EXIT(?:\s+(\d+))?|CONTINUE)\s*$/i.exec(text);
      if (!m) return this.fail(ERR.syntax().code, ERR.syntax().message, 1);
      this.onError = m[1].toUpperCase().startsWith("EXIT") ? Number(m[2] ?? 1) : undefined;
      return undefined;
    }
    return this.set(text);
  }

  private set(text: string): number | undefined {
    const m = /^SET\s+(\w+)\s*(.*)$/i.exec(text);
    if (!m) return this.fail(ERR.syntax().code, ERR.syntax().message, 1);
    const opt = m[1].toUpperCase();
    const arg = m[2].trim();
    const onOff = () => {
      if (!/^(ON|OFF)$/i.test(arg)) throw new Error("bad");
      return arg.toUpperCase() === "ON";
    };
    try {
      switch (opt) {
        case "HEADING":
        case "HEA":
          this.settings.heading = onOff();
          break;
        case "FEEDBACK":
        case "FEED":
          this.settings.feedback = /^\d+$/.test(arg) ? Number(arg) > 0 : onOff();
          break;
        case "TIMING":
        case "TIMI":
          this.settings.timing = onOff();
          break;
        case "LINESHOW":
          this.settings.lineshow = onOff();
          break;
        case "PAGESIZE":
        case "PAGES":
          if (!/^\d+$/.test(arg)) throw new Error("bad");
          this.settings.pagesize = Number(arg);
          break;
        case "COLSEP": {
          const q = /^'((?:[^']|'')*)'$/.exec(arg) ?? /^"([^"]*)"$/.exec(arg);
          this.settings.colsep = q ? q[1].replace(/''/g, "'") : arg;
          break;
        }
        case "LINESIZE":
        case "ECHO":
        case "SERVEROUTPUT":
        case "NEWPAGE":
        case "TRIMSPOOL":
        case "AUTOCOMMIT":
        case "LONG":
        case "CHAR_CODE":
        case "DEFINE":
        case "VERIFY":
          break;
        default:
          return this.fail(ERR.unknownSet(opt).code, ERR.unknownSet(opt).message, 1);
      }
    } catch {
      return this.fail(ERR.syntax().code, ERR.syntax().message, 1);
    }
    return undefined;
  }

  private fail(code: number, message: string, line: number): number | undefined {
    this.print(`${formatStatementError(code, message, line)}\n`);
    return this.onError;
  }

  private async sql(text: string): Promise<number | undefined> {
    if (!this.session || this.session.isClosed) {
      this.print(`${formatPlainError(ERR.notConnected().code, ERR.notConnected().message)}\n`);
      return this.onError;
    }
    const started = process.hrtime.bigint();
    const r = await this.session.call({ op: "exec", sql: text }, 30000);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!r.ok) {
      if (r.error === "closed" || r.error === "timeout") {
        this.print(`${formatPlainError(-70065, "网络通信异常")}\n`);
        return this.onError ?? 1;
      }
      return this.fail(Number(r.code), String(r.message), Number(r.line ?? 1));
    }
    const s = this.settings;
    if (r.kind === "rows") {
      const rows = r.rows as Value[][];
      this.print(`\n${formatRows(r.columns as Column[], rows, s)}`);
      if (s.feedback && rows.length > 0) this.print(`\n${rows.length} rows got\n`);
    } else if (s.feedback) {
      this.print(r.kind === "ddl" || r.kind === "backup" ? "操作已执行\n" : "DMSQL 过程已成功完成\n");
    }
    if (s.timing) this.print(`\n已用时间: ${ms.toFixed(3)}(毫秒). 执行号:${String(r.execNo)}.\n`);
    return undefined;
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    if (process.stdin.isTTY) return resolve("");
    let data = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (d: string) => (data += d));
    process.stdin.on("end", () => resolve(data));
    process.stdin.on("error", () => resolve(data));
  });
}

async function main(argv: string[]): Promise<number> {
  let silent = false;
  let loginArg: string | undefined;
  let inline: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^-S$/i.test(a)) silent = true;
    else if (/^-L$/i.test(a)) continue; // one login attempt only: the simulator never re-prompts anyway
    else if (/^-E$/i.test(a)) inline = argv[++i] ?? "";
    else if (loginArg === undefined) loginArg = a;
    else {
      process.stdout.write(`${formatPlainError(-70003, `无效的参数[${a}]`)}\n`);
      return 1;
    }
  }
  const disql = new Disql(silent);
  try {
    const script = inline ?? (await readStdin());
    disql.script = script;
    if (loginArg && loginArg.toUpperCase() !== "/NOLOG") {
      const login = parseLogin(loginArg, hostAddr());
      if (!login) {
        process.stdout.write(`${formatPlainError(ERR.badConnectString("").code, ERR.badConnectString(loginArg.replace(/\/.*@/, "/******@")).message)}\n`);
        return 1;
      }
      await disql.connect(login);
    }
    return await disql.run(splitScript(script));
  } catch (err) {
    if (err instanceof Stop) return err.code;
    throw err;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.stdout.write("", () => process.exit(code));
});
