/** How a running dmserver is told to stop: signals, and `exit` / `exit all` typed on its console. */

export function installExits(exit: (kind: "exit" | "exit all") => void): void {
  process.on("SIGTERM", () => exit("exit"));
  process.on("SIGINT", () => exit("exit"));
  process.on("SIGUSR1", () => exit("exit all"));
  // The foreground console: `exit` / `exit all` typed on dmserver's standard input.
  let buf = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const cmd = buf.slice(0, nl).trim().toLowerCase().replace(/;$/, "");
      buf = buf.slice(nl + 1);
      if (cmd === "exit") exit("exit");
      else if (cmd === "exit all") exit("exit all");
    }
  });
  process.stdin.on("error", () => undefined);
}
