// The generic ServiceHandler pipeline: route, read, deserialize, validate, invoke, serialize.
import { HttpRequest, HttpResponse } from "@smithy/protocol-http";
import { ServiceException } from "@smithy/smithy-client";
import type { Logger } from "pino";
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Authentication, Authenticator } from "./auth/sigv4";
import { DEFAULT_MAX_BODY_BYTES, readBody, type RequestBody } from "./body";
import type { OperationDescription, RequestContext, ServiceDefinition } from "./definition";
import { deserialize } from "./deserialize";
import { bodyTooLarge, INTERNAL_FAILURE, ProtocolError, serializationError, validationError } from "./errors";
import { awsJsonProtocol } from "./protocols/awsJson";
import { serialize } from "./serialize";
import { parseStreaming, type StreamingResult } from "./streaming-json";
import { validationMessage, violations, type ConstraintViolation } from "./validation-message";

export interface ServiceOptions<Context extends RequestContext = RequestContext> {
  /** The account requests belong to when nothing says otherwise. */
  accountId?: string;
  region?: string;
  /** Bodies larger than this are refused with 413 before they are read. */
  maxBodyBytes?: number;
  /**
   * Requests reading a body at once; more are refused with ThrottlingException (which SDKs retry after a pause), so
   * that many large requests at once cannot exhaust memory. Default 64.
   */
  maxBodiesInFlight?: number;
  /** One structured line per request; none when absent. */
  logger?: Logger;
  /**
   * The modeled server error to answer with when a handler fails unexpectedly (a disk error, a bug); without one the
   * answer is the generic 500 InternalFailure. The cause is logged either way, never sent.
   */
  internalError?: () => ServiceException;
  /**
   * The error for an input that breaks the model's constraints (the validate stage's answer). Default: AWS's
   * ValidationException listing each violation; a service may answer one of its own modeled errors instead.
   */
  constraintError?: (violations: ConstraintViolation[], operation: OperationDescription) => Error;
  /** Checks each request's signature and says whose it is; without one, every request is the default account's. */
  authenticator?: Authenticator;
  /** Adds what handlers need (storage, settings) to the per-request context. */
  context?: (base: RequestContext) => Context | Promise<Context>;
}

export interface ServiceHandler {
  readonly definition: ServiceDefinition;
  handle(request: HttpRequest): Promise<HttpResponse>;
  /** Resolves once no request is being handled (for a clean stop: rollbacks have finished). */
  idle(): Promise<void>;
}

type Impl = object;
type Operation = (input: unknown, context: RequestContext) => Promise<unknown>;

export const DEFAULT_ACCOUNT_ID = "000000000000";
export const DEFAULT_REGION = "us-east-1";

