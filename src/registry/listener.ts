// The registry protocol's pipeline, stage by stage like the API's: route, authenticate (Basic with the password from
// GetAuthorizationToken), admit (a bound on bodies in flight), authorize (the same repository policies, by the ECR
// action each route is), invoke, respond. One JSON log line per request.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Context } from "../ecr/handlers/context";
import { authorize } from "../ecr/policies/access";
import { registryOf } from "../ecr/repositories";
import type { RequestContext } from "../framework";
import type { OperationDescription } from "../framework/definition";
import { rootOf } from "../framework/auth/sigv4";
import { BODY_READ_ELSEWHERE, bodyReadElsewhere } from "../framework/node";
import { completeBlobUpload, cancelBlobUpload, startBlobUpload, uploadChunk, uploadStatus } from "./blob-uploads";
import { deleteBlob, getBlob, headBlob } from "./blobs";
import { RegistryError, toRegistryError, tooManyRequests } from "./errors";
import { hasBody, json, type RegistryRequest, type RegistryResponse } from "./exchange";
import { listCatalog, listReferrersOf, listTags } from "./listings";
import { deleteManifest, getManifest, putManifest } from "./manifests";
import type { RegistryExchange, RegistryHooks } from "./hooks";
import { RequestBytes } from "./request-bytes";
import { actionOf, furtherActionsOf, matchRoute, type RouteKind } from "./routes";

/** What every ECR handler's context holds beyond the request's own fields. */
export type SharedContext = Omit<Context, keyof RequestContext | "grantedRegistryId">;

export interface RegistryOptions {
  shared: SharedContext;
  /** The registry of an anonymous caller (when no login is required). */
  accountId: string;
  region: string;
  /** Whether callers must log in (`--auth sigv4`); otherwise every request is the default registry's. */
  requireLogin: boolean;
  logger?: Logger;
  maxBodiesInFlight?: number;
  maxBodiesPerCaller?: number;
  bodyIdleTimeoutMs?: number;
  /** Watch or bend requests between the stages (a journal, injected faults). */
  hooks?: RegistryHooks;
}

type Handler = (req: RegistryRequest<never>) => Promise<RegistryResponse>;

const HANDLERS: Record<RouteKind, Record<string, Handler>> = {
  version: { GET: async () => json(200, {}), HEAD: async () => json(200, {}) },
  catalog: { GET: listCatalog },
  tags: { GET: listTags },
  manifest: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest },
  blob: { GET: getBlob, HEAD: headBlob, DELETE: deleteBlob },
  uploads: { POST: startBlobUpload },
  upload: { PATCH: uploadChunk, PUT: completeBlobUpload, GET: uploadStatus, DELETE: cancelBlobUpload },
  referrers: { GET: listReferrersOf },
};

const CARRIES_BODY = new Set(["PATCH", "PUT", "POST"]);
// An ECR registry host names its account: <account>.dkr.ecr.<region>.amazonaws.com.
const REGISTRY_HOST = /^(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::\d+)?$/i;

// ECR's answers to a caller it does not know (wom.icu/today-i-learned/2023-09-11: plain text and a Basic challenge)
// and to an expired password (aws/aws-cli#6580: 403, DENIED, no challenge).
const notAuthorized = (host: string) =>
  new RegistryError(401, "UNAUTHORIZED", "Not Authorized", { "www-authenticate": `Basic realm="https://${host}/",service="ecr.amazonaws.com"` });
const expired = () => new RegistryError(403, "DENIED", "Your authorization token has expired. Reauthenticate and try again.");

