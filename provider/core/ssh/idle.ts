import type { PooledConnection } from "./pooled";

/**
 * Idle handling: a connection in use keeps the process alive (its socket is ref'd); an idle one
 * neither keeps the process alive nor lingers past `idleMs`. A jump host counts as in use while
 * a connection through it is (it is closed last).
 */
export class Idleness {
  constructor(
    private readonly idleMs: number,
    /** Takes an idle connection out of the pool and ends it. */
    private readonly retire: (pc: PooledConnection) => void,
  ) {}

  /** `delta` channels (or dials) start (+) or end (-) on `pc`, and so on its jump hosts. */
  busy(pc: PooledConnection, delta: number): void {
    for (let p: PooledConnection | undefined = pc; p; p = p.proxy) {
      p.busy += delta;
      if (p.busy > 0) {
        if (p.idleTimer) clearTimeout(p.idleTimer);
        p.idleTimer = undefined;
        p.sock?.ref();
      } else {
        this.schedule(p);
      }
    }
  }

  schedule(pc: PooledConnection): void {
    if (pc.closed || pc.busy > 0) return;
    pc.sock?.unref();
    if (pc.dependents > 0) return;
    if (pc.idleTimer) clearTimeout(pc.idleTimer);
    pc.idleTimer = setTimeout(() => {
      if (pc.busy !== 0 || pc.dependents !== 0) return;
      this.retire(pc);
    }, this.idleMs);
    pc.idleTimer.unref();
  }
}
