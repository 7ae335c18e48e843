// The contract-testing kit: fault rules and a request journal, plugged into the API's and the registry protocol's
// pipelines through their hooks. Idle (no rule installed) it only records the journal.
import { setTimeout as sleep } from "node:timers/promises";
import { HttpResponse } from "@smithy/protocol-http";
import type { Exchange, ServiceHooks } from "../framework/hooks";
import type { ServiceDefinition } from "../framework/definition";
import { ProtocolError, throttled } from "../framework/errors";
import type { RegistryExchange, RegistryHooks } from "../registry/hooks";
import { RegistryError } from "../registry/errors";
import type { RegistryResponse } from "../registry/exchange";
import { callerOf, type Call, type CallMatch } from "./calls";
import { DiskFaults } from "./disk";
import { Faults, type FaultEffect, type FaultRule } from "./faults";
import { DEFAULT_JOURNAL_SIZE, Journal, summarise, type JournalEntry } from "./journal";

/** Modeled fields of an injected API error that only the domain knows (an upload's committed length, say). */
export type ErrorFields = (error: string, exchange: Exchange) => Promise<Record<string, unknown>>;

export interface ContractKitOptions {
  /** The API's service definition: which errors each operation declares, and their shapes. */
  definition: ServiceDefinition;
  /** Journal entries kept (the oldest go first); default 10,000. */
  journalSize?: number;
  errorFields?: ErrorFields;
}

// OCI Distribution's error codes and their usual statuses; TOOMANYREQUESTS and UNAVAILABLE as registries answer them.
const OCI_STATUS: Record<string, number> = {
  BLOB_UNKNOWN: 404, BLOB_UPLOAD_INVALID: 400, BLOB_UPLOAD_UNKNOWN: 404, DIGEST_INVALID: 400, MANIFEST_BLOB_UNKNOWN: 404,
  MANIFEST_INVALID: 400, MANIFEST_UNKNOWN: 404, NAME_INVALID: 400, NAME_UNKNOWN: 404, SIZE_INVALID: 400,
  UNAUTHORIZED: 401, DENIED: 403, UNSUPPORTED: 405, TOOMANYREQUESTS: 429, UNKNOWN: 500, UNAVAILABLE: 503,
};
const THROTTLING = "ThrottlingException";
/** Effects after which the client never has the whole answer. */
const UNDELIVERED = new Set(["cut-request", "drop-response", "truncate-response"]);

/** Thrown to answer with a bare status; the respond hook writes it. */
class BareStatus extends ProtocolError {}

export class ContractKit {
  readonly faults: Faults;
  readonly journal: Journal;
  /** The embedded store's disk switch (a `disk-full` rule arms it; tests may too). */
  readonly disk = new DiskFaults();
  private readonly definition: ServiceDefinition;
  private readonly errorFields: ErrorFields | undefined;

  constructor(options: ContractKitOptions) {
    this.definition = options.definition;
    this.errorFields = options.errorFields;
    this.journal = new Journal(options.journalSize ?? DEFAULT_JOURNAL_SIZE);
    this.faults = new Faults((error, match) => this.checkError(error, match));
  }

  /** Clears the rules, the journal and an armed disk fault. */
  reset(): void {
    this.faults.clear();
    this.journal.reset();
    this.disk.reset();
  }

  // ---- the API ----

  readonly apiHooks: ServiceHooks = {
    hashBlobs: true,
    invoke: async (ex, next) => {
      if (this.faults.idle) return next();
      const rule = this.faults.pick(apiCall(ex));
      if (!rule) return next();
      ex.notes.fault = rule;
      const effect = rule.effect;
      switch (effect.type) {
        case "error":
          throw await this.apiError(effect, rule, ex);
        case "status":
          throw new BareStatus("BareStatus", effect.status, "");
        case "latency":
          if (effect.phase !== "after") await sleep(effect.ms);
          return next();
        case "cut-request":
          // A body that had all arrived cannot be cut mid-way: the call fails before its handler, as the client left.
          if (!ex.cutRequestAt(effect.afterBytes)) throw new ProtocolError("RequestAbortedException", 400, "The connection was closed by a fault rule");
          return next();
        case "disk-full":
          this.disk.failNextWrite();
          return next();
        default:
          return next();
      }
    },
    respond: async (ex, response) => {
      const rule = ex.notes.fault as FaultRule | undefined;
      if (!rule) return response;
      const body = typeof response.body === "string" || response.body instanceof Uint8Array ? Buffer.from(response.body) : Buffer.alloc(0);
      const reshaped = reshape(rule.effect, response.statusCode, response.headers, body, () => ex.dropConnection());
      if (rule.effect.type === "latency" && rule.effect.phase === "after") await sleep(rule.effect.ms);
      return reshaped ? new HttpResponse({ statusCode: reshaped.status, headers: reshaped.headers, body: reshaped.body }) : response;
    },
    completed: (ex) => this.journal.record(apiEntry(ex)),
  };

