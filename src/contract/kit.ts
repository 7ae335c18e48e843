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
import type { CallMatch } from "./calls";
import { DiskFaults } from "./disk";
import { Faults, type FaultEffect, type FaultRule } from "./faults";
import { DEFAULT_JOURNAL_SIZE, Journal } from "./journal";
import { ApiRecord, apiCall, RegistryRecord, registryCall } from "./records";

/** Modeled fields of an injected API error that only the domain knows (an upload's committed length, say). */
export type ErrorFields = (error: string, exchange: Exchange) => Promise<Record<string, unknown>>;

export interface ContractKitOptions {
  /** The API's service definition: which errors each operation declares, and their shapes. */
  definition: ServiceDefinition;
  /** Journal entries kept (the oldest go first); default 1,000. */
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
    this.faults = new Faults(
      (error, match, fields) => this.checkError(error, match, fields),
      (operations) => {
        for (const name of operations) if (!Object.hasOwn(this.definition.operations, name)) throw new TypeError(`'${name}' is not an operation of ${this.definition.name}`);
      },
    );
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
    // Not async: with no rule installed a call costs no more promises than without the kit.
    invoke: (ex, next) => (this.faults.idle ? next() : this.invokeApi(ex, next)),
    respond: (ex, response) => {
      const rule = ex.notes.fault as FaultRule | undefined;
      return rule ? this.reshapeApi(rule, ex, response) : response;
    },
    completed: (ex) => this.journal.record(new ApiRecord(ex)),
  };

  private async invokeApi(ex: Exchange, next: () => Promise<unknown>): Promise<unknown> {
    const rule = this.faults.pick(apiCall(ex));
    if (!rule) return next();
    ex.notes.fault = rule;
    const effect = rule.effect;
    if (effect.type === "error") throw await this.apiError(effect, rule, ex);
    if (effect.type === "status") throw new BareStatus("BareStatus", effect.status, "");
    return this.around(effect, ex, next, () => new ProtocolError("RequestAbortedException", 400, "The connection was closed by a fault rule"));
  }

  /** The effects both protocols apply alike around the handler; `aborted` answers a cut of a body that had all arrived. */
  private async around<T>(effect: FaultEffect, ex: { cutRequestAt(bytes: number): boolean }, next: () => Promise<T>, aborted: () => Error): Promise<T> {
    switch (effect.type) {
      case "latency":
        if (effect.phase !== "after") await this.wait(effect.ms);
        return next();
      case "cut-request":
        // A body that had all arrived cannot be cut mid-way: the connection closes, and the call fails before its
        // handler, as it would had the client left.
        if (!ex.cutRequestAt(effect.afterBytes)) throw aborted();
        return next();
      case "disk-full":
        return this.withFullDisk(next);
      default:
        return next();
    }
  }

  private async reshapeApi(rule: FaultRule, ex: Exchange, response: HttpResponse): Promise<HttpResponse> {
    const body = typeof response.body === "string" || response.body instanceof Uint8Array ? Buffer.from(response.body) : Buffer.alloc(0);
    const reshaped = reshape(rule.effect, response.statusCode, response.headers, body, ex);
    if (rule.effect.type === "latency" && rule.effect.phase === "after") await this.wait(rule.effect.ms);
    return reshaped ? new HttpResponse({ statusCode: reshaped.status, headers: reshaped.headers, body: reshaped.body }) : response;
  }

  /** The store's next write fails, if this call makes one: a write it did not make is not left for another call. */
  private async withFullDisk<T>(next: () => Promise<T>): Promise<T> {
    const before = this.disk.pending;
    this.disk.failNextWrite();
    try {
      return await next();
    } finally {
      if (this.disk.pending > before) this.disk.disarm();
    }
  }

  /** A fault's pause; `cancelWaits()` (a reset, a server stopping) ends it early. */
  private waits = new AbortController();
  private wait(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.waits.signal }).catch(() => undefined);
  }
  /** Ends every pause a latency rule is holding. */
  cancelWaits(): void {
    this.waits.abort();
    this.waits = new AbortController();
  }

  private checkError(error: string, match: CallMatch, fields: Record<string, unknown> | undefined): void {
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
    // Fields the rule sets must be the error's own, of their modeled types: the answer stays one the model allows.
    const shape = this.definition.shapes[error];
    for (const [name, value] of Object.entries(fields ?? {})) {
      const member = shape?.type === "structure" ? shape.members[name] : undefined;
      if (!member || name.toLowerCase() === "message") throw new TypeError(`effect.fields.${name} is not a member of ${error}${name.toLowerCase() === "message" ? " to set here (use effect.message)" : ""}`);
      const type = this.definition.shapes[member.target]?.type;
      const ok =
        type === "string" || type === "enum" ? typeof value === "string"
        : type === "integer" || type === "long" || type === "short" || type === "byte" ? Number.isInteger(value)
        : type === "float" || type === "double" ? typeof value === "number"
        : type === "boolean" ? typeof value === "boolean"
        : false;
      if (!ok) throw new TypeError(`effect.fields.${name} must be a ${type ?? "value"} as ${error} models it`);
    }
  }

  private async apiError(effect: Extract<FaultEffect, { type: "error" }>, rule: FaultRule, ex: Exchange): Promise<Error> {
    const message = effect.message ?? `${effect.error} injected by fault rule '${rule.id}'`;
    // The injected answer is the handler's; the body it did not read is drained by the pipeline.
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
    invoke: (ex, next) => (this.faults.idle ? next() : this.invokeRegistry(ex, next)),
    respond: (ex, response) => {
      const rule = ex.notes.fault as FaultRule | undefined;
      return rule ? this.reshapeRegistry(rule, ex, response) : response;
    },
    completed: (ex) => this.journal.record(new RegistryRecord(ex)),
  };

  private async invokeRegistry(ex: RegistryExchange, next: () => Promise<RegistryResponse>): Promise<RegistryResponse> {
    const rule = this.faults.pick(registryCall(ex));
    if (!rule) return next();
    ex.notes.fault = rule;
    const effect = rule.effect;
    // An answer given instead of the handler's comes after the body, read and dropped: a client still sending would
    // otherwise meet a closed connection instead of the answer (the API's pipeline does the same on its own).
    if ((effect.type === "error" || effect.type === "status") && ex.body) for await (const _ of ex.body);
    if (effect.type === "error") throw new RegistryError(effect.status ?? OCI_STATUS[effect.error], effect.error, effect.message ?? `${effect.error} injected by fault rule '${rule.id}'`);
    if (effect.type === "status") return { status: effect.status, headers: {} };
    return this.around(effect, ex, next, () => new RegistryError(400, "BLOB_UPLOAD_INVALID", "The connection was closed by a fault rule", { connection: "close" }));
  }

  private async reshapeRegistry(rule: FaultRule, ex: RegistryExchange, response: RegistryResponse): Promise<RegistryResponse> {
    const body = response.body === undefined ? Buffer.alloc(0) : Buffer.from(response.body);
    const reshaped = reshape(rule.effect, response.status, response.headers ?? {}, body, ex);
    if (rule.effect.type === "latency" && rule.effect.phase === "after") await this.wait(rule.effect.ms);
    return reshaped ? { status: reshaped.status, headers: reshaped.headers, body: reshaped.body } : response;
  }
}

/** The answer as a response-side effect leaves it; undefined when it leaves it alone. */
function reshape(effect: FaultEffect, status: number, headers: Record<string, string>, body: Buffer, ex: { notes: Record<string, unknown>; dropConnection(): boolean }) {
  switch (effect.type) {
    case "status":
      // A connection the pipeline meant to close (a body left unread) stays meant to close.
      return { status: effect.status, headers: { "content-length": "0", ...(headers.connection ? { connection: headers.connection } : {}) }, body: Buffer.alloc(0) };
    case "drop-response":
      ex.dropConnection();
      return undefined;
    case "truncate-response": {
      // The full length is declared and the connection closes after the part sent: the client sees the answer end early.
      const sent = Math.min(effect.bytes ?? Math.floor(body.byteLength / 2), body.byteLength);
      if (sent < body.byteLength) ex.notes.truncated = true;
      return { status, headers: { ...headers, "content-length": String(body.byteLength), connection: "close" }, body: body.subarray(0, sent) };
    }
    case "garble-response":
      return { status, headers: { ...headers, "content-length": String(body.byteLength) }, body: Buffer.alloc(body.byteLength, "~") };
    default:
      return undefined;
  }
}
