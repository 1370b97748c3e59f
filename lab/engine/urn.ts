/** URNs as the Go engine builds them (step_generator.go generateURN). */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export function qualifiedType(urn: string): string {
  return urn.split("::")[2] ?? "";
}

export function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** The parent's qualified type prefixes the child's, except for the root stack's. */
export function makeUrn(stack: string, project: string, parent: string, type: string, name: string): string {
  const parentType = parent && qualifiedType(parent) !== ROOT_STACK_TYPE ? `${qualifiedType(parent)}$` : "";
  return `urn:pulumi:${stack}::${project}::${parentType}${type}::${name}`;
}

export function isProviderType(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

export function isDynamicType(type: string): boolean {
  return /^pulumi-nodejs:dynamic(\/[^:]+)?:[^:]+$/.test(type);
}

export function defaultProviderUrn(stack: string, project: string): string {
  return makeUrn(stack, project, "", "pulumi:providers:pulumi-nodejs", "default");
}

/** Provider references are `<urn>::<id>`. */
export function providerRefUrn(ref: string): string {
  return ref.slice(0, ref.lastIndexOf("::"));
}
