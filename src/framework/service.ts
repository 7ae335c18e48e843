// The generic ServiceHandler pipeline: route, read, deserialize, validate, invoke, serialize.
import { HttpRequest, HttpResponse } from "@smithy/protocol-http";
import { ServiceException } from "@smithy/smithy-client";
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { rootOf, type Authentication, type Authenticator } from "./auth/sigv4";
import type { OperationDescription, RequestContext, ServiceDefinition } from "./definition";
import { deserialize } from "./deserialize";
import type { Exchange, ServiceHooks, Transport } from "./hooks";
import { bodyTooLarge, ConstraintViolationError, INTERNAL_FAILURE, ProtocolError, unsupportedOperation, validationError } from "./errors";
import { DEFAULT_MAX_BODY_BYTES, readJsonBody, type BodyReader, type RequestBody } from "./json-body";
import { awsJsonProtocol } from "./protocols/awsJson";
import { serialize } from "./serialize";
import { validationMessage, violations, type ConstraintViolation } from "./validation-message";

export interface ServiceOptions<Context extends RequestContext = RequestContext> {
  /** The account requests belong to when nothing says otherwise. */
  accountId?: string;
  region?: string;
  /** Bodies larger than this are refused with 413 before they are read. */
  maxBodyBytes?: number;
  /**
   * Bodies whose modeled members hold more values than this (strings, numbers, lists, maps, structures) are refused with
   * 413 as they are read: memory per request stays bounded even for lists the model leaves unbounded. Default 100,000.
   */
  maxBodyValues?: number;
  /**
   * Requests reading a body at once; more are refused with ThrottlingException (which SDKs retry after a pause), so
   * that many large requests at once cannot exhaust memory. Default 64.
   */
  maxBodiesInFlight?: number;
  /**
   * Of those, at most this many per caller (an authenticated access key), so that one caller cannot take them all.
   * Default: a quarter of maxBodiesInFlight. Without an authenticator every request is the same caller: no such cap.
   */
  maxBodiesPerCaller?: number;
  /** A body from which nothing arrives for this long is refused with 408 (RequestTimeoutException). Default 20 s. */
  bodyIdleTimeoutMs?: number;
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
  /**
   * The authorize stage, between validate and invoke: decides whether the caller may run the operation on this input
   * (say, another account's resource that a resource policy shares) and throws the error to answer when not.
   */
  authorize?: (input: Record<string, unknown>, context: Context, operation: OperationDescription) => void | Promise<void>;
  /** Watch or bend requests between the stages (a journal, injected faults); see ServiceHooks. */
  hooks?: ServiceHooks;
}

export interface ServiceHandler {
  readonly definition: ServiceDefinition;
  /** `transport`: what the connection allows (hooks that close it need one). */
  handle(request: HttpRequest, transport?: Transport): Promise<HttpResponse>;
  /** Resolves once no request is being handled (for a clean stop: rollbacks have finished). */
  idle(): Promise<void>;
}

type Impl = object;
type Operation = (input: unknown, context: RequestContext) => Promise<unknown>;

export const DEFAULT_ACCOUNT_ID = "000000000000";
export const DEFAULT_REGION = "us-east-1";

/**
 * Binds handlers to a service definition. Fails when an operation has no handler (except one the framework cannot
 * serve), or a handler no operation.
 */
