// Errors the framework itself answers with; they are not in any model.
import type { ConstraintViolation } from "./validation-message";

export class ProtocolError extends Error {
  constructor(
    /** The wire `__type`. */
    readonly type: string,
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = type;
  }
}

/** An input that breaks the model's constraints; the service decides which error answers it. */
export class ConstraintViolationError extends Error {
  constructor(readonly violations: ConstraintViolation[]) {
    super(`${violations.length} constraint violation(s), first at '${violations[0]?.path}'`);
  }
}

export const serializationError = (message: string) => new ProtocolError("SerializationException", 400, message);
export const validationError = (message: string) => new ProtocolError("ValidationException", 400, message);
/** AWS's common throttling error, which every SDK knows on every operation and retries after a pause. */
export const throttled = (message: string, headers: Record<string, string> = {}) => new ProtocolError("ThrottlingException", 400, message, headers);
export const unknownOperation = (message: string, status = 400) => new ProtocolError("UnknownOperationException", status, message);

/** Thrown by generated handler stubs; answered with 501, which SDKs do not retry. */
export class NotImplementedError extends ProtocolError {
  constructor(operation: string) {
    super("NotImplemented", 501, `The operation ${operation} is not implemented by this server yet`);
  }
}

/** An operation the model has but the framework cannot serve (an event stream); 501, which SDKs do not retry. */
export const unsupportedOperation = (operation: string, why: string) =>
  new ProtocolError("NotImplemented", 501, `The operation ${operation} is not supported by this server: ${why}`);

/** Answered before the rest of the body is read; the connection is closed after it. */
export const bodyTooLarge = (limit: number) =>
  new ProtocolError("RequestEntityTooLargeException", 413, `The request body exceeds the limit of ${limit} bytes`, {
    connection: "close",
  });

/** Refused as it is read; the rest of the body is dropped, so the connection stays usable. */
export const tooManyValues = (limit: number) =>
  new ProtocolError("RequestEntityTooLargeException", 413, `The request body holds more than ${limit} values`);

export const clientAborted = () => new ProtocolError("RequestAbortedException", 400, "The client closed the connection before sending the whole body");

export const INTERNAL_FAILURE = "InternalFailure";
