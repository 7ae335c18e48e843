// The framework's public surface (`ecr-layer-server/framework`): serve any Smithy awsJson service the codegen has
// described. Generated code imports only this module.
export type { BlobStream, InputValidator, OperationDescription, RequestContext, ServiceDefinition, ShapeTable, StreamingInput } from "./definition";
export { NotImplementedError, ProtocolError, throttled } from "./errors";
export type { ConstraintViolation } from "./validation-message";
export type { Exchange, ServiceHooks, Transport } from "./hooks";
export { buildService, type ServiceHandler, type ServiceOptions } from "./service";
export { createRequestListener, listen, type ListenOptions, type RunningServer } from "./node";
export { DEFAULT_MAX_BODY_BYTES } from "./json-body";
export { sigv4Authenticator, type Credential } from "./auth/sigv4";
export { ajvRuntime, linearPattern, ServiceException } from "./generated-runtime";