export function createRegistryListener(options: RegistryOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { shared, region, logger: log } = options;
  const maxInFlight = options.maxBodiesInFlight ?? 64;
  const maxPerCaller = options.maxBodiesPerCaller ?? Math.max(1, Math.ceil(maxInFlight / 4));
  const idleMs = options.bodyIdleTimeoutMs ?? 20_000;
  let inFlight = 0;
  const inFlightByCaller = new Map<string, number>();

  const authenticate = (headers: Record<string, string>, host: string): { accountId: string; principal: string } => {
    if (!options.requireLogin) return { accountId: options.accountId, principal: rootOf(options.accountId) };
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.authorization ?? "");
    const [user, password] = m ? splitOnce(Buffer.from(m[1], "base64").toString("utf8"), ":") : [];
    const verified = user === "AWS" && password ? shared.registryPasswords.verify(password) : undefined;
    if (verified === "expired") throw expired();
    if (!verified) throw notAuthorized(host);
    return verified;
  };

  const hooks = options.hooks;
  const serve = async (req: IncomingMessage, requestId: string, state: State, exchange: RegistryExchange | undefined): Promise<RegistryResponse> => {
    const method = req.method ?? "GET";
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    const route = matchRoute(q < 0 ? target : target.slice(0, q));
    if (exchange) {
      exchange.route = route;
      // Named before authentication, so that a refused request is journaled as what it tried to do.
      if (route) exchange.action = actionOf(route, method);
    }
    // Unknown paths are answered as ECR answers them: in plain text.
    if (!route) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" };
    if (bodyReadElsewhere(req)) throw new RegistryError(500, "UNKNOWN", BODY_READ_ELSEWHERE);
    const handler = HANDLERS[route.kind][method];
    if (!handler) {
      throw new RegistryError(405, "UNSUPPORTED", `The method ${method} is not supported here`, { allow: Object.keys(HANDLERS[route.kind]).join(", ") });
    }
    const headers = req.headers as Record<string, string>;
    const host = headers.host ?? "127.0.0.1";
    const caller = authenticate(headers, host);
    const action = actionOf(route, method);
    state.operation = action;
    const base: RequestContext = { requestId, operation: action ?? "Registry", accountId: caller.accountId, principal: caller.principal, region, headers };
    const context = Object.assign(base, shared) as Context;
    if (exchange) {
      exchange.action = action;
      exchange.context = context;
      context.recordEffect = effectRecorder(exchange);
    }
    const registryId = REGISTRY_HOST.exec(host)?.[1] ?? caller.accountId;
    const query = new URLSearchParams(q < 0 ? "" : target.slice(q + 1));
    if (action) {
      const input = "name" in route ? { registryId, repositoryName: route.name } : { registryId };
      for (const name of [action, ...furtherActionsOf(route, method, query, hasBody(headers))]) {
        context.operation = name;
        await authorize(input, context, { name } as OperationDescription);
        registryOf(input, context);
      }
      context.operation = action;
    }
    if (CARRIES_BODY.has(method)) {
      // Without login every request is the same caller, as on the API: then only the total is bounded.
      const key = caller.principal;
      if (inFlight >= maxInFlight || (options.requireLogin && (inFlightByCaller.get(key) ?? 0) >= maxPerCaller)) throw tooManyRequests();
      inFlight++;
      inFlightByCaller.set(key, (inFlightByCaller.get(key) ?? 0) + 1);
      state.caller = key;
    }
    const body = new RequestBytes(req, idleMs, hooks?.hashBodies);
    state.body = body;
    const invoke = () => handler({ method, route, query, headers, body, origin: `http://${host}`, registryId, context } as RegistryRequest<never>);
    if (!exchange) return invoke();
    exchange.body = body;
    return hooks!.invoke ? hooks!.invoke(exchange, invoke) : invoke();
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const state: State = {};
    const exchange = hooks ? newExchange(req, requestId) : undefined;
    const release = () => {
      if (state.caller === undefined) return;
      inFlight--;
      const n = inFlightByCaller.get(state.caller)! - 1;
      if (n) inFlightByCaller.set(state.caller, n);
      else inFlightByCaller.delete(state.caller);
      state.caller = undefined;
    };
    serve(req, requestId, state, exchange)
      .catch((e: unknown): RegistryResponse => {
        const known = toRegistryError(e);
        if (!known) {
          // A client that went away mid-body is no server failure; nobody is left to answer.
          if (!req.complete && (e as NodeJS.ErrnoException)?.code === "ECONNRESET") return { status: 400, headers: { connection: "close" } };
          log?.error({ requestId, err: e }, "unhandled registry error");
        }
        const err = known ?? new RegistryError(500, "UNKNOWN", "The server failed to process the request; it may be retried");
        state.error = err.code;
        const text = err.status === 401;
        return {
          status: err.status,
          headers: { "content-type": text ? "text/plain; charset=utf-8" : "application/json; charset=utf-8", ...err.headers },
          body: text ? err.message : err.body(),
        };
      })
      .then(async (response) => {
        release();
        if (exchange && hooks!.respond) {
          try {
            response = await hooks!.respond(exchange, response);
          } catch (err) {
            log?.error({ requestId, err }, "respond hook failed");
          }
        }
        const headers: Record<string, string> = { "docker-distribution-api-version": "registry/2.0", ...response.headers };
        const body = req.method === "HEAD" ? undefined : response.body;
        // A hook may declare more than it sends (a response cut short).
        if (body !== undefined) headers["content-length"] ??= String(Buffer.byteLength(body));
        else headers["content-length"] ??= "0";
        // A body left unread (refused before it was read) would be read and dropped to keep the connection: close it.
        if (!req.complete) headers.connection = "close";
        if (!res.headersSent && !res.destroyed) {
          try {
            res.writeHead(response.status, headers);
            res.end(body);
          } catch {
            res.destroy();
          }
        }
        log?.info(
          {
            requestId,
            protocol: "registry",
            method: req.method,
            operation: state.operation,
            path: req.url,
            status: response.status,
            error: state.error,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            requestBytes: state.body?.received ?? 0,
            responseBytes: Number(headers["content-length"]),
          },
          "request",
        );
        if (exchange) {
          exchange.response = response;
          exchange.error = state.error;
          exchange.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
          try {
            hooks!.completed?.(exchange);
          } catch (err) {
            log?.error({ requestId, err }, "completed hook failed");
          }
        }
      })
      .catch((err: unknown) => {
        release();
        log?.error({ requestId, err }, "registry response failed");
        res.destroy();
      });
  };
}

/** The context's recordEffect, made outside `serve`, whose whole scope a closure there would keep (see PipelineExchange). */
function effectRecorder(exchange: RegistryExchange): (fields: Record<string, unknown>) => void {
  return (fields) => void Object.assign((exchange.effects ??= {}), fields);
}

function newExchange(req: IncomingMessage, requestId: string): RegistryExchange {
  const exchange: RegistryExchange = {
    requestId,
    started: Date.now(),
    method: req.method ?? "GET",
    path: req.url ?? "/",
    headers: req.headers as Record<string, string>,
    durationMs: 0,
    notes: {},
    connectionClosed: false,
    cutRequestAt: (bytes) => {
      if (exchange.body) return exchange.body.cutAt(bytes, () => (exchange.connectionClosed = true));
      req.socket.destroy();
      exchange.connectionClosed = true;
      return false;
    },
    dropConnection: () => {
      req.socket.destroy();
      exchange.connectionClosed = true;
      return true;
    },
  };
  return exchange;
}

interface State {
  /** The ECR action the route is. */
  operation?: string;
  /** Whose body slot the request holds. */
  caller?: string;
  body?: RequestBytes;
  error?: string;
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + sep.length)];
}
