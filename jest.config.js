// Tests run on Node 20, which the SDK still supports; its notice about future versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Transpile only: `npm run typecheck` does the type checking.
  transform: { "^.+\\.ts$": "ts-jest" },
  testTimeout: 60000,
  reporters: ["default", "<rootDir>/test/helpers/summary-reporter.js"],
};
