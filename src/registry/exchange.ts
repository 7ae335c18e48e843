// What a registry route receives and answers: the parsed request (route, query, headers, the body as bytes) and a
// response the listener writes.
import type { Context } from "../ecr/handlers/context";
import type { RequestBytes } from "./request-bytes";
import type { Route } from "./routes";

export interface RegistryRequest<R extends Route = Route> {
  method: string;
  route: R;
  query: URLSearchParams;
  /** Names lower-cased. */
  headers: Readonly<Record<string, string>>;
  body: RequestBytes;
  /** `http://<host>`, for absolute Locations and Links (ECR answers absolute ones). */
  origin: string;
  /** The registry addressed: the one the host names, else the caller's. */
  registryId: string;
  context: Context;
}

export interface RegistryResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): RegistryResponse => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(value),
});

export const empty = (status: number, headers: Record<string, string> = {}): RegistryResponse => ({ status, headers });

/** Whether the request carries a body at all (a length above zero, or chunked). */
export const hasBody = (headers: Readonly<Record<string, string>>) =>
  headers["transfer-encoding"] !== undefined || (headers["content-length"] !== undefined && headers["content-length"] !== "0");
