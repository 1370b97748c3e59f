/**
 * The naive way to deploy a topology, for comparison: what a shell script following the seed
 * does — every command over a new SSH connection (`ssh host 'cmd'`), one after another.
 *
 * How the command list is made: the topology object the bench program deploys is validated and
 * expanded into the very resource graph `DpcCluster` registers (`clusterSteps`: the product's
 * `clusterGraph`, each node's inputs parsed by its resource's check), and each resource is
 * planned, in that graph's creation order, with the product's own planners against the state a blind
 * script assumes (nothing exists yet; after dminit a member holds a dm.ini with its ports and no
 * dmarch.ini; the catalog is empty). The BP groups and fault domains, whose planners need a read
 * catalog, are the same single disql runs those planners emit on a fresh catalog, built from the
 * same `SQL` builders and `sqlOp`. So both ways run the same dminit, ini edits, registration
 * SQL, first start / backup / copy / restore / UPDATE DB_MAGIC / dmarch.ini / MOUNT starts and
 * leader waits, with the same command text; only transport (a connection per command instead
 * of one pooled connection per host) and scheduling (strictly sequential instead of hosts and
 * independent resources in parallel) differ. What the naive script leaves out is what it cannot
 * do: read the actual state first.
 */
import * as fs from "node:fs";
import { copyRemoteDir } from "../provider/core/files";
import { runOperation } from "../provider/core/executor";
import { RunLog } from "../provider/core/log";
import type { Operation } from "../provider/core/operation";
import { SshPool, type SshTarget } from "../provider/core/ssh";
import type { HostState } from "../provider/dm/commands";
import { flatten, isCopyOperation, targetOf } from "../provider/dm/ops";
import { planInstance } from "../provider/dm/plan/instance";
import { planRaftGroup } from "../provider/dm/plan/raft-group";
import { sqlOp } from "../provider/dm/plan/common";
import type { MemberSpec } from "../provider/dm/schema";
import { SQL } from "../provider/dm/sql";
import { clusterSteps } from "../provider/dm/topology";
import type { LabJson } from "../lab/hosts/lab-json";
import { topology, type BenchHost, type Scenario } from "./topologies";

export const PASSWORD = "Lab_Dameng_123";

interface LabConnection {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  hostKey: string;
}

export function labHosts(lab: LabJson): BenchHost<LabConnection>[] {
  return lab.hosts.map((h) => ({
    ip: h.address,
    dataRoot: h.dataRoot,
    connection: { host: h.address, port: h.port, user: h.user, privateKey: fs.readFileSync(h.privateKeyPath, "utf8"), hostKey: h.hostKey },
  }));
}

/** A member right after its dminit, as a script assumes it: dm.ini with its ports, nothing else. */
function afterDminit(m: MemberSpec): HostState {
  return {
    pathExists: true,
    dmIni: `INSTANCE_NAME = ${m.name}\nPORT_NUM = ${m.portNum}\nAP_PORT_NUM = ${m.apPortNum}\nDPC_MODE = ${m.mode}\n`,
    mpIni: null,
    dmarchIni: null,
    pids: [],
    ranBefore: false,
    leftGroup: null,
  };
}

const NOTHING: HostState = { pathExists: false, dmIni: null, mpIni: null, dmarchIni: null, pids: [], ranBefore: false, leftGroup: null };

/** The naive script's commands, in order, with the SSH target of each. */
export function naiveCommands(scenario: Scenario, lab: LabJson): { ops: Operation[]; targets: Map<string, SshTarget> } {
  const t = topology(scenario, labHosts(lab));
  const steps = clusterSteps({ sysdbaPassword: PASSWORD, ...t });
  const ops: Operation[] = [];
  const targets = new Map<string, SshTarget>();
  for (const step of steps) {
    switch (step.kind) {
      case "Instance":
        targets.set(targetOf(step.spec.connection).connKey, { conn: step.spec.connection as SshTarget["conn"] });
        ops.push(...flatten(planInstance(step.spec, NOTHING, { creating: true })));
        break;
      case "RaftGroup": {
        const members = Object.fromEntries(step.spec.members.map((m) => [m.name, afterDminit(m)]));
        ops.push(...flatten(planRaftGroup(step.spec, { catalog: null, members }, { catalogMayBeEmpty: true, runId: "naive" })));
        break;
      }
      case "BpGroup": {
        const g = step.spec;
        ops.push(sqlOp(g.mp[0], g.sysdbaPassword, [SQL.createBpGroup(g.name, g.description), ...g.rafts.map((r) => SQL.bpGroupAddRaft(g.name, r))], "the BP group does not exist"));
        break;
      }
      case "FaultDomain": {
        const d = step.spec;
        ops.push(sqlOp(d.mp[0], d.sysdbaPassword, [SQL.createFaultDomain(d.name, d.description), ...d.instances.map((n) => SQL.faultDomainMoveInstance(d.name, n))], "the fault domain does not exist"));
        break;
      }
    }
  }
  return { ops, targets };
}

/**
 * Runs the commands one after another, each on its own new SSH connection (a copy between two
 * hosts: one connection to each end, as `ssh a tar c | ssh b tar x`); stops at the first failure.
 */
export async function runNaive(ops: readonly Operation[], targets: ReadonlyMap<string, SshTarget>, log: RunLog): Promise<void> {
  const target = (connKey: string) => {
    const t = targets.get(connKey);
    if (!t) throw new Error(`no target for ${connKey}`);
    return t;
  };
  for (const op of ops) {
    const pool = new SshPool({ idleMs: 0 });
    try {
      if (isCopyOperation(op)) {
        await copyRemoteDir({ target: target(op.copyFrom.connKey), dir: op.copyFrom.dir }, { target: target(op.connKey), dir: op.copyTo.dir }, pool, op.timeoutMs);
      } else {
        await runOperation(op, target(op.connKey), pool, log);
      }
    } finally {
      await pool.closeAll();
    }
  }
}
