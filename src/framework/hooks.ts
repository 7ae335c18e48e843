// Hooks between the pipeline's stages, for what watches or bends requests without being an operation: a request
// journal, injected faults. A service without hooks pays nothing for them: no exchange is even built.
import type { HttpResponse } from "@smithy/protocol-http";
import type { OperationDescription, RequestContext } from "./definition";

/** One request as the hooks see it, filled in stage by stage. */
export interface Exchange {
  readonly requestId: string;
  /** Epoch milliseconds when the request arrived. */
  readonly started: number;
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Once routed. */
  operation?: OperationDescription;
  /** The top-level members the body held (a streamed blob's key maps to its stream), once read. */
  members?: Record<string, unknown>;
  /** Typed, validated input, once the validate stage passed. */
  input?: Record<string, unknown>;
  context?: RequestContext;
  /** What the handler returned, on success. */
  output?: unknown;
  /** A streamed blob's decoded length and, once it was read whole and `hashBlobs` is on, its SHA-256 (hex). */
  blob?: { length: number; sha256?: string };
  /** The answer, once serialized. */
  response?: HttpResponse;
  /** Raw body bytes read. */
  requestBytes: number;
  durationMs: number;
  /** Effects the handler reports having committed (`context.recordEffect`), e.g. bytes appended. */
  effects?: Record<string, unknown>;
  /** Whether a hook closed the connection (`cutRequestAt` cut it, or `dropConnection`): the client never got the answer. */
  connectionClosed: boolean;
  /** The hooks' own notes (a fault kit keeps the rule that fired here). */
  notes: Record<string, unknown>;
  /**
   * Closes the connection once `bytes` of the request body have arrived, as a client that went away would: the handler
   * sees its body fail. False when the whole body had already arrived (only the connection is closed then).
   */
  cutRequestAt(bytes: number): boolean;
  /** Closes the connection without writing the answer; false when the transport cannot (an in-process call). */
  dropConnection(): boolean;
}

export interface ServiceHooks {
  /** Around the invoke stage (after authorize): may answer instead (throw), wait, or call `next` and look at its result. */
  invoke?(exchange: Exchange, next: () => Promise<unknown>): Promise<unknown>;
  /** Between serialize and the transport: may wait, or replace the answer. */
  respond?(exchange: Exchange, response: HttpResponse): HttpResponse | Promise<HttpResponse>;
  /** After the answer, for every request, refused ones included. Must not throw. */
  completed?(exchange: Exchange): void;
  /** Hash streamed blobs (for `exchange.blob.sha256`); costs CPU, so only on request. */
  hashBlobs?: boolean;
}

/** What a transport (node:http) lets the pipeline do to the connection a request came on. */
export interface Transport {
  /** Closes the connection at once; nothing more is read or written. */
  destroy(): void;
}
