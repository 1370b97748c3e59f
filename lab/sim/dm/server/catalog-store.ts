/** Where an MP keeps its catalog: dpc_catalog.json in its database directory, replaced atomically. */
import * as fs from "fs";
import * as path from "path";
import { CATALOG_FILE } from "../dbfiles";
import { CatalogData, emptyCatalog } from "./catalog-data";

export function loadCatalog(dbDir: string): CatalogData {
  try {
    return JSON.parse(fs.readFileSync(path.join(dbDir, CATALOG_FILE), "utf8")) as CatalogData;
  } catch {
    return emptyCatalog();
  }
}

export function persistCatalog(dbDir: string, data: CatalogData): void {
  const file = path.join(dbDir, CATALOG_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 1));
  fs.renameSync(`${file}.tmp`, file);
}