  private checkError(error: string, match: CallMatch): void {
    if (match.protocol === "registry") {
      if (!Object.hasOwn(OCI_STATUS, error)) throw new TypeError(`'${error}' is not an OCI error code (${Object.keys(OCI_STATUS).join(", ")})`);
      return;
    }
    if (error === THROTTLING) return;
    const operations = match.operation === undefined ? Object.keys(this.definition.operations) : [match.operation].flat();
    for (const name of operations) {
      const op = this.definition.operations[name];
      if (!op) throw new TypeError(`'${name}' is not an operation of ${this.definition.name}`);
      if (!op.errors.includes(error)) {
        throw new TypeError(`${name} does not declare ${error}${match.operation === undefined ? " (name the operations the rule is for)" : ""}; it declares ${op.errors.join(", ")} (and any call may be throttled: ${THROTTLING})`);
      }
    }
  }

  private async apiError(effect: Extract<FaultEffect, { type: "error" }>, rule: FaultRule, ex: Exchange): Promise<Error> {
    const message = effect.message ?? `${effect.error} injected by fault rule '${rule.id}'`;
    if (effect.error === THROTTLING) return throttled(message);
    const shape = this.definition.shapes[effect.error];
    const members = shape?.type === "structure" ? Object.keys(shape.members) : [];
    const input = ex.input ?? {};
    // Fields as the operation would fill them: the input's members of the same name, the caller's registry, then the
    // domain's view of the stored state, then what the rule says.
    const fields: Record<string, unknown> = {};
    for (const m of members) {
      if (input[m] !== undefined && typeof input[m] !== "object") fields[m] = input[m];
      else if (m === "registryId" && ex.context) fields[m] = ex.context.accountId;
    }
    Object.assign(fields, this.errorFields ? await this.errorFields(effect.error, ex) : {}, effect.fields, { message });
    return new this.definition.errorClasses[effect.error](fields);
  }

  // ---- the registry protocol ----

  readonly registryHooks: RegistryHooks = {
    hashBodies: true,
    invoke: async (ex, next) => {
      if (this.faults.idle) return next();
      const rule = this.faults.pick(registryCall(ex));
      if (!rule) return next();
      ex.notes.fault = rule;
      const effect = rule.effect;
      // An answer given instead of the handler's comes after the body, read and dropped: a client still sending would
      // otherwise meet a closed connection instead of the answer (the API's pipeline does the same on its own).
      if ((effect.type === "error" || effect.type === "status") && ex.body) for await (const _ of ex.body);
      switch (effect.type) {
        case "error":
          throw new RegistryError(effect.status ?? OCI_STATUS[effect.error], effect.error, effect.message ?? `${effect.error} injected by fault rule '${rule.id}'`);
        case "status":
          return { status: effect.status, headers: {} };
        case "latency":
          if (effect.phase !== "after") await sleep(effect.ms);
          return next();
        case "cut-request":
          if (!ex.cutRequestAt(effect.afterBytes)) throw new RegistryError(400, "BLOB_UPLOAD_INVALID", "The connection was closed by a fault rule", { connection: "close" });
          return next();
        case "disk-full":
          this.disk.failNextWrite();
          return next();
        default:
          return next();
      }
    },
    respond: async (ex, response): Promise<RegistryResponse> => {
      const rule = ex.notes.fault as FaultRule | undefined;
      if (!rule) return response;
      const body = response.body === undefined ? Buffer.alloc(0) : Buffer.from(response.body);
      const reshaped = reshape(rule.effect, response.status, response.headers ?? {}, body, () => ex.dropConnection());
      if (rule.effect.type === "latency" && rule.effect.phase === "after") await sleep(rule.effect.ms);
      return reshaped ? { status: reshaped.status, headers: reshaped.headers, body: reshaped.body } : response;
    },
    completed: (ex) => this.journal.record(registryEntry(ex)),
  };
}

/** The answer as a response-side effect leaves it; undefined when it leaves it alone. */
function reshape(effect: FaultEffect, status: number, headers: Record<string, string>, body: Buffer, drop: () => void) {
  switch (effect.type) {
    case "status":
      return { status: effect.status, headers: { "content-length": "0" }, body: Buffer.alloc(0) };
    case "drop-response":
      drop();
      return undefined;
    case "truncate-response": {
      // The full length is declared and the connection closes after the part sent: the client sees the answer end early.
      const sent = Math.min(effect.bytes ?? Math.floor(body.byteLength / 2), body.byteLength);
      return { status, headers: { ...headers, "content-length": String(body.byteLength), connection: "close" }, body: body.subarray(0, sent) };
    }
    case "garble-response":
      return { status, headers: { ...headers, "content-length": String(body.byteLength) }, body: Buffer.alloc(body.byteLength, "~") };
    default:
      return undefined;
  }
}