export function buildService<Context extends RequestContext>(
  definition: ServiceDefinition,
  impl: Impl,
  options: ServiceOptions<Context> = {},
): ServiceHandler {
  const handlers = impl as Record<string, unknown>;
  const missing = Object.values(definition.operations).filter((op) => !op.unsupported && typeof handlers[op.name] !== "function").map((op) => op.name);
  if (missing.length) throw new Error(`${definition.name}: no handler for ${missing.join(", ")}`);
  const extra = Object.keys(handlers).filter((k) => typeof handlers[k] === "function" && !Object.hasOwn(definition.operations, k));
  if (extra.length) throw new Error(`${definition.name}: handlers for operations not in the model: ${extra.join(", ")}`);

  const protocol = awsJsonProtocol(definition);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const region = options.region ?? DEFAULT_REGION;
  const log = options.logger;
  const maxInFlight = options.maxBodiesInFlight ?? 64;
  const maxPerCaller = options.maxBodiesPerCaller ?? Math.max(1, Math.ceil(maxInFlight / 4));
  const bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? 20_000;
  const inFlightByCaller = new Map<string, number>();
  const constraintError = options.constraintError ?? ((v: ConstraintViolation[]) => validationError(validationMessage(v)));
  let inFlight = 0;

  /** Typed, checked input from the body's members (a streamed blob stays a stream). */
  const readInput = (op: OperationDescription, members: Record<string, unknown>): Record<string, unknown> => {
    const blobMember = op.streaming?.member;
    const { [blobMember ?? ""]: blob, ...rest } = members;
    const input = deserialize(definition.shapes, op.input, blobMember ? rest : members) as Record<string, unknown>;
    // A required blob is present as its stream (whose length the reader checks).
    if (blob !== undefined && blob !== null) input[blobMember!] = blob;
    if (op.validate && !op.validate(input)) throw new ConstraintViolationError(violations(op.validate.errors ?? [], input));
    return input;
  };

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
  const handle = async (request: HttpRequest, transport?: Transport): Promise<HttpResponse> => {
    active++;
    try {
      return await handleOne(request, transport);
    } finally {
      if (--active === 0) {
        for (const r of idleWaiters) r();
        idleWaiters = [];
      }
    }
  };

  const hooks = options.hooks;
  const handleOne = async (request: HttpRequest, transport: Transport | undefined): Promise<HttpResponse> => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const headers = lowerCaseHeaders(request.headers);
    const exchange = hooks ? new PipelineExchange(requestId, headers, transport) : undefined;
    let op: OperationDescription | undefined;
    let requestBytes = 0;
    let body: BodyReader | undefined;
    let declared: number | undefined;
    let response: HttpResponse;
    let auth: Authentication | undefined;
    let counted = false;
    try {
      // Who is asking comes first: nothing about the service is answered to a caller who is refused.
      auth = options.authenticator?.begin({ method: request.method, path: request.path, query: request.query as Record<string, string>, headers });
      op = protocol.route(request.method, request.path, headers);
      if (exchange) exchange.operation = op;
      if (op.unsupported) throw unsupportedOperation(op.name, op.unsupported);
      // A refused signature (unknown key, malformed) was answered above: it never takes a slot.
      if (inFlight >= maxInFlight || (auth && (inFlightByCaller.get(auth.caller) ?? 0) >= maxPerCaller)) {
        throw new ProtocolError("ThrottlingException", 400, "Rate exceeded: too many requests are being received at once", { connection: "close" });
      }
      inFlight++;
      if (auth) inFlightByCaller.set(auth.caller, (inFlightByCaller.get(auth.caller) ?? 0) + 1);
      counted = true;
      declared = headers["content-length"] === undefined ? undefined : Number(headers["content-length"]);
      if (declared !== undefined && declared > limit) throw bodyTooLarge(limit);
      const operation = op;
      const verify = auth?.verify;
      // With a streamed blob the handler starts while the blob arrives; members that come after the blob are
      // deserialized, validated and added to its input before the blob ends.
      let early: Record<string, unknown> | undefined;
      let earlyMembers = 0;
      const complete = (members: Record<string, unknown>) => {
        // Nothing came after the blob (the usual case): the handler's input is already whole and checked.
        if (!early || Object.keys(members).length === earlyMembers) return;
        const late = readInput(operation, members);
        for (const k of Object.keys(late)) {
          if (k !== operation.streaming!.member) early[k] = late[k];
        }
      };
      const reader = readJsonBody(toReadable(request.body as RequestBody), definition.shapes, op.input, {
        maxBodyBytes: limit,
        maxValues: options.maxBodyValues,
        idleTimeoutMs: bodyIdleTimeoutMs,
        ...(op.streaming ? { streaming: op.streaming, complete } : {}),
        ...(verify ? { finalize: (sha: string) => verify(sha) } : {}),
        ...(hooks?.hashBlobs ? { hashBlob: true } : {}),
      });
      body = reader;
      if (exchange) exchange.reader = reader;
      await reader.ready;
      if (exchange) exchange.members = reader.members;
      const input = readInput(op, reader.members);
      if (exchange) exchange.input = input;
      if (op.streaming && !reader.settled()) {
        early = input;
        earlyMembers = Object.keys(reader.members).length;
      }
      const caller = auth?.accountId ?? accountId;
      const base: RequestContext = { requestId, operation: op.name, accountId: caller, principal: auth?.principal ?? rootOf(caller), region, headers };
      if (exchange) base.recordEffect = exchange.recordEffect;
      const context = (options.context ? await options.context(base) : base) as Context;
      if (exchange) exchange.context = context;
      if (options.authorize) await options.authorize(input, context, op);
      const handler = handlers[op.name] as Operation;
      const output = exchange && hooks!.invoke ? await hooks!.invoke(exchange, () => handler.call(impl, input, context)) : await handler.call(impl, input, context);
      if (exchange) exchange.output = output;
      // Success only for a body that proved valid to its end, even when the handler did not read it all.
      if (!reader.settled()) reader.drain();
      await reader.done;
      response = respond(200, requestId, JSON.stringify(serialize(definition.shapes, op.output, output ?? {})));
    } catch (e) {
      let error = e instanceof ConstraintViolationError ? constraintError(e.violations, op!) : e;
      if (auth && body) {
        // A signed request is answered only once its signature, which covers the whole body, is known to be right:
        // whatever went wrong, a bad signature is the answer, so nothing is told about content nobody proved was signed.
        if (!body.ended()) body.drain();
        await body.verified.catch((signatureError: unknown) => (error = signatureError));
      }
      response = errorResponse(error, requestId, op);
      // A body left unread (refused before it was read) leaves the connection unusable for another request.
      if (op && !body) response.headers.connection = "close";
    }
    if (counted) {
      inFlight--;
      if (auth) {
        const n = inFlightByCaller.get(auth.caller)! - 1;
        if (n) inFlightByCaller.set(auth.caller, n);
        else inFlightByCaller.delete(auth.caller);
      }
    }
    if (body && !body.ended()) {
      // Answered before the body ended. With a Content-Length (within the limit) the rest is read and dropped, so that
      // a client still sending reads this answer rather than a broken pipe; a chunked body is cut off instead.
      if (declared !== undefined && response.headers.connection !== "close") body.drain();
      else {
        body.abandon();
        response.headers.connection = "close";
      }
    }
    if (body) requestBytes = body.received();
    if (exchange) {
      const completed = completeExchange(exchange, response, body, requestBytes, started);
      response = completed instanceof Promise ? await completed : completed;
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

  /** The respond hook, then the completed one; a promise only when the respond hook returned one (a fault's wait). */
  const completeExchange = (exchange: Exchange, response: HttpResponse, body: BodyReader | undefined, requestBytes: number, started: bigint): HttpResponse | Promise<HttpResponse> => {
    exchange.blob = body?.blobSummary();
    exchange.requestBytes = requestBytes;
    let replaced: HttpResponse | Promise<HttpResponse> = response;
    try {
      if (hooks!.respond) replaced = hooks!.respond(exchange, response);
    } catch (e) {
      log?.error({ requestId: exchange.requestId, err: e }, "respond hook failed");
    }
    if (replaced instanceof Promise) {
      return replaced.then(
        (r) => finishExchange(exchange, r, body, started),
        (e: unknown) => {
          log?.error({ requestId: exchange.requestId, err: e }, "respond hook failed");
          return finishExchange(exchange, response, body, started);
        },
      );
    }
    return finishExchange(exchange, replaced, body, started);
  };
  const finishExchange = (exchange: Exchange, response: HttpResponse, body: BodyReader | undefined, started: bigint): HttpResponse => {
    exchange.response = response;
    exchange.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    // A body still being read (answered early, the rest read and dropped) is described once it has all arrived.
    if (body && !body.settled()) body.done.then(() => recordExchange(exchange, body), () => recordExchange(exchange, body));
    else recordExchange(exchange, body);
    return response;
  };
  function recordExchange(exchange: Exchange, body: BodyReader | undefined) {
    exchange.blob = body?.blobSummary();
    exchange.requestBytes = body?.received() ?? 0;
    try {
      hooks!.completed?.(exchange);
    } catch (e) {
      log?.error({ requestId: exchange.requestId, err: e }, "completed hook failed");
    }
  }

  return { definition, handle, idle };
}

/** An exchange as the pipeline fills it in (a class: one per request, its methods made once). */
class PipelineExchange implements Exchange {
  readonly started = Date.now();
  operation?: OperationDescription;
  members?: Record<string, unknown>;
  input?: Record<string, unknown>;
  context?: RequestContext;
  output?: unknown;
  blob?: { length: number; sha256?: string };
  response?: HttpResponse;
  requestBytes = 0;
  durationMs = 0;
  effects?: Record<string, unknown>;
  notes: Record<string, unknown> = {};
  connectionClosed = false;
  reader: BodyReader | undefined;
  /**
   * The context's recordEffect. Made here, not in handleOne: a closure there shares handleOne's whole scope (request,
   * body reader, input, output), and with it the young collector promoted about 5 KB per request (--trace-gc-nvp), a
   * sixth of an idle kit's small-request throughput.
   */
  readonly recordEffect = (fields: Record<string, unknown>): void => void Object.assign((this.effects ??= {}), fields);
  constructor(
    readonly requestId: string,
    readonly headers: Readonly<Record<string, string>>,
    private readonly transport: Transport | undefined,
  ) {}
  cutRequestAt(bytes: number): boolean {
    if (this.reader) return this.reader.cutAt(bytes, () => this.close());
    this.close();
    return false;
  }
  dropConnection(): boolean {
    return this.close();
  }
  private close(): boolean {
    if (!this.transport) return false;
    this.transport.destroy();
    this.connectionClosed = true;
    return true;
  }
}

function toReadable(body: RequestBody): Readable {
  if (body && typeof (body as Readable).on === "function") return body as Readable;
  if (body === undefined || body === null) return Readable.from([]);
  if (typeof body === "string" || body instanceof Uint8Array) return Readable.from([Buffer.from(body as Uint8Array)]);
  return Readable.from(body as AsyncIterable<Uint8Array>);
}

function lowerCaseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}
