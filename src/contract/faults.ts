// Fault rules: which calls (a CallMatch), when (the next N, every one, or with a seeded probability), and what goes
// wrong (a FaultEffect). Rules are tried in the order they were added; the first that fires decides the call.
import { checkMatch, matches, type Call, type CallMatch } from "./calls";

export type FaultEffect =
  /**
   * An error answer. On the API: one the operation declares (its modeled fields filled from the input and the stored
   * state, `fields` over them), or ThrottlingException. On the registry protocol: an OCI error code such as
   * TOOMANYREQUESTS, with its usual status unless `status` says otherwise.
   */
  | { type: "error"; error: string; message?: string; fields?: Record<string, unknown>; status?: number }
  /** A bare status with an empty body, as a load balancer in front would answer (500, 502, 503, 504). */
  | { type: "status"; status: number }
  /** A pause before the handler runs, or after it ran and before the answer. */
  | { type: "latency"; ms: number; phase?: "before" | "after" }
  /** The connection closes after this many bytes of the request body: the handler sees its body cut off. */
  | { type: "cut-request"; afterBytes: number }
  /** The handler runs (and commits); the connection closes before the answer is written. */
  | { type: "drop-response" }
  /** The answer declares its full length, sends `bytes` of it (half by default), and the connection closes. */
  | { type: "truncate-response"; bytes?: number }
  /** The answer's body is replaced by as many bytes that are not JSON. */
  | { type: "garble-response" }
  /** The store's next write fails as a full disk does (ENOSPC), and the request goes on to meet it. */
  | { type: "disk-full" };

export interface FaultRuleInput {
  /** Given, or `rule-<n>`. */
  id?: string;
  match?: CallMatch;
  effect: FaultEffect;
  /** Matching calls to let through before the rule fires (2: the third matching call is the first it fails). */
  skip?: number;
  /** How many matching calls it fires on (after `skip`); every one when absent. */
  times?: number;
  /** Fires on each matching call with this probability (0–1), drawn from a generator seeded with `seed`. */
  probability?: number;
  /** The seed of `probability`'s generator (default 1): the same calls in the same order fire the same way. */
  seed?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  match: CallMatch;
  /** Matching calls seen so far. */
  matched: number;
  /** Calls it fired on so far. */
  fired: number;
}

/** Each effect's fields: required ones first, then optional ones after the `?`. */
const EFFECT_FIELDS: Record<FaultEffect["type"], { required: string[]; optional: string[] }> = {
  error: { required: ["error"], optional: ["message", "fields", "status"] },
  status: { required: ["status"], optional: [] },
  latency: { required: ["ms"], optional: ["phase"] },
  "cut-request": { required: ["afterBytes"], optional: [] },
  "drop-response": { required: [], optional: [] },
  "truncate-response": { required: [], optional: ["bytes"] },
  "garble-response": { required: [], optional: [] },
  "disk-full": { required: [], optional: [] },
};
const EFFECTS = Object.keys(EFFECT_FIELDS);
const RULE_KEYS = ["id", "match", "effect", "skip", "times", "probability", "seed"];
/** The longest pause a latency rule may ask for: a rule must not hold a request (or a server's stop) for ever. */
export const MAX_LATENCY_MS = 120_000;
/** Checks the operations a rule names (the API's, which the registry's routes are named after too). */
export type OperationCheck = (operations: string[]) => void;

/** Checks an effect and that its error suits the calls it can match; `checkError` knows the API's operations. */
export type ErrorCheck = (error: string, match: CallMatch, fields: Record<string, unknown> | undefined) => void;

export class Faults {
  private rules: Rule[] = [];
  private next = 1;

  constructor(
    private readonly checkError: ErrorCheck,
    private readonly checkOperations: OperationCheck,
  ) {}

  /** Adds a rule after the others; returns it as stored (with its id). Throws a TypeError for a rule that cannot work. */
  add(input: FaultRuleInput): FaultRule {
    const rule = new Rule(this.check(input), input.id ?? `rule-${this.next++}`);
    if (this.rules.some((r) => r.id === rule.id)) throw new TypeError(`a rule with id '${rule.id}' exists already`);
    this.rules.push(rule);
    return rule.view();
  }
  /** Removes a rule; false when there was none with that id. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }
  clear(): void {
    this.rules = [];
  }
  list(): FaultRule[] {
    return this.rules.map((r) => r.view());
  }
  /** Whether any rule is installed (the hooks' fast path). */
  get idle(): boolean {
    return this.rules.length === 0;
  }