const text = (v: unknown) => (typeof v === "string" ? v : undefined);

function callerNotes(ex: { notes: Record<string, unknown>; headers: Readonly<Record<string, string>>; context?: { accountId: string } }) {
  return (ex.notes.caller ??= callerOf(ex.headers, ex.context?.accountId)) as ReturnType<typeof callerOf>;
}

function apiCall(ex: Exchange): Call {
  const input = ex.input ?? ex.members ?? {};
  const caller = callerNotes(ex);
  return withDefined({ protocol: "api", operation: ex.operation?.name, repository: text(input.repositoryName), uploadId: text(input.uploadId), attempt: caller.attempt, invocationId: caller.invocationId });
}

function registryCall(ex: RegistryExchange): Call {
  const route = ex.route;
  const caller = callerNotes(ex);
  return withDefined({
    protocol: "registry",
    operation: ex.action,
    route: route ? `${ex.method} ${route.kind}` : undefined,
    repository: route && "name" in route ? route.name : undefined,
    uploadId: route?.kind === "upload" ? route.uploadId : undefined,
    attempt: caller.attempt,
    invocationId: caller.invocationId,
  });
}

function apiEntry(ex: Exchange): Omit<JournalEntry, "seq"> {
  const call = apiCall(ex);
  // The caller's account is known only once authenticated; look again.
  if (ex.context) callerNotes(ex).accountId = ex.context.accountId;
  const response = ex.response!;
  const rule = ex.notes.fault as FaultRule | undefined;
  const status = response.statusCode;
  const entry: Omit<JournalEntry, "seq"> = { ...call, seq: 0, time: new Date(ex.started).toISOString(), requestId: ex.requestId, caller: callerNotes(ex), status, delivered: !(rule && UNDELIVERED.has(rule.effect.type)), durationMs: ex.durationMs, requestBytes: ex.requestBytes } as JournalEntry;
  const source = ex.input ?? ex.members;
  if (source) {
    const input = summarise(source) as Record<string, unknown>;
    const blobMember = ex.operation?.streaming?.member;
    if (blobMember && ex.blob) input[blobMember] = ex.blob;
    entry.input = input;
  }
  if (ex.blob) entry.body = ex.blob;
  if (status >= 300) {
    entry.error = response.headers["x-amzn-errortype"];
    const fields = parseErrorBody(response.body);
    if (fields) {
      const { __type, message, Message, ...rest } = fields;
      if (Object.keys(rest).length) entry.errorFields = rest;
    }
  } else if (ex.output !== undefined) entry.output = summarise(ex.output);
  if (ex.effects) entry.effects = ex.effects;
  if (rule) entry.fault = { rule: rule.id, effect: rule.effect.type };
  return entry;
}

function registryEntry(ex: RegistryExchange): Omit<JournalEntry, "seq"> {
  const call = registryCall(ex);
  if (ex.context) callerNotes(ex).accountId = ex.context.accountId;
  const rule = ex.notes.fault as FaultRule | undefined;
  const q = ex.path.indexOf("?");
  const input: Record<string, unknown> = {};
  const route = ex.route;
  if (route && "reference" in route) input.reference = route.reference;
  if (route && "digest" in route) input.digest = route.digest;
  if (q >= 0) for (const [k, v] of new URLSearchParams(ex.path.slice(q + 1))) input[k] = v;
  const entry = { ...call, seq: 0, time: new Date(ex.started).toISOString(), requestId: ex.requestId, method: ex.method, path: ex.path, caller: callerNotes(ex), status: ex.response?.status ?? 0, delivered: !(rule && UNDELIVERED.has(rule.effect.type)), durationMs: ex.durationMs, requestBytes: ex.body?.received ?? 0 } as JournalEntry;
  if (Object.keys(input).length) entry.input = input;
  const received = ex.body?.received ?? 0;
  if (received > 0) {
    const sha256 = ex.body!.sha256();
    entry.body = sha256 === undefined ? { length: received } : { length: received, sha256 };
  }
  if (ex.error) entry.error = ex.error;
  if (ex.effects) entry.effects = ex.effects;
  if (rule) entry.fault = { rule: rule.id, effect: rule.effect.type };
  return entry;
}

function parseErrorBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== "string" || !body.startsWith("{")) return undefined;
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function withDefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
