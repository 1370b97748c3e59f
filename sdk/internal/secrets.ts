import * as pulumi from "@pulumi/pulumi";

/**
 * Inputs that hold secrets, wrapped in `pulumi.secret` whatever the user passed: a plain string
 * password or a connection with a plain private key would otherwise be stored in the state's
 * inputs in clear text (`additionalSecretOutputs` covers only the outputs).
 */
export function withSecrets<T extends object>(args: T, keys: readonly (keyof T & string)[]): T {
  const out = { ...args } as Record<string, unknown>;
  for (const k of keys) if (out[k] !== undefined) out[k] = pulumi.secret(out[k]);
  return out as T;
}

/** The same keys as secret outputs, plus what the caller's options add. */
export function secretOutputs(keys: readonly string[], opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...keys, ...(opts?.additionalSecretOutputs ?? [])] };
}
