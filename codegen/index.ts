// `ecr-layer-server/codegen`: the codegen as a library. `generate` turns a Smithy JSON AST into the generated files
// and handler stubs, in memory; `ecr-layer-codegen` (codegen/main.ts) is the command that writes them.
export { FRAMEWORK_PACKAGE, generate, type GenerateOptions, type Generated } from "./generate";
export { CodegenError } from "./model";
