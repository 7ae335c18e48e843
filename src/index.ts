// `ecr-layer-server`: a local Amazon ECR to embed in a Node service or a test suite.
export { createEcrService, type EcrOptions, type EcrService } from "./ecr/server";
export { startEcrServer, type EcrServerOptions, type RunningEcrServer } from "./ecr/start";
export { DEFAULT_SETTINGS, type EcrSettings } from "./ecr/settings";
export type { Schedule } from "./ecr/lifecycle/scheduler";
export type { RegistryStore } from "./storage/types";
export { EmbeddedStore, type EmbeddedStoreOptions } from "./storage/embedded/store";
// The ECR model as the codegen describes it: the service definition, its typed interface and its error classes.
export { createServiceHandler, definition, type Service } from "../generated/service";
export * from "../generated/errors";
export type * as EcrTypes from "../generated/types";
