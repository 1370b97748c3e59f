import type { Logic } from "../../converge";
import { planFaultDomain, planFaultDomainDelete, type CatalogActual } from "../plan";
import { FAULT_DOMAIN_IMMUTABLE, type FaultDomainSpec } from "../schema";
import { connectionSecrets, connectionsOf, diffFields, validated } from "./common";
import { readCatalog } from "./read";

export const faultDomainLogic: Logic<FaultDomainSpec, CatalogActual> = {
  kind: "dm:FaultDomain",
  validate: (inputs, olds) => validated("FaultDomain", inputs, olds),
  name: (s) => s.name,
  secrets: (s) => [s.sysdbaPassword, ...connectionSecrets(s.mp)],
  connections: (s) => connectionsOf(s.mp),
  async read(s, ctx) {
    const cat = await readCatalog(ctx, s.mp, s.sysdbaPassword);
    if (!cat.catalog) throw new Error(`dm:FaultDomain ${s.name}: cannot read the MP catalog: ${cat.errors.join("; ")}`);
    return { catalog: cat.catalog, loginVia: cat.via };
  },
  plan: (s, a) => planFaultDomain(s, a),
  planDelete: (s, a) => planFaultDomainDelete(s, a),
  observe(s, a) {
    const d = a.catalog.faultDomains.find((x) => x.name.toUpperCase() === s.name.toUpperCase());
    return {
      domainId: d?.id ?? null,
      instances: d ? a.catalog.instances.filter((i) => i.faultDomainId === d.id).map((i) => i.name) : [],
    };
  },
  diff: (olds, news) => diffFields(olds, news, FAULT_DOMAIN_IMMUTABLE),
};
