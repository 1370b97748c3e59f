import type { Logic } from "../../converge";
import { planBpGroup, planBpGroupDelete, type CatalogActual } from "../plan";
import { BP_GROUP_IMMUTABLE, type BpGroupSpec } from "../schema";
import { connectionSecrets, connectionsOf, diffFields, validated } from "./common";
import { readCatalog } from "./read";

export const bpGroupLogic: Logic<BpGroupSpec, CatalogActual> = {
  kind: "dm:BpGroup",
  validate: (inputs, olds) => validated("BpGroup", inputs, olds),
  name: (s) => s.name,
  secrets: (s) => [s.sysdbaPassword, ...connectionSecrets(s.mp)],
  connections: (s) => connectionsOf(s.mp),
  async read(s, ctx) {
    const cat = await readCatalog(ctx, s.mp, s.sysdbaPassword);
    if (!cat.catalog) throw new Error(`dm:BpGroup ${s.name}: cannot read the MP catalog: ${cat.errors.join("; ")}`);
    return { catalog: cat.catalog, loginVia: cat.via };
  },
  plan: (s, a) => planBpGroup(s, a),
  planDelete: (s, a) => planBpGroupDelete(s, a),
  observe(s, a) {
    const g = a.catalog.bpGroups.find((x) => x.name.toUpperCase() === s.name.toUpperCase());
    return {
      groupId: g?.id ?? null,
      rafts: g ? g.raftIds.map((id) => a.catalog.rafts.find((r) => r.id === id)?.name ?? `#${id}`) : [],
    };
  },
  diff: (olds, news) => diffFields(olds, news, BP_GROUP_IMMUTABLE),
};
