// The framework's public surface: serve any Smithy awsJson service the codegen has described.
export type { RequestContext, ServiceDefinition } from "./definition";
export { NotImplementedError, ProtocolError, throttled } from "./errors";
export type { ConstraintViolation } from "./validation-message";
export { buildService, type ServiceHandler, type ServiceOptions } from "./service";
export { createRequestListener, listen, type RunningServer } from "./node";
export { DEFAULT_MAX_BODY_BYTES } from "./json-body";