  /** The rule that fires on this call, if any (counting the call against every rule it matches up to that one). */
  pick(call: Call): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!matches(rule.match, call)) continue;
      if (rule.fires()) return rule.view();
    }
    return undefined;
  }

  private check(input: FaultRuleInput): Omit<FaultRuleInput, "id"> & { match: CallMatch } {
    if (typeof input !== "object" || input === null) throw new TypeError("a rule must be an object");
    if (input.id !== undefined && (typeof input.id !== "string" || !/^[\w.-]{1,64}$/.test(input.id))) throw new TypeError("id must be 1-64 letters, digits, '.', '_' or '-'");
    for (const key of Object.keys(input)) if (!RULE_KEYS.includes(key)) throw new TypeError(`'${key}' is not part of a rule (${RULE_KEYS.join(", ")})`);
    const match = { ...checkMatch(input.match) };
    if (match.operation !== undefined) this.checkOperations([match.operation].flat());
    const e = input.effect as FaultEffect | undefined;
    if (!e || typeof e !== "object" || !EFFECTS.includes(e.type)) throw new TypeError(`effect.type must be one of ${EFFECTS.join(", ")}`);
    const fields = EFFECT_FIELDS[e.type];
    for (const key of Object.keys(e)) {
      if (key !== "type" && !fields.required.includes(key) && !fields.optional.includes(key)) throw new TypeError(`effect.${key} is not a field of a ${e.type} effect (${[...fields.required, ...fields.optional].join(", ") || "none"})`);
    }
    for (const key of fields.required) if ((e as Record<string, unknown>)[key] === undefined) throw new TypeError(`a ${e.type} effect needs effect.${key}`);
    const status = (v: unknown, name: string) => {
      count(v, name, 400);
      if (v !== undefined && (v as number) > 599) throw new TypeError(`${name} must be at most 599`);
    };
    const count = (v: unknown, name: string, min = 0) => {
      if (v !== undefined && (!Number.isInteger(v) || (v as number) < min)) throw new TypeError(`${name} must be an integer of at least ${min}`);
    };
    count(input.skip, "skip");
    count(input.times, "times", 1);
    if (input.probability !== undefined && !(typeof input.probability === "number" && input.probability >= 0 && input.probability <= 1)) throw new TypeError("probability must be between 0 and 1");
    count(input.seed, "seed");
    switch (e.type) {
      case "error":
        if (typeof e.error !== "string" || !e.error) throw new TypeError("effect.error must name an error");
        // An OCI code (upper case) is the registry protocol's; a shape name the API's.
        match.protocol ??= /^[A-Z_]+$/.test(e.error) ? "registry" : "api";
        if (match.protocol === "api" && match.route !== undefined) throw new TypeError("an API error cannot match a registry route");
        if (match.protocol === "api" && e.status !== undefined) throw new TypeError("effect.status is for registry errors: an API error has its modeled status");
        if (match.protocol === "registry" && e.fields !== undefined) throw new TypeError("effect.fields is for API errors: a registry error has a code and a message");
        status(e.status, "effect.status");
        if (e.message !== undefined && typeof e.message !== "string") throw new TypeError("effect.message must be a string");
        if (e.fields !== undefined && (typeof e.fields !== "object" || e.fields === null || Array.isArray(e.fields))) throw new TypeError("effect.fields must be an object");
        this.checkError(e.error, match, e.fields);
        break;
      case "status":
        status(e.status, "effect.status");
        break;
      case "latency":
        count(e.ms, "effect.ms");
        if (e.ms > MAX_LATENCY_MS) throw new TypeError(`effect.ms must be at most ${MAX_LATENCY_MS}`);
        if (e.phase !== undefined && e.phase !== "before" && e.phase !== "after") throw new TypeError("effect.phase must be before or after");
        break;
      case "cut-request":
        count(e.afterBytes, "effect.afterBytes");
        break;
      case "truncate-response":
        count(e.bytes, "effect.bytes");
        break;
    }
    return structuredClone({ ...input, match, effect: e });
  }
}

class Rule {
  matched = 0;
  fired = 0;
  private readonly random: (() => number) | undefined;
  constructor(
    private readonly input: Omit<FaultRuleInput, "id"> & { match: CallMatch },
    readonly id: string,
  ) {
    this.random = input.probability === undefined ? undefined : mulberry32(input.seed ?? 1);
  }
  get match(): CallMatch {
    return this.input.match;
  }
  fires(): boolean {
    this.matched++;
    if (this.matched <= (this.input.skip ?? 0)) return false;
    if (this.input.times !== undefined && this.fired >= this.input.times) return false;
    // Drawn for every eligible call, so that the sequence depends only on the calls.
    if (this.random && this.random() >= this.input.probability!) return false;
    this.fired++;
    return true;
  }
  /** A copy: changing it changes nothing of the rule. */
  view(): FaultRule {
    return { ...structuredClone(this.input), id: this.id, matched: this.matched, fired: this.fired };
  }
}

/** A small seeded generator (Tommy Ettinger's mulberry32): reproducible, and good enough to pick calls. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
