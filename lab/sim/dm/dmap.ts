/**
 * DMAP, DM's auxiliary backup process ("DMAP 辅助进程", 备份还原简介 §1.5): `dmap` runs in the
 * foreground until stopped (callers background it, as the manual's Linux path runs the binary from
 * bin); `dmap status` says whether one runs on this host. With BAK_USE_AP = 1 (dm.ini, the default)
 * dmserver's online backup needs it, as dmrman does with USE_AP = 1 (its default); without it both
 * fail with -8109 (FAQ 备份还原 "[-8109]: 创建 DMAP 管道失败").
 */
import { dmapRunning, removeDmapPidFile, writeDmapPidFile } from "./host";

function run(argv: string[]): number {
  if (argv[0] === "status") {
    const pid = dmapRunning();
    process.stdout.write(pid === undefined ? "DMAP is stopped\n" : `DMAP (pid ${pid}) is running\n`);
    return pid === undefined ? 3 : 0;
  }
  for (const a of argv) if (!/^dmap_ini=/i.test(a)) {
    process.stdout.write(`无效的参数[${a}]\n`);
    return 1;
  }
  const other = dmapRunning();
  if (other !== undefined) {
    // One DMAP per host: the manual's FAQ "DMAP 启动报管道已存在连接失败" (-7157).
    process.stdout.write("[-7157] Name pipe exits\n");
    return 1;
  }
  writeDmapPidFile();
  process.stdout.write("DMAP V8 is ready.\n");
  const stop = () => {
    removeDmapPidFile();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  setInterval(() => undefined, 1 << 30);
  return 0;
}

const code = run(process.argv.slice(2));
if (code !== 0) process.exit(code);
