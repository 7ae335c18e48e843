// One request as the journal keeps it until read (see JournalRecord): taking the record costs a few field copies on
// the request path; working out the entry (the caller from the headers, summaries, the error's fields) waits for a
// query.
import type { Exchange } from "../framework/hooks";
import type { RegistryExchange } from "../registry/hooks";
import type { Route } from "../registry/routes";
import { callerOf, type Call, type Caller, type CallerHeaderName } from "./calls";
import type { FaultRule } from "./faults";
import { LONG_STRING, summarise, type BytesSummary, type JournalEntry, type JournalRecord } from "./journal";


const text = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The fields of a call that are set, in a fixed order. */
function call(protocol: Call["protocol"], fields: Omit<Call, "protocol">): Call {
  const out: Call = { protocol };
  for (const key of ["operation", "route", "repository", "uploadId", "attempt", "invocationId"] as const) {
    if (fields[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = fields[key];
  }
  return out;
}

function apiCallOf(operation: string | undefined, input: Record<string, unknown> | undefined, caller: Caller): Call {
  return call("api", { operation, repository: text(input?.repositoryName), uploadId: text(input?.uploadId), attempt: caller.attempt, invocationId: caller.invocationId });
}

function registryCallOf(method: string, route: Route | undefined, action: string | undefined, caller: Caller): Call {
  return call("registry", {
    operation: action,
    route: route ? `${method} ${route.kind}` : undefined,
    repository: route && "name" in route ? route.name : undefined,
    uploadId: route?.kind === "upload" ? route.uploadId : undefined,
    attempt: caller.attempt,
    invocationId: caller.invocationId,
  });
}

/** The call an API request is, for matching rules. */
export function apiCall(ex: Exchange): Call {
  return apiCallOf(ex.operation?.name, ex.input ?? ex.members, (ex.notes.caller ??= callerOf(ex.headers, undefined)) as Caller);
}

/** The call a registry request is, for matching rules. */
export function registryCall(ex: RegistryExchange): Call {
  return registryCallOf(ex.method, ex.route, ex.action, (ex.notes.caller ??= callerOf(ex.headers, undefined)) as Caller);
}

/**
 * The headers a caller is worked out from (callerOf), kept without the rest: records outlive the collector's young
 * generation, and a whole header object per record was a fifth of what each one kept.
 */
class CallerHeaders implements Record<CallerHeaderName, string | undefined> {
  readonly authorization: string | undefined;
  readonly "amz-sdk-request": string | undefined;
  readonly "user-agent": string | undefined;
  readonly "amz-sdk-invocation-id": string | undefined;
  constructor(headers: Readonly<Record<string, string>>) {
    this.authorization = headers.authorization;
    this["amz-sdk-request"] = headers["amz-sdk-request"];
    this["user-agent"] = headers["user-agent"];
    this["amz-sdk-invocation-id"] = headers["amz-sdk-invocation-id"];
  }
}

export class ApiRecord implements JournalRecord {
  private readonly started: number;
  private readonly requestId: string;
  private readonly headers: CallerHeaders;
  private readonly operation: string | undefined;
  private readonly accountId: string | undefined;
  /** The request's own input (small), or its summary (large); a streamed blob left out. */
  private readonly input: Record<string, unknown> | undefined;
  private readonly blobMember: string | undefined;
  private readonly blob: BytesSummary | undefined;
  private readonly requestBytes: number;
  private readonly status: number;
  private readonly error: string | undefined;
  /** The answer's JSON, when short; a long one's output is summarised at once. */
  private readonly body: string | undefined;
  private readonly output: unknown;
  private readonly effects: Record<string, unknown> | undefined;
  private readonly durationMs: number;
  private readonly fault: FaultRule | undefined;
  private readonly delivered: boolean;

  constructor(ex: Exchange) {
    this.started = ex.started;
    this.requestId = ex.requestId;
    this.headers = new CallerHeaders(ex.headers);
    // A request refused before routing (a bad signature) is named by its target all the same.
    this.operation = ex.operation?.name ?? ex.headers["x-amz-target"]?.split(".").pop();
    this.accountId = ex.context?.accountId;
    const source = ex.input ?? ex.members;
    this.blobMember = ex.operation?.streaming?.member;
    if (source) {
      let input = source;
      if (this.blobMember !== undefined && this.blobMember in input) {
        const { [this.blobMember]: _blob, ...rest } = input;
        input = rest;
      }
      this.input = ex.requestBytes > LONG_STRING ? (summarise(input) as Record<string, unknown>) : input;
    }
    this.blob = ex.blob;
    this.requestBytes = ex.requestBytes;
    const response = ex.response!;
    this.status = response.statusCode;
    this.error = response.headers["x-amzn-errortype"];
    const body = typeof response.body === "string" ? response.body : undefined;
    if (body !== undefined && body.length <= LONG_STRING) this.body = body;
    else if (this.status < 300 && ex.output !== undefined) this.output = summarise(ex.output);
    this.effects = ex.effects;
    this.durationMs = ex.durationMs;
    this.fault = ex.notes.fault as FaultRule | undefined;
    // What happened, not what the rule meant: a cut past the body's end, say, cut nothing.
    this.delivered = !ex.connectionClosed && ex.notes.truncated !== true;
  }

  entry(seq: number): JournalEntry {
    const caller = callerOf(this.headers, this.accountId);
    const input = this.input === undefined ? undefined : (summarise(this.input) as Record<string, unknown>);
    const entry: JournalEntry = {
      ...apiCallOf(this.operation, input, caller),
      seq,
      time: new Date(this.started).toISOString(),
      requestId: this.requestId,
      caller,
      status: this.status,
      requestBytes: this.requestBytes,
      delivered: this.delivered,
      durationMs: this.durationMs,
    };
    if (input) {
      if (this.blobMember !== undefined && this.blob) input[this.blobMember] = this.blob;
      entry.input = input;
    }
    if (this.blob) entry.body = this.blob;
    const parsed = this.body === undefined ? undefined : parse(this.body);
    if (this.status >= 300) {
      if (this.error !== undefined) entry.error = this.error;
      if (parsed && typeof parsed === "object") {
        const { __type, message, Message, ...rest } = parsed as Record<string, unknown>;
        if (Object.keys(rest).length) entry.errorFields = rest;
      }
    } else if (parsed !== undefined) entry.output = summarise(parsed);
    else if (this.output !== undefined) entry.output = this.output;
    if (this.effects) entry.effects = this.effects;
    if (this.fault) entry.fault = { rule: this.fault.id, effect: this.fault.effect.type };
    return entry;
  }
}

export class RegistryRecord implements JournalRecord {
  private readonly started: number;
  private readonly requestId: string;
  private readonly headers: CallerHeaders;
  private readonly method: string;
  private readonly path: string;
  private readonly route: Route | undefined;
  private readonly action: string | undefined;
  private readonly accountId: string | undefined;
  private readonly requestBytes: number;
  private readonly sha256: string | undefined;
  private readonly status: number;
  private readonly error: string | undefined;
  private readonly effects: Record<string, unknown> | undefined;
  private readonly durationMs: number;
  private readonly fault: FaultRule | undefined;
  private readonly delivered: boolean;

  constructor(ex: RegistryExchange) {
    this.started = ex.started;
    this.requestId = ex.requestId;
    this.headers = new CallerHeaders(ex.headers);
    this.method = ex.method;
    this.path = ex.path;
    this.route = ex.route;
    this.action = ex.action;
    this.accountId = ex.context?.accountId;
    this.requestBytes = ex.body?.received ?? 0;
    this.sha256 = ex.body?.sha256();
    this.status = ex.response?.status ?? 0;
    this.error = ex.error;
    this.effects = ex.effects;
    this.durationMs = ex.durationMs;
    this.fault = ex.notes.fault as FaultRule | undefined;
    // What happened, not what the rule meant: a cut past the body's end, say, cut nothing.
    this.delivered = !ex.connectionClosed && ex.notes.truncated !== true;
  }

  entry(seq: number): JournalEntry {
    const caller = callerOf(this.headers, this.accountId);
    const route = this.route;
    const entry: JournalEntry = {
      ...registryCallOf(this.method, route, this.action, caller),
      seq,
      time: new Date(this.started).toISOString(),
      requestId: this.requestId,
      method: this.method,
      path: this.path,
      caller,
      status: this.status,
      requestBytes: this.requestBytes,
      delivered: this.delivered,
      durationMs: this.durationMs,
    };
    const input: Record<string, unknown> = {};
    if (route && "reference" in route) input.reference = route.reference;
    if (route && "digest" in route) input.digest = route.digest;
    const q = this.path.indexOf("?");
    if (q >= 0) for (const [k, v] of new URLSearchParams(this.path.slice(q + 1))) input[k] = v;
    if (Object.keys(input).length) entry.input = input;
    if (this.requestBytes > 0) entry.body = this.sha256 === undefined ? { length: this.requestBytes } : { length: this.requestBytes, sha256: this.sha256 };
    if (this.error) entry.error = this.error;
    if (this.effects) entry.effects = this.effects;
    if (this.fault) entry.fault = { rule: this.fault.id, effect: this.fault.effect.type };
    return entry;
  }
}

function parse(body: string): unknown {
  if (!body.startsWith("{")) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
