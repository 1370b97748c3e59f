/**
 * Every default of the DM resources, in one place. Values follow the seed (DM8 manual ch. 7) or
 * dminit's own defaults, so that an input left out means what a DBA typing the seed's commands
 * would get.
 */
export const DEFAULTS = {
  /** dminit DB_NAME: the database directory under `path`. */
  dbName: "DAMENG",
  /** dminit PAGE_SIZE in KiB (4, 8, 16, 32); immutable after dminit. */
  pageSize: 8,
  /** dminit EXTENT_SIZE in pages (16, 32, 64); immutable after dminit. */
  extentSize: 16,
  /** dminit CHARSET: 0 GB18030, 1 UTF-8, 2 EUC-KR; immutable after dminit. */
  charset: 0,
  /** dminit CASE_SENSITIVE: 1 (yes); immutable after dminit. */
  caseSensitive: true,
  /** dminit PORT_NUM. */
  portNum: 5236,
  /** mp.ini `mp_port` of an MP (the seed's 7.1 and 7.2 use 9000). */
  mpPort: 9000,
  /** The SYSDBA account disql logs in with. */
  sysdbaUser: "SYSDBA",
  /** Removing a resource never removes database files unless asked. */
  deleteData: false,
  /** An existing database directory is an error unless adoption is asked for. */
  adopt: false,
  /** The MP RAFT group's catalog name (the seed: NULL or 'MP_RAFT'). */
  mpRaftName: "MP_RAFT",
  /** Registration descriptions when none is given, as in the seed. */
  description: { MP: "MP instance", SP: "SP instance", BP: "BP instance" } as const,
  /** dmarch.ini values of the seed (7.2.7.3, 7.3.6.4). */
  archive: {
    xmalHbInterval: 5,
    raftHbInterval: 150,
    /** RAFT_VOTE_INTERVAL of self id 1; each further id adds `voteIntervalStep` (1500, 2000, 2500...). */
    voteIntervalBase: 1500,
    voteIntervalStep: 500,
    /** ARCH_FILE_SIZE in MB. */
    fileSizeMb: 128,
    /** ARCH_SPACE_LIMIT in MB; 0 = unlimited. */
    spaceLimitMb: 0,
  },
  /** How long a dmserver may take to open its port before start is reported failed. */
  startTimeoutMs: 120_000,
  /** How long a dmserver may take to exit after SIGTERM / SIGUSR1. */
  stopTimeoutMs: 120_000,
  /** How long a multi-replica group may take to elect a leader after its MOUNT start. */
  electionTimeoutMs: 120_000,
  /**
   * How long the leader's V$GLOBAL_RAFT_INFO is watched for a restarted learner of a join cut
   * short to show as a voting member (it was voted in before it stopped) before it is added again.
   */
  rejoinWaitMs: 30_000,
  /**
   * How long one member's own RAFT read (one disql, `readMemberRaft`) may take before it counts
   * as not answered; the host's runs go at once, so this stays well inside a read's exec bound.
   */
  memberReadTimeoutMs: 30_000,
} as const;

/** Largest RAFT group DM accepts (dmdpc.md: odd size, at most 9). */
export const MAX_RAFT_MEMBERS = 9;
