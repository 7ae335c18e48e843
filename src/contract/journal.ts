// The request journal: one entry per request, API and registry protocol alike, kept in a ring of bounded size so that
// a long run cannot exhaust memory. Blobs and long strings are summarised (length and SHA-256), never kept.
import { createHash } from "node:crypto";
import { matches, type Call, type CallMatch, type Caller } from "./calls";

/** A blob, a body or a long string as the journal keeps it. */
export interface BytesSummary {
  length: number;
  /** Absent when the bytes were not read whole (a body cut off). */
  sha256?: string;
}

export interface JournalEntry extends Call {
  /** Increases by one per request since the server started (not reset by `reset`). */
  seq: number;
  /** When the request arrived (ISO 8601). */
  time: string;
  requestId: string;
  /** Registry protocol: the method and target (query included). */
  method?: string;
  path?: string;
  caller: Caller;
  /** API: the input's members, blobs and strings over 4 KiB summarised. Registry: the query parameters. */
  input?: Record<string, unknown>;
  /** Raw request body bytes read (of a body cut off: those that arrived). */
  requestBytes: number;
  /** The streamed blob (API) or the raw request body (registry), when there was one. */
  body?: BytesSummary;
  status: number;
  /** The error answered: the API's `__type`, the registry's OCI code. */
  error?: string;
  /** The API error's modeled members besides its message (e.g. lastValidByteReceived). */
  errorFields?: Record<string, unknown>;
  /** The API's output on success, summarised like the input. */
  output?: unknown;
  /** What the request committed, as the domain reports it (e.g. `bytesAppended`, `resend`, `uploadLength`). */
  effects?: Record<string, unknown>;
  /** False when the client never got the answer whole (a fault closed the connection or cut the answer short). */
  delivered: boolean;
  durationMs: number;
  /** The fault rule that fired on the request, and its effect. */
  fault?: { rule: string; effect: string };
}

export const DEFAULT_JOURNAL_SIZE = 1_000;
/** Strings longer than this are kept as their length and digest. */
export const LONG_STRING = 4096;

/**
 * What is kept of a request until someone reads the journal: the facts, cheaply (references to values made for that
 * request alone, big ones already summarised); the entry is worked out from them when first read.
 */
export interface JournalRecord {
  entry(seq: number): JournalEntry;
}

export class Journal {
  private readonly ring: (JournalRecord | JournalEntry | undefined)[];
  private readonly seqs: number[];
  private start = 0;
  private count = 0;
  private seq = 0;

  constructor(readonly capacity: number = DEFAULT_JOURNAL_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError("the journal's size must be a positive integer");
    this.ring = new Array(capacity);
    this.seqs = new Array(capacity);
  }

  /** Adds a request (the oldest goes when full). */
  record(record: JournalRecord): void {
    const at = (this.start + this.count) % this.capacity;
    this.ring[at] = record;
    this.seqs[at] = ++this.seq;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Entries oldest first, those that match `match` (all without one). */
  entries(match?: CallMatch): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      const at = (this.start + i) % this.capacity;
      let e = this.ring[at]!;
      if (!("seq" in e)) this.ring[at] = e = e.entry(this.seqs[at]);
      if (matches(match, e as JournalEntry)) out.push(e as JournalEntry);
    }
    return out;
  }

  /** Entries as JSON lines, oldest first. */
  toJsonLines(match?: CallMatch): string {
    return this.entries(match).map((e) => JSON.stringify(e) + "\n").join("");
  }

  /** How many entries are kept now. */
  get size(): number {
    return this.count;
  }

  reset(): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.count = 0;
  }
}

/** A value for the journal: bytes and long strings become their length and SHA-256. */
export function summarise(value: unknown, depth = 0): unknown {
  if (value instanceof Uint8Array) return { length: value.byteLength, sha256: createHash("sha256").update(value).digest("hex") };
  if (typeof value === "string") {
    return value.length > LONG_STRING ? { length: Buffer.byteLength(value), sha256: createHash("sha256").update(value).digest("hex") } : value;
  }
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== "object" || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => summarise(v, depth + 1));
  // A stream (a blob still arriving) has no place here; the entry's `body` describes it.
  if (typeof (value as { pipe?: unknown }).pipe === "function") return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = summarise(v, depth + 1);
  return out;
}
