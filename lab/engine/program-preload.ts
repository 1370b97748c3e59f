/** Preloaded (`node -r`) into the program process. Node 20.20's util.inspect loops until it runs out
 *  of string space when a coloured error stack has a frame like `.../node_modules/@scope/file.ts:1:2`
 *  (a scoped "package" with no further path: markNodeModules finds no separator and restarts at 0).
 *  Source maps of @pulumi/pulumi produce exactly such frames, and cmd/run prints program errors with
 *  `util.inspect(err, { colors: true })`, so a failing program took a minute to report its error.
 *  Errors are inspected without colours instead; the output goes to a pipe, so nothing is lost. */
import util = require("util");

const original = util.inspect;
function inspect(this: unknown, value: unknown, ...rest: unknown[]): string {
  const [opts] = rest;
  if (value instanceof Error && opts && typeof opts === "object" && (opts as util.InspectOptions).colors) {
    rest[0] = { ...(opts as util.InspectOptions), colors: false };
  }
  return (original as (...a: unknown[]) => string).call(this, value, ...rest);
}
for (const key of Reflect.ownKeys(original)) {
  if (key === "length" || key === "name" || key === "prototype") continue;
  Object.defineProperty(inspect, key, Object.getOwnPropertyDescriptor(original, key)!);
}
(util as { inspect: typeof util.inspect }).inspect = inspect as typeof util.inspect;
