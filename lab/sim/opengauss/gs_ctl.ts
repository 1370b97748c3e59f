/** gs_ctl: `query -D DIR` (HA state, senders, receiver from the real server), `start -D`, `stop -D`. */
import * as path from "path";
import { dnRunning, sql, startDn, stopDn } from "./dn";
import { dnStatus } from "./status";
import { here, runTool, ToolExit } from "./tool";

const row = (k: string, v: string) => `        ${k.padEnd(30)} : ${v}`;

function senders(cluster: Parameters<typeof sql>[0], address: string, dorado: boolean): string[] {
  const r = sql(cluster, address, "select pid, application_name, state, sent_lsn, flush_lsn, replay_lsn, sync_state, client_addr from pg_stat_replication order by pid");
  if (!r.ok || r.out === "") return ["No information "];
  return r.out.split("\n").flatMap((l) => {
    const [pid, app, state, sent, flush, replay, sync, client] = l.split("|");
    const remote = app.startsWith("dn_standby_");
    return [
      row("sender_pid", pid),
      row("local_role", "Primary"),
      row("peer_role", remote ? (dorado ? "StandbyCluster_Standby" : "Standby") : "Standby"),
      row("peer_state", state === "streaming" ? "Normal" : "Catchup"),
      row("state", state === "streaming" ? "Streaming" : state),
      row("sender_sent_location", sent),
      row("sender_flush_location", flush),
      row("sender_replay_location", replay),
      row("sync_state", sync === "async" ? "Async" : sync),
      row("channel", `${address}-->${client || "local"}`),
      "",
    ];
  });
}

function receiver(cluster: Parameters<typeof sql>[0], address: string): string[] {
  const r = sql(cluster, address, "select status, sender_host, sender_port, latest_end_lsn, flushed_lsn from pg_stat_wal_receiver");
  if (!r.ok || r.out === "") return ["No information "];
  const [status, host, port, end, flushed] = r.out.split("|");
  return [
    row("receiver_pid", "0"),
    row("local_role", "Standby"),
    row("peer_role", "Primary"),
    row("peer_state", status === "streaming" ? "Normal" : "Disconnected"),
    row("state", status === "streaming" ? "Normal" : status),
    row("sender_sent_location", end),
    row("receiver_received_location", flushed),
    row("channel", `${address}<--${host}:${port}`),
    "",
  ];
}

function main(argv: string[]): number {
  const { cluster } = here("gs_ctl");
  const [command] = argv;
  const di = argv.indexOf("-D");
  const dir = di >= 0 ? argv[di + 1] : process.env.PGDATA;
  if (!dir) throw new ToolExit(1, "gs_ctl: no database directory specified and environment variable PGDATA unset\n");
  const node = cluster.nodes.find((n) => path.resolve(n.dataDir) === path.resolve(dir));
  if (!node) throw new ToolExit(1, `[${new Date().toISOString()}][gs_ctl]: directory "${dir}" does not exist\n`);
  const stamp = `[${new Date().toISOString().replace("T", " ").slice(0, 23)}][${process.pid}][][gs_ctl]:`;
  switch (command) {
    case "query": {
      process.stdout.write(`${stamp} gs_ctl query ,datadir is ${dir} \n`);
      if (!dnRunning(node)) {
        process.stdout.write(`${stamp} PID file "${path.join(dir, "postmaster.pid")}" does not exist\n${stamp} Is server running?\n`);
        return 1;
      }
      const s = dnStatus(cluster, node);
      const dorado = false;
      const lines = [
        " HA state:           ",
        row("local_role", s.role === "Down" ? "Unknown" : s.role),
        row("static_connections", String(cluster.nodes.length - 1)),
        row("db_state", s.role === "Down" ? "Unknown" : "Normal"),
        row("detail_information", "Normal"),
        "",
        " Senders info:       ",
        ...senders(cluster, node.address, dorado),
        "",
        " Receiver info:      ",
        ...(s.role === "Primary" ? ["No information "] : receiver(cluster, node.address)),
      ];
      process.stdout.write(lines.join("\n") + "\n");
      return 0;
    }
    case "start": {
      const r = startDn(cluster, node);
      process.stdout.write(r.ok ? `${stamp} done\n${stamp} server started (${dir})\n` : `${stamp} start failed\n${r.err}\n`);
      return r.ok ? 0 : 1;
    }
    case "stop": {
      const r = stopDn(node);
      process.stdout.write(r.ok ? `${stamp} server stopped\n` : `${stamp} stop failed\n${r.err}\n`);
      return r.ok ? 0 : 1;
    }
    default:
      throw new ToolExit(1, `gs_ctl: unrecognized operation mode "${command ?? ""}"\nTry "gs_ctl --help" for more information.\n`);
  }
}

runTool("gs_ctl", main, () => {
  process.stdout.write("gs_ctl: server did not respond\n");
  return 1;
});
