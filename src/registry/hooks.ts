// Hooks between the registry pipeline's stages, as the API's (framework/hooks.ts): a journal and injected faults watch
// and bend /v2 requests here. Without hooks no exchange is built.
import type { Context } from "../ecr/handlers/context";
import type { RegistryResponse } from "./exchange";
import type { RequestBytes } from "./request-bytes";
import type { Route } from "./routes";

export interface RegistryExchange {
  readonly requestId: string;
  /** Epoch milliseconds when the request arrived. */
  readonly started: number;
  readonly method: string;
  /** The request target, query included. */
  readonly path: string;
  /** Names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Once routed. */
  route?: Route;
  /** The ECR action the route is (what repository policies name), once routed. */
  action?: string;
  /** Once authenticated. */
  context?: Context;
  body?: RequestBytes;
  response?: RegistryResponse;
  /** The OCI error code answered, if any. */
  error?: string;
  durationMs: number;
  /** Effects the domain reports having committed (`context.recordEffect`). */
  effects?: Record<string, unknown>;
  /** Whether a hook closed the connection (a cut, a drop): the client never got the answer. */
  connectionClosed: boolean;
  /** The hooks' own notes. */
  notes: Record<string, unknown>;
  /** Closes the connection once `bytes` of the body were read; false when the body had arrived whole already. */
  cutRequestAt(bytes: number): boolean;
  /** Closes the connection without writing the answer. */
  dropConnection(): boolean;
}

export interface RegistryHooks {
  /** Around the route's handler (after authenticate, authorize and admission): may answer instead (throw), or wait. */
  invoke?(exchange: RegistryExchange, next: () => Promise<RegistryResponse>): Promise<RegistryResponse>;
  /** Before the answer is written: may wait or replace it. */
  respond?(exchange: RegistryExchange, response: RegistryResponse): RegistryResponse | Promise<RegistryResponse>;
  /** After the answer, for every request. Must not throw. */
  completed?(exchange: RegistryExchange): void;
  /** Hash request bodies (RequestBytes.sha256). */
  hashBodies?: boolean;
}
