/** Where an instance's files are on its host, and which DM tool to run. */

/** Where an instance lives on its host. */
export interface InstanceLayout {
  readonly path: string;
  readonly dbName: string;
  readonly dmHome?: string;
}

export const files = {
  dbDir: (l: InstanceLayout) => `${l.path}/${l.dbName}`,
  dmIni: (l: InstanceLayout) => `${l.path}/${l.dbName}/dm.ini`,
  mpIni: (l: InstanceLayout) => `${l.path}/${l.dbName}/mp.ini`,
  dmarchIni: (l: InstanceLayout) => `${l.path}/${l.dbName}/dmarch.ini`,
  /** Written on a member before a removal takes it out of its group's configuration (`leftMarkText`). */
  leftMark: (l: InstanceLayout) => `${l.path}/${l.dbName}/dbcluster-left`,
  archDir: (l: InstanceLayout) => `${l.path}/${l.dbName}/arch`,
  /** dmserver's console output, kept by the product (dmserver logs elsewhere too). */
  serverLog: (l: InstanceLayout) => `${l.path}/${l.dbName}/dbcluster-dmserver.log`,
  /** DM's own log directory of the database (`dm_<INSTANCE>_<yyyymm>.log`). */
  dmLogDir: (l: InstanceLayout) => `${l.path}/${l.dbName}/log`,
  /** A backup set beside the database; `name` is unique per group and run (see plan/replica.ts). */
  backupSet: (l: InstanceLayout, name: string) => `${l.path}/${name}`,
} as const;

export function tool(l: { dmHome?: string }, name: "dminit" | "dmserver" | "disql" | "dmrman"): string {
  return l.dmHome ? `${l.dmHome}/bin/${name}` : name;
}
