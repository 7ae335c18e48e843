// The shape of what the codegen emits for a service: the runtime's whole view of a model.
import type { ServiceException } from "@smithy/smithy-client";
import type { BlobStream } from "./blob-stream";

export type { BlobStream };

/** A handler's input where a streamed blob member arrives as a BlobStream. */
export type StreamingInput<T, K extends keyof T> = Omit<T, K> & { [P in K]: BlobStream };

export type TimestampFormat = "epoch-seconds" | "date-time" | "http-date";

export interface MemberDescription {
  /** A key of the shape table. */
  target: string;
  required?: true;
  /** The @default value, filled in when an input omits the member. */
  default?: unknown;
  timestampFormat?: TimestampFormat;
  /** The @length maximum of the value (items, entries, characters or bytes): the body reader stops past it. */
  max?: number;
}

export type ShapeDescription =
  | { type: "structure"; members: Record<string, MemberDescription>; error?: "client" | "server"; httpError?: number }
  | { type: "union"; members: Record<string, MemberDescription> }
  | { type: "list"; member: string; memberMax?: number; sparse?: true }
  | { type: "map"; key: string; value: string; keyMax?: number; valueMax?: number; sparse?: true }
  | { type: "timestamp"; format?: TimestampFormat }
  | {
      type:
        | "string" | "enum" | "blob" | "boolean" | "byte" | "short" | "integer" | "long" | "float" | "double"
        | "bigInteger" | "bigDecimal" | "intEnum" | "document";
    };

/** Shape name (prelude shapes keep their absolute id) to description. */
export type ShapeTable = Record<string, ShapeDescription>;

/** An ajv validate function: true when valid, else the errors are on `.errors`. */
export interface InputValidator {
  (data: unknown): boolean;
  errors?: ValidatorError[] | null;
}
export interface ValidatorError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  data?: unknown;
}

/** A top-level input blob large enough to be streamed to the handler instead of buffered. */
export interface StreamingBlobDescription {
  member: string;
  minBytes?: number;
  maxBytes?: number;
  /** Required members: when they all precede the blob, the handler starts while the blob is still arriving. */
  requiredBefore: readonly string[];
}

export interface OperationDescription {
  name: string;
  /** The X-Amz-Target value: `<ServiceName>.<OperationName>`. */
  target: string;
  input: string;
  output: string;
  errors: readonly string[];
  validate?: InputValidator;
  streaming?: StreamingBlobDescription;
  /** Why the framework cannot serve the operation (an event stream); it is answered 501 and needs no handler. */
  unsupported?: string;
}

export type ErrorClass = new (fields?: any) => ServiceException;

export interface ServiceDefinition {
  id: string;
  name: string;
  version: string;
  protocol: "awsJson1_1" | "awsJson1_0";
  signingName?: string;
  operations: Record<string, OperationDescription>;
  shapes: ShapeTable;
  errorClasses: Record<string, ErrorClass>;
}

/** What the dispatcher tells a handler about the request besides its input. */
export interface RequestContext {
  requestId: string;
  operation: string;
  /** The caller's account, which is also its registry id. */
  accountId: string;
  /** Who signed the request, as an IAM ARN (the account's root unless the credential names a user or role). */
  principal: string;
  region: string;
  /** Request headers, names lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** Reports what the request committed (bytes appended, say) to the hooks' journal; absent without hooks. */
  recordEffect?: (fields: Record<string, unknown>) => void;
}
