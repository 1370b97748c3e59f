/**
 * The MP's DMDPC catalog as data: the rows DM keeps (instances, RAFT groups, BP groups, fault
 * domains, user tables and tablespaces) and what running members report. The MP process persists
 * it (dpc_catalog.json in its database directory) after every change.
 */
export type Value = string | number | null;

export interface InstanceRow {
  raftId: number;
  instId: number;
  name: string;
  dpcMode: string;
  xmalPort: number;
  instPort: number;
  ipInternal: string;
  sysMode: string;
  sysStatus: number;
  status: number;
  description: string | null;
  ipExternal: string | null;
  domainId: number | null;
  learner?: boolean;
  /** DEST_ID given to SP_ADD_RAFT_LEARNER: the RAFT self id the learner must present. */
  learnerId?: number;
}

export interface RaftRow {
  raftId: number;
  dpcMode: string;
  name: string;
  /** The configuration set by SP_ALTER_RAFT_NODE; absent: every member that is no learner (shadows included). */
  voters?: string[];
}

export interface BpGroupRow {
  id: number;
  name: string;
  description: string | null;
  rafts: number[];
}

export interface DomainRow {
  id: number;
  name: string;
  description: string | null;
}

/** What a running member last reported about its replication role (V$GLOBAL_RAFT_INFO). */
export interface RaftMemberInfo {
  selfId: number;
  role: string;
  term: number;
  leader: string | null;
  shadow: boolean;
}

export interface CatalogData {
  version: number;
  instances: InstanceRow[];
  rafts: RaftRow[];
  groups: BpGroupRow[];
  domains: DomainRow[];
  nextInstId: number;
  nextRaftId: number;
  nextGroupId: number;
  nextDomainId: number;
  raftInfo: Record<string, RaftMemberInfo>;
  /** User tables created through an SP and the BP RAFT groups holding their rows: what "a group
   * holding data" means to the scale-in procedures. Absent in catalogs written before it existed. */
  tables?: UserTable[];
  /** User tablespaces (DPC_TABLESPACE), each on one BP RAFT group (DM8 §8.3, §12.12). */
  tablespaces?: TablespaceRow[];
  nextTsId?: number;
}

export interface UserTable {
  name: string;
  raftIds: number[];
  tablespace?: string;
}

export interface TablespaceRow {
  id: number;
  name: string;
  raftId: number;
}

export function emptyCatalog(): CatalogData {
  return {
    version: 0, instances: [], rafts: [{ raftId: 0, dpcMode: "MP", name: "MP_RAFT" }], groups: [], domains: [],
    nextInstId: 4096, nextRaftId: 1, nextGroupId: 1, nextDomainId: 1, raftInfo: {}, tables: [],
  };
}
