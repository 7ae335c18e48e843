// Tests run on Node 20, which the SDK still supports; its notice about future versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Transpile only: `npm run typecheck` does the type checking.
  transform: { "^.+\\.ts$": "ts-jest" },
  // Generated code imports relative modules with their compiled `.js` names (as ESM requires); here they are `.ts`.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 60000,
  reporters: ["default", "<rootDir>/test/helpers/summary-reporter.js"],
};