/** Binds handlers to a service definition. Fails when an operation has no handler, or a handler no operation. */
export function buildService<Context extends RequestContext>(
  definition: ServiceDefinition,
  impl: Impl,
  options: ServiceOptions<Context> = {},
): ServiceHandler {
  const handlers = impl as Record<string, unknown>;
  const missing = Object.keys(definition.operations).filter((op) => typeof handlers[op] !== "function");
  if (missing.length) throw new Error(`${definition.name}: no handler for ${missing.join(", ")}`);
  const extra = Object.keys(handlers).filter((k) => typeof handlers[k] === "function" && !Object.hasOwn(definition.operations, k));
  if (extra.length) throw new Error(`${definition.name}: handlers for operations not in the model: ${extra.join(", ")}`);

  const protocol = awsJsonProtocol(definition);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const region = options.region ?? DEFAULT_REGION;
  const log = options.logger;
  const maxInFlight = options.maxBodiesInFlight ?? 64;
  const constraintError = options.constraintError ?? ((v: ConstraintViolation[]) => validationError(validationMessage(v)));
  let inFlight = 0;

  const respond = (statusCode: number, requestId: string, body: string, extra: Record<string, string> = {}) =>
    new HttpResponse({
      statusCode,
      headers: {
        "content-type": protocol.contentType,
        "x-amzn-requestid": requestId,
        "content-length": String(Buffer.byteLength(body)),
        ...extra,
      },
      body,
    });

  const errorResponse = (e: unknown, requestId: string, op: OperationDescription | undefined): HttpResponse => {
    if (e instanceof ProtocolError) {
      return respond(e.statusCode, requestId, JSON.stringify({ __type: e.type, message: e.message }), {
        "x-amzn-errortype": e.type,
        ...e.headers,
      });
    }
    const err = ServiceException.isInstance(e) && Object.hasOwn(definition.errorClasses, e.name) ? e : undefined;
    const modeled = err ? definition.shapes[err.name] : undefined;
    if (err && modeled?.type === "structure" && modeled.error) {
      if (op && !op.errors.includes(err.name)) log?.warn({ requestId, operation: op.name, error: err.name }, "handler threw an error its operation does not declare");
      const messageMember = Object.keys(modeled.members).find((m) => m.toLowerCase() === "message") ?? "message";
      const fields = serialize(definition.shapes, err.name, { ...err, [messageMember]: err.message }) as object;
      const status = modeled.httpError ?? (modeled.error === "server" ? 500 : 400);
      return respond(status, requestId, JSON.stringify({ __type: err.name, ...fields }), { "x-amzn-errortype": err.name });
    }
    log?.error({ requestId, operation: op?.name, err: e }, "unhandled error");
    if (options.internalError) return errorResponse(options.internalError(), requestId, op);
    const body = JSON.stringify({ __type: INTERNAL_FAILURE, message: `The server failed to process the request (request id ${requestId})` });
    return respond(500, requestId, body, { "x-amzn-errortype": INTERNAL_FAILURE });
  };

  let active = 0;
  let idleWaiters: (() => void)[] = [];
  const idle = () => (active === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r)));
  const handle = async (request: HttpRequest): Promise<HttpResponse> => {
    active++;
    try {
      return await handleOne(request);
    } finally {
      if (--active === 0) {
        for (const r of idleWaiters) r();
        idleWaiters = [];
      }
    }
  };

  const handleOne = async (request: HttpRequest): Promise<HttpResponse> => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const headers = lowerCaseHeaders(request.headers);
    let op: OperationDescription | undefined;
    let requestBytes = 0;
    let streamed: StreamingResult | undefined;
    let bodyRead = false;
    let response: HttpResponse;
    let auth: Authentication | undefined;
    let counted = false;
    try {
      // Who is asking comes first: nothing about the service is answered to a caller who is refused.
      auth = options.authenticator?.begin({ method: request.method, path: request.path, query: request.query as Record<string, string>, headers });
      op = protocol.route(request.method, request.path, headers);
      if (inFlight >= maxInFlight) throw new ProtocolError("ThrottlingException", 400, "Rate exceeded: too many requests are being received at once", { connection: "close" });
      inFlight++;
      counted = true;
      const declared = headers["content-length"] === undefined ? undefined : Number(headers["content-length"]);
      let input: Record<string, unknown>;
      if (op.streaming) {
        // The blob's bytes go to the handler as they arrive; the rest of the input is parsed before it starts.
        if (declared !== undefined && declared > limit) throw bodyTooLarge(limit);
        const verify = auth?.verify;
        streamed = await parseStreaming(toReadable(request.body as RequestBody), op.streaming, {
          maxBodyBytes: limit,
          ...(verify ? { finalize: (sha: string) => verify(sha) } : {}),
        });
        const { [op.streaming.member]: blob, ...rest } = streamed.members;
        input = deserialize(definition.shapes, op.input, rest) as Record<string, unknown>;
        if (blob !== undefined && blob !== null) input[op.streaming.member] = blob;
      } else {
        const body = await readBody(request.body as RequestBody, declared, limit);
        bodyRead = true;
        requestBytes = body.byteLength;
        await auth?.verify(createHash("sha256").update(body).digest("hex"));
        input = deserialize(definition.shapes, op.input, parseJson(body)) as Record<string, unknown>;
      }
      if (op.validate && !op.validate(input)) throw constraintError(violations(op.validate.errors ?? [], input), op);
      const base: RequestContext = { requestId, operation: op.name, accountId: auth?.accountId ?? accountId, region, headers };
      const context = options.context ? await options.context(base) : base;
      const output = await (handlers[op.name] as Operation).call(impl, input, context);
      if (streamed) {
        // Success only for a body that proved valid to its end, even when the handler did not read it all.
        streamed.drain();
        await streamed.done;
      }
      response = respond(200, requestId, JSON.stringify(serialize(definition.shapes, op.output, output ?? {})));
    } catch (e) {
      let error = e;
      if (auth && streamed && !streamed.settled()) {
        // A signed request is answered only once its signature, which covers the whole body, is known to be right.
        streamed.drain();
        await streamed.done.catch((bodyError) => (error = bodyError));
      }
      response = errorResponse(error, requestId, op);
      // A body left unread (refused early, or cut off) leaves the connection unusable for another request.
      if (op && !op.streaming && !bodyRead) response.headers.connection = "close";
    }
    if (counted) inFlight--;
    if (streamed) {
      requestBytes = streamed.received();
      if (!streamed.settled()) {
        // The rest of the body will not be read: the connection cannot carry another request.
        streamed.abandon();
        response.headers.connection = "close";
      }
    }
    log?.info(
      {
        requestId,
        operation: op?.name,
        status: response.statusCode,
        error: response.headers["x-amzn-errortype"],
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        requestBytes,
        responseBytes: Number(response.headers["content-length"]),
      },
      "request",
    );
    return response;
  };

  return { definition, handle, idle };
}

function toReadable(body: RequestBody): Readable {
  if (body && typeof (body as Readable).on === "function") return body as Readable;
  if (body === undefined || body === null) return Readable.from([]);
  if (typeof body === "string" || body instanceof Uint8Array) return Readable.from([Buffer.from(body as Uint8Array)]);
  return Readable.from(body as AsyncIterable<Uint8Array>);
}

function parseJson(body: Buffer): unknown {
  if (body.byteLength === 0) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw serializationError(`The body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw serializationError("The body must be a JSON object");
  return doc;
}

function lowerCaseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}
