/** Tests live under test/, mirroring the source tree. Integration tests start lab hosts and run
 *  Pulumi programs through the local engine, so they are slow and run in band. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json", isolatedModules: true }] },
  testTimeout: 180000,
  maxWorkers: 1,
};
