// Reads an awsJson request body as it arrives, guided by the model's shape table, holding no more of it than the
// model allows:
// - a member the model does not know is read past, not kept;
// - a list, map, string or blob that grows past its @length maximum is refused as soon as it does, before the rest of
//   the body is read, so that what a request costs is bounded by the model and not by what a client sends;
// - an operation's one streamed blob member (StreamedBlobDescription) goes to the handler as a BlobStream while it
//   arrives; that stream ends only once the whole body has proved valid.
// The result is plain JSON values; `deserialize` turns them into typed input and the validators check the rest.
import { createHash, type Hash } from "node:crypto";
import type { Readable } from "node:stream";
import { isDeepStrictEqual } from "node:util";
import { BlobStream } from "./blob-stream";
import type { ShapeDescription, ShapeTable, StreamingBlobDescription } from "./definition";
import { bodyTooLarge, clientAborted, tooManyValues, ConstraintViolationError, ProtocolError, serializationError } from "./errors";
import { memberPath, type PathSegment } from "./paths";
import { echo, type ConstraintViolation } from "./validation-message";

export type RequestBody = undefined | null | string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** Default limit: a 20 MiB blob in base64 plus 1 MiB of JSON around it. */
export const DEFAULT_MAX_BODY_BYTES = 4 * Math.ceil((20 * 1024 * 1024) / 3) + 1024 * 1024;

/**
 * Default cap on the values a body's kept members hold (every string, number, list, map and structure): what a value
 * costs in memory is many times its bytes in JSON (`{},` is 3 bytes and an object), so a body of lists the model does
 * not bound must not be read into millions of them. Far above what any ECR request needs.
 */
export const DEFAULT_MAX_BODY_VALUES = 100_000;
/** Deeper nesting is refused: no model needs it, and later stages recurse. */
const MAX_DEPTH = 64;
/** The longest number or literal. */
const MAX_TOKEN = 512;
/** A longer member name is no member of any structure: the member is read past. */
const MAX_MEMBER_NAME = 1024;
/**
 * JSON spends at most this many bytes on one character as @length counts them (a code point: `\uXXXX\uXXXX` for
 * one outside the BMP), so a longer raw string is surely too long.
 */
const BYTES_PER_CHAR = 12;

export interface BodyOptions {
  /** Raw body bytes beyond this are refused with 413. */
  maxBodyBytes: number;
  /** Kept values beyond this are refused with 413 (DEFAULT_MAX_BODY_VALUES when absent). */
  maxValues?: number;
  /** Checks the whole body's SHA-256 (hex) before the body counts as valid, e.g. a request signature; throws to refuse. */
  finalize?: (bodySha256: string) => Promise<void>;
  /** The operation's streamed blob member, if it has one. */
  streaming?: StreamingBlobDescription;
  /**
   * A body from which nothing arrives for this long (while the server is ready for more) is refused with 408 and its
   * connection closed: a client that stalls must not hold a slot until the whole request's timeout.
   */
  idleTimeoutMs?: number;
  /**
   * Called with the top-level members once the body has been read, before a streamed blob ends: members that came
   * after the blob reach the handler here. Throws to refuse the body.
   */
  complete?: (members: Record<string, unknown>) => void;
  /** Hash a streamed blob's decoded bytes as they arrive (for a request journal); off by default, as it costs CPU. */
  hashBlob?: boolean;
}

export interface BodyReader {
  /** Resolves once the handler can start: when a streamed blob begins (after the members it needs), or at the end. */
  ready: Promise<void>;
  /** The top-level members read so far (a streamed blob's key maps to its BlobStream). */
  members: Record<string, unknown>;
  /** Settles when the whole body has been read and checked. */
  done: Promise<void>;
  /**
   * Settles once `finalize` (the signature) has judged the whole body, even a body refused early for its content:
   * a signed request's answer must never depend on content nobody proved was signed.
   */
  verified: Promise<void>;
  /** Raw body bytes read so far. */
  received(): number;
  /** Whether the body's verdict is known (read to its end and checked, or refused). */
  settled(): boolean;
  /** Whether the source has ended (or failed): nothing of the body is left unread. */
  ended(): boolean;
  /** Stops reading: the request is answered without the rest of its body, whose connection cannot be reused. */
  abandon(): void;
  /**
   * Reads the rest of the body and drops it (up to the body limit): a client still sending reads the answer instead of
   * a broken pipe, and the connection stays usable. `done` still settles on the whole body.
   */
  drain(): void;
  /** A streamed blob's decoded length so far and, once it ended and `hashBlob` was set, its SHA-256 (hex). */
  blobSummary(): { length: number; sha256?: string } | undefined;
  /**
   * Reads no further than `bytes` of the body, then calls `cut` (which closes the connection): a client cut off
   * mid-body, on purpose. At once when that many have arrived already. False when the whole body had arrived: the
   * connection is closed, but the body read is whole.
   */
  cutAt(bytes: number, cut: () => void): boolean;
}

type Source = NodeJS.ReadableStream & { pause(): unknown; resume(): unknown };

const enum S {
  Start, Value, ValueOrEnd, KeyOrEnd, Key, InKey, Colon, InString, InToken, AfterValue, Blob, Done,
}

/** An object or array being read. */
interface Frame {
  array: boolean;
  /** The container being built; undefined when its content is read past. */
  value: Record<string, unknown> | unknown[] | undefined;
  /** Its shape, when its content is kept and is not a document. */
  shape: ShapeDescription | undefined;
  document: boolean;
  /** Whether its parent keeps it (an empty container stands in when its content is not kept). */
  kept: boolean;
  /** Its @length maximum (items or entries). */
  max: number | undefined;
  count: number;
  /** Where it sits in its parent. */
  at: PathSegment | undefined;
  /** For objects: the current member's name, and whether it was kept (not too long). */
  key: string;
  keyKept: boolean;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const bad = (detail: string) => serializationError(`The body is not valid JSON: ${detail}`);

/** Reads `source`, the body of a request for the operation whose input shape is `input`. */
export function readJsonBody(source: Source, shapes: ShapeTable, input: string, options: BodyOptions): BodyReader {
  return new JsonBodyReader(source, shapes, input, options);
}

// A class rather than closures: one reader per request, and its methods are not re-created each time.
class JsonBodyReader implements BodyReader {
  private readonly spec: StreamingBlobDescription | undefined;
  private stack: Frame[] = [];
  readonly members: Record<string, unknown> = {};
  private state = S.Start;

  // What the value about to be read is (set when it begins).
  private valueKept = false;
  private valueShape: ShapeDescription | undefined;
  private valueDocument = false;
  private valueMax: number | undefined;

  // The string (value or member name) being read.
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private rawBytes = 0;
  private rawLimit = Infinity;
  private keepString = false;
  private backslashes = 0; // consecutive backslashes just before the current position
  private token = "";

  // The streamed blob.
  private blob: BlobStream | undefined;
  private streaming = false; // the handler has the blob as a live stream
  private blobSeen = false;
  private buffered: Buffer[] = []; // decoded bytes held while the blob came before required members
  private carry = ""; // base64 characters not yet decoded (fewer than 4)
  private blobEscape = false;
  private blobChars = 0;
  private padded = false;

  private started = false;
  private finished = false;
  private bytesIn = 0;
  private discard = false;
  private readonly rawHash: Hash | undefined;
  private readonly blobHash: Hash | undefined;
  private blobSha256: string | undefined;
  private cutAfter = Infinity;
  private onCut: (() => void) | undefined;
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  readonly done = new Promise<void>((res, rej) => {
    this.resolveDone = res;
    this.rejectDone = rej;
  });

  private resolveVerified!: () => void;
  private rejectVerified!: (e: Error) => void;
  readonly verified = new Promise<void>((res, rej) => {
    this.resolveVerified = res;
    this.rejectVerified = rej;
  });

  private sourceEnded = false;
  private resolveStart!: () => void;
  private rejectStart!: (e: Error) => void;
  readonly ready = new Promise<void>((res, rej) => {
    this.resolveStart = res;
    this.rejectStart = rej;
  });

  constructor(
    private readonly source: Source,
    private readonly shapes: ShapeTable,
    private readonly input: string,
    private readonly options: BodyOptions,
  ) {
    this.spec = options.streaming;
    this.rawHash = options.finalize ? createHash("sha256") : undefined;
    this.blobHash = options.hashBlob && options.streaming ? createHash("sha256") : undefined;
    this.done.catch(() => undefined);
    this.ready.catch(() => undefined);
    this.verified.catch(() => undefined);
    source.on("data", this.onData);
    source.on("end", this.onEnd);
    source.on("error", this.onAbort);
    source.on("close", this.onAbort);
    this.armIdleTimer();
  }

  received(): number {
    return this.bytesIn;
  }
  settled(): boolean {
    return this.finished;
  }
  ended(): boolean {
    return this.sourceEnded;
  }
  abandon(): void {
    const abandoned = new ProtocolError("RequestAbandoned", 400, "The request was answered before its body was read");
    this.fail(abandoned);
    this.detach(abandoned);
  }
  drain(): void {
    this.discard = true;
    this.resume();
  }
  blobSummary(): { length: number; sha256?: string } | undefined {
    if (!this.blob) return undefined;
    return this.blobSha256 === undefined ? { length: this.blob.bytes } : { length: this.blob.bytes, sha256: this.blobSha256 };
  }
  cutAt(bytes: number, cut: () => void): boolean {
    if (this.sourceEnded) {
      cut();
      return false;
    }
    if (this.bytesIn >= bytes) {
      this.onAbort();
      cut();
      return true;
    }
    this.cutAfter = bytes;
    this.onCut = cut;
    return true;
  }

  // The idle timer runs only while the server waits for bytes: not while a slow handler holds the source paused.
  private idleTimer: NodeJS.Timeout | undefined;
  private pause() {
    this.source.pause();
    clearTimeout(this.idleTimer);
  }
  private resume() {
    if (this.sourceEnded || this.detached) return;
    this.source.resume();
    this.armIdleTimer();
  }
  private armIdleTimer() {
    const ms = this.options.idleTimeoutMs;
    if (ms === undefined || this.sourceEnded) return;
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(this.onIdle, ms).unref();
  }
  private onIdle = () => {
    const answered = this.finished;
    const idle = new ProtocolError("RequestTimeoutException", 408, `The body stopped arriving: no byte for ${this.options.idleTimeoutMs} ms`, { connection: "close" });
    this.fail(idle);
    this.detach(idle);
    // Already answered (its rest was being dropped): nothing else will close the connection.
    if (answered) (this.source as { destroy?: () => void }).destroy?.();
  };

  private start() {
    if (this.started) return;
    this.started = true;
    this.resolveStart();
  }
  /** The verdict is known; reading goes on (dropping bytes) unless the source is detached. */
  private fail(e: Error) {
    if (this.finished) return;
    this.finished = true;
    if (this.blob && !this.blob.destroyed) this.blob.destroy(e);
    this.rejectDone(e);
    if (!this.started) this.rejectStart(e);
  }

  // ---- where things are, for messages ----
  private pathTo(depth: number, last?: PathSegment): PathSegment[] {
    const path: PathSegment[] = [];
    for (let d = 1; d <= depth; d++) path.push(this.stack[d].at as PathSegment);
    if (last !== undefined) path.push(last);
    return path;
  }
  private tooLong(path: PathSegment[], max: number, value: unknown) {
    const v: ConstraintViolation = { path: memberPath(path), constraint: `must have length less than or equal to ${max}` };
    const shown = echo(value);
    return new ConstraintViolationError([shown === undefined ? v : { ...v, value: shown }]);
  }
  /** The position of the value about to begin in the top frame. */
  private position(top: Frame): PathSegment {
    return top.array ? top.count : top.key;
  }

  // ---- values ----
  /** Works out what the value beginning now is, from the frame it is in. */
  private beginValue() {
    const top = this.stack[this.stack.length - 1];
    this.valueKept = false;
    this.valueShape = undefined;
    this.valueDocument = false;
    this.valueMax = undefined;
    if (top.array) {
      // Not echoed: the list's items so far are not the list the client sent.
      if (top.max !== undefined && top.count >= top.max) throw this.tooLong(this.pathTo(this.stack.length - 1), top.max, undefined);
    }
    if (!top.value) return;
    this.valueKept = true;
    if (top.document) {
      this.valueDocument = true;
      return;
    }
    const shape = top.shape!;
    let target: string | undefined;
    if (shape.type === "list") {
      target = shape.member;
      this.valueMax = shape.memberMax;
    } else if (shape.type === "map") {
      target = shape.value;
      this.valueMax = shape.valueMax;
    } else if (shape.type === "structure" || shape.type === "union") {
      const member = top.keyKept && Object.hasOwn(shape.members, top.key) ? shape.members[top.key] : undefined;
      if (member) {
        target = member.target;
        this.valueMax = member.max;
      } else if (shape.type === "union") {
        this.valueDocument = true; // an unknown union member is kept: deserialize reports it as $unknown
        return;
      } else {
        this.valueKept = false; // not in the model: read past
        return;
      }
    }
    this.valueShape = target === undefined ? undefined : this.shapes[target];
    if (this.valueShape?.type === "document") this.valueDocument = true;
  }

  private keptValues = 0;
  private store(value: unknown) {
    const top = this.stack[this.stack.length - 1];
    if (top.value) {
      if (++this.keptValues > (this.options.maxValues ?? DEFAULT_MAX_BODY_VALUES)) throw tooManyValues(this.options.maxValues ?? DEFAULT_MAX_BODY_VALUES);
      if (top.array) (top.value as unknown[]).push(value);
      else {
        const object = top.value as Record<string, unknown>;
        if (top.shape?.type === "map") {
          // Entries as deserialize will see them: a repeated key counts once (the last wins), a null not at all.
          const counts = (v: unknown) => v !== undefined && (v !== null || top.shape!.type === "map" && top.shape!.sparse === true);
          top.count += Number(counts(value)) - Number(Object.hasOwn(object, top.key) && counts(object[top.key]));
          if (top.max !== undefined && top.count > top.max) throw this.tooLong(this.pathTo(this.stack.length - 1), top.max, undefined);
        }
        if (this.blobSeen && this.stack.length === 1 && Object.hasOwn(object, top.key) && !isDeepStrictEqual(object[top.key], value)) {
          // The handler may already act on the first value (it starts at the blob): a different one cannot be honoured.
          throw serializationError(`Member '${top.key}' appears again after '${this.spec!.member}' with another value`);
        }
        if (top.key === "__proto__") Object.defineProperty(object, top.key, { value, enumerable: true, writable: true, configurable: true });
        else object[top.key] = value;
      }
    }
    if (top.array) top.count++;
  }

  private endScalar(value: unknown) {
    if (this.valueKept) this.store(value);
    else if (this.stack[this.stack.length - 1].array) this.stack[this.stack.length - 1].count++;
    this.state = S.AfterValue;
  }

  private open(array: boolean) {
    if (this.stack.length >= MAX_DEPTH) throw serializationError(`The body nests deeper than ${MAX_DEPTH} levels`);
    const top = this.stack[this.stack.length - 1];
    const fits = this.valueDocument || (array ? this.valueShape?.type === "list" : this.valueShape?.type === "structure" || this.valueShape?.type === "union" || this.valueShape?.type === "map");
    const keep = this.valueKept && fits;
    this.stack.push({
      array,
      value: keep ? (array ? [] : {}) : undefined,
      shape: keep && !this.valueDocument ? this.valueShape : undefined,
      document: keep && this.valueDocument,
      kept: this.valueKept,
      max: keep ? this.valueMax : undefined,
      count: 0,
      at: top ? this.position(top) : undefined,
      key: "",
      keyKept: false,
    });
    this.state = array ? S.ValueOrEnd : S.KeyOrEnd;
  }

  private close() {
    const frame = this.stack.pop()!;
    if (this.stack.length === 0) {
      this.state = S.Done;
      return;
    }
    // A container where the model wants something else stays, empty, so that deserialize names the mismatch.
    if (frame.kept) this.store(frame.value ?? (frame.array ? [] : {}));
    else if (this.stack[this.stack.length - 1].array) this.stack[this.stack.length - 1].count++;
    this.state = S.AfterValue;
  }

  // ---- strings ----
  private beginString(keep: boolean, limit: number) {
    this.parts = [];
    this.partsBytes = 0;
    this.rawBytes = 0;
    this.rawLimit = limit;
    this.keepString = keep;
    this.backslashes = 0;
    this.skipState = 0;
  }
  // A string read past is not kept, yet must be valid JSON as JSON.parse would judge it: no raw control character, and
  // only JSON's escapes. 0: plain; 1: after a backslash; n > 1: n - 1 hex digits of a \u escape to go.
  private skipState = 0;
  private checkSkipped(bytes: Buffer, from: number, to: number) {
    let st = this.skipState;
    for (let k = from; k < to; k++) {
      const c = bytes[k];
      if (st === 0) {
        if (c === 0x5c) st = 1;
        else if (c < 0x20) throw bad("a string is malformed");
      } else if (st === 1) {
        if (c === 0x75) st = 5;
        else if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) st = 0;
        else throw bad("a string is malformed");
      } else {
        const hex = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
        if (!hex) throw bad("a string is malformed");
        st = st === 2 ? 0 : st - 1;
      }
    }
    this.skipState = st;
  }
  /**
   * Reads string bytes from `i`; the index after the closing quote, or -1 when the chunk ends inside the string.
   * A kept string's bytes are in `parts` (from earlier chunks) and `chunk[tailFrom, tailTo)`.
   */
  private scanString(chunk: Buffer, i: number, onTooLong: () => Error | undefined): number {
    let from = i;
    for (;;) {
      const quote = chunk.indexOf(0x22, from);
      const end = quote < 0 ? chunk.byteLength : quote;
      // The quote is escaped when an odd number of backslashes runs up to it (possibly from an earlier chunk).
      let run = 0;
      while (end - 1 - run >= from && chunk[end - 1 - run] === 0x5c) run++;
      if (end - 1 - run < from) run += this.backslashes;
      const closes = quote >= 0 && run % 2 === 0;
      if (quote >= 0 && !closes) {
        this.backslashes = 0;
        from = quote + 1;
        continue;
      }
      if (!this.keepString) this.checkSkipped(chunk, i, end);
      this.rawBytes += end - i;
      this.tailFrom = i;
      this.tailTo = end;
      if (this.rawBytes > this.rawLimit) {
        if (this.keepString) this.pushTail(chunk);
        const refusal = onTooLong();
        if (refusal) throw refusal;
      }
      if (closes) {
        if (this.skipState !== 0) throw bad("a string is malformed"); // a cut escape: `"\u12"`
        return quote + 1;
      }
      if (this.keepString) this.pushTail(chunk);
      this.backslashes = run;
      return -1;
    }
  }
  private tailFrom = 0;
  private tailTo = 0;
  private pushTail(chunk: Buffer) {
    if (this.tailTo > this.tailFrom) {
      this.parts.push(chunk.subarray(this.tailFrom, this.tailTo));
      this.partsBytes += this.tailTo - this.tailFrom;
    }
    this.tailFrom = this.tailTo;
  }
  /** The string just closed in `chunk`. */
  private stringValue(chunk: Buffer): string {
    if (this.parts.length === 0) {
      // All in this chunk (the usual case): no copy, and no JSON.parse unless it has escapes.
      for (let k = this.tailFrom; k < this.tailTo; k++) {
        const c = chunk[k];
        if (c === 0x5c || c < 0x20) return this.unescape(chunk.toString("utf8", this.tailFrom, this.tailTo));
      }
      return chunk.toString("utf8", this.tailFrom, this.tailTo);
    }
    this.pushTail(chunk);
    const raw = Buffer.concat(this.parts, this.partsBytes).toString("utf8");
    this.parts = [];
    return this.unescape(raw);
  }
  private unescape(raw: string): string {
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      throw bad("a string is malformed");
    }
  }
  /** The start of a string that was too long, for the message. */
  private stringPrefix(): string | undefined {
    const raw = Buffer.concat(this.parts, this.partsBytes).subarray(0, 512).toString("utf8");
    for (let cut = 0; cut < 12 && cut < raw.length; cut++) {
      try {
        return JSON.parse(`"${raw.slice(0, raw.length - cut)}"`) as string;
      } catch {
        // a cut escape or character: try a shorter prefix
      }
    }
    return undefined;
  }
  /** How many raw bytes the string value beginning now may take before it is surely over its maximum. */
  private stringLimit(): number {
    if (!this.valueKept || this.valueMax === undefined) return Infinity;
    if (this.valueShape?.type === "blob") return 6 * 4 * Math.ceil(this.valueMax / 3); // base64, each character possibly as `\u00XX`
    if (this.valueShape?.type === "string" || this.valueShape?.type === "enum") return BYTES_PER_CHAR * this.valueMax;
    return Infinity;
  }

  // ---- the streamed blob ----
  private invalidBase64(): Error {
    return serializationError(`Value at '${this.spec!.member}' is not valid base64`);
  }
  private emit(bytes: Buffer) {
    if (bytes.byteLength === 0) return;
    this.blob!.bytes += bytes.byteLength;
    this.blobHash?.update(bytes);
    if (this.spec!.maxBytes !== undefined && this.blob!.bytes > this.spec!.maxBytes) throw this.tooLong([this.spec!.member], this.spec!.maxBytes, undefined);
    if (this.discard) return;
    if (this.streaming) {
      if (!this.blob!.push(bytes)) this.pause();
    } else this.buffered.push(bytes);
  }
  // Node's decoder drops or stops at characters outside base64, so a short result means bad input; it does accept
  // base64url's '-' and '_', which are looked for separately. (A regex over 64 KiB costs ~100x more.)
  private decode(text: string, final: boolean) {
    if (this.padded && text.length) throw this.invalidBase64();
    const all = this.carry + text;
    const usable = final ? all.length : all.length - (all.length % 4);
    this.carry = all.slice(usable);
    if (!usable) return;
    const part = usable === all.length ? all : all.slice(0, usable);
    const pads = part.charCodeAt(usable - 1) === 61 ? (part.charCodeAt(usable - 2) === 61 ? 2 : 1) : 0;
    const bytes = Buffer.from(part, "base64");
    if (bytes.byteLength !== (usable / 4) * 3 - pads) throw this.invalidBase64();
    if (pads) this.padded = true;
    this.emit(bytes);
  }
  private base64(seg: string) {
    if (seg.indexOf("-") >= 0 || seg.indexOf("_") >= 0) throw this.invalidBase64();
    this.blobChars += seg.length;
    this.decode(seg, false);
  }
  private endBlob() {
    if (this.blobChars % 4 !== 0) throw this.invalidBase64();
    this.decode("", true);
    if (this.spec!.minBytes !== undefined && this.blob!.bytes < this.spec!.minBytes) {
      throw new ConstraintViolationError([{ path: this.spec!.member, constraint: `must have length greater than or equal to ${this.spec!.minBytes}` }]);
    }
  }
  /** Reads blob characters from `i`; the index after the closing quote, or -1 when the chunk ends inside the blob. */
  private scanBlob(chunk: Buffer, i: number): number {
    const n = chunk.byteLength;
    if (this.blobEscape) {
      // The previous chunk ended with the backslash of a '\/'.
      if (chunk[i] !== 0x2f) throw this.invalidBase64();
      this.blobEscape = false;
      this.base64("/");
      i++;
    }
    const quote = chunk.indexOf(0x22, i);
    const stop = quote < 0 ? n : quote;
    if (stop > i) {
      let text = chunk.toString("latin1", i, stop);
      if (text.includes("\\")) {
        // JSON may escape '/' as '\/'; nothing else belongs in base64. A backslash ending the chunk starts an escape
        // that the next chunk finishes.
        if (quote < 0 && trailingBackslashes(text) % 2 === 1) {
          this.blobEscape = true;
          text = text.slice(0, -1);
        }
        text = text.replaceAll("\\/", "/");
        if (text.includes("\\")) throw this.invalidBase64();
      }
      this.base64(text);
    }
    if (quote < 0) return -1;
    this.endBlob();
    return quote + 1;
  }
  private atBlob(): boolean {
    return this.spec !== undefined && this.stack.length === 1 && this.stack[0].key === this.spec.member;
  }

  // ---- the state machine ----
  private feed(chunk: Buffer) {
    const n = chunk.byteLength;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case S.InString: {
          const top = this.stack[this.stack.length - 1];
          // A blob is never echoed.
          const shown = () => (this.valueShape?.type === "blob" ? undefined : this.stringPrefix());
          const next = this.scanString(chunk, i, () => this.tooLong(this.pathTo(this.stack.length - 1, this.position(top)), this.valueMax!, shown()));
          if (next < 0) return;
          i = next;
          this.endScalar(this.keepString ? this.stringValue(chunk) : undefined);
          continue;
        }
        case S.InKey: {
          const top = this.stack[this.stack.length - 1];
          const next = this.scanString(chunk, i, () => {
            // A map key over its maximum is refused; a structure's overlong member name is just not kept.
            if (top.shape?.type === "map") {
              const key = this.stringPrefix();
              return this.tooLong(this.pathTo(this.stack.length - 1, key?.slice(0, 64)), top.shape.keyMax!, key);
            }
            const kept = Buffer.concat(this.parts, this.partsBytes);
            this.checkSkipped(kept, 0, kept.byteLength);
            this.keepString = false;
            this.parts = [];
            this.rawLimit = Infinity;
            return undefined;
          });
          if (next < 0) return;
          i = next;
          top.keyKept = this.keepString;
          top.key = this.keepString ? this.stringValue(chunk) : "";
          this.state = S.Colon;
          continue;
        }
        case S.InToken: {
          const from = i;
          while (i < n) {
            const c = chunk[i];
            if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
            i++;
          }
          this.token += chunk.toString("latin1", from, i);
          if (this.token.length > MAX_TOKEN) throw bad("a number or literal is too long");
          if (i < n) this.endToken();
          continue;
        }
        case S.Blob: {
          const next = this.scanBlob(chunk, i);
          if (next < 0) return;
          i = next;
          this.state = S.AfterValue;
          continue;
        }
        default:
          break;
      }
      const c = chunk[i++];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      switch (this.state) {
        case S.Start:
          if (c !== 0x7b) throw serializationError("The body must be a JSON object");
          this.stack.push({ array: false, value: this.members, shape: this.shapes[this.input], document: false, kept: true, max: undefined, count: 0, at: undefined, key: "", keyKept: false });
          this.state = S.KeyOrEnd;
          break;
        case S.KeyOrEnd:
        case S.Key: {
          if (c === 0x7d && this.state === S.KeyOrEnd) {
            this.close();
            break;
          }
          if (c !== 0x22) throw bad("expected a member name");
          const top = this.stack[this.stack.length - 1];
          // A map's key is bounded by its @length; a structure's member name by the longest one worth keeping.
          const shape = top.value !== undefined && !top.document ? top.shape : undefined;
          const limit = shape?.type === "map" ? BYTES_PER_CHAR * (shape.keyMax ?? Infinity) : shape ? MAX_MEMBER_NAME : Infinity;
          this.beginString(top.value !== undefined, limit);
          this.state = S.InKey;
          break;
        }
        case S.Colon:
          if (c !== 0x3a) throw bad("expected ':'");
          this.state = S.Value;
          break;
        case S.Value:
        case S.ValueOrEnd: {
          if (c === 0x5d && this.state === S.ValueOrEnd) {
            this.close();
            break;
          }
          if (this.atBlob() && c !== 0x6e) {
            // The streamed blob: a base64 string, or null (read as a literal below).
            if (c !== 0x22) throw serializationError(`Expected a base64 string at '${this.spec!.member}'`);
            if (this.blobSeen) throw serializationError(`Member '${this.spec!.member}' appears twice`);
            this.blobSeen = true;
            this.blob = new BlobStream(() => this.resume());
            this.members[this.spec!.member] = this.blob;
            if (this.spec!.requiredBefore.every((m) => this.members[m] !== undefined && this.members[m] !== null)) {
              this.streaming = true;
              this.start();
            }
            this.state = S.Blob;
            break;
          }
          this.beginValue();
          if (c === 0x7b) this.open(false);
          else if (c === 0x5b) this.open(true);
          else if (c === 0x22) {
            this.beginString(this.valueKept, this.stringLimit());
            this.state = S.InString;
          } else if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x3a) throw bad("expected a value");
          else {
            this.token = String.fromCharCode(c);
            this.state = S.InToken;
          }
          break;
        }
        case S.AfterValue: {
          const top = this.stack[this.stack.length - 1];
          if (c === 0x2c) this.state = top.array ? S.Value : S.Key;
          else if (c === (top.array ? 0x5d : 0x7d)) this.close();
          else throw bad(top.array ? "expected ',' or ']'" : "expected ',' or '}'");
          break;
        }
        case S.Done:
          throw bad("unexpected data after the object");
      }
    }
  }

  private endToken() {
    let value: unknown;
    if (this.token === "true") value = true;
    else if (this.token === "false") value = false;
    else if (this.token === "null") value = null;
    else if (NUMBER.test(this.token)) value = Number(this.token);
    else throw bad(`unexpected '${this.token.slice(0, 16)}'`);
    this.token = "";
    this.endScalar(value);
  }

  private onData = (chunk: Buffer) => {
    this.idleTimer?.refresh();
    if (this.bytesIn + chunk.byteLength >= this.cutAfter) return this.cutOff(chunk);
    this.bytesIn += chunk.byteLength;
    if (this.bytesIn > this.options.maxBodyBytes) {
      this.fail(bodyTooLarge(this.options.maxBodyBytes));
      return this.detach(bodyTooLarge(this.options.maxBodyBytes));
    }
    this.rawHash?.update(chunk);
    if (this.finished) return; // refused already: the rest is only hashed, for the signature
    try {
      this.feed(chunk);
    } catch (e) {
      this.fail(e as Error);
    }
  };
  private cutOff(chunk: Buffer) {
    const cut = this.onCut!;
    const keep = this.cutAfter - this.bytesIn;
    this.cutAfter = Infinity;
    this.onCut = undefined;
    this.onData(chunk.subarray(0, keep));
    // As when the client goes away: the handler sees the body fail, so nothing of it commits.
    this.onAbort();
    cut();
  }
  private onEnd = () => {
    this.sourceEnded = true;
    this.detach();
    const signature = this.options.finalize ? this.options.finalize(this.rawHash!.digest("hex")) : Promise.resolve();
    signature.then(this.resolveVerified, this.rejectVerified);
    if (this.finished) return;
    try {
      // An empty body is an empty object (SDKs send none for operations without input members).
      if (this.state === S.Start && this.bytesIn === 0) this.state = S.Done;
      if (this.state !== S.Done) throw this.state === S.Start ? serializationError("The body must be a JSON object") : bad("it ends before the object does");
    } catch (e) {
      return this.fail(e as Error);
    }
    const finish = () => {
      if (this.finished) return;
      try {
        this.options.complete?.(this.members);
      } catch (e) {
        return this.fail(e as Error);
      }
      this.finished = true;
      if (this.blob && !this.streaming && !this.discard) for (const b of this.buffered) this.blob.push(b);
      this.blob?.push(null);
      // Only a body read to its end and found valid has a blob digest worth reporting.
      if (this.blobHash) this.blobSha256 = this.blobHash.digest("hex");
      this.resolveDone();
      this.start();
    };
    if (this.options.finalize) signature.then(finish, (e: Error) => this.fail(e));
    else finish();
  };
  private onAbort = () => {
    this.sourceEnded = true;
    this.detach(clientAborted());
    this.fail(clientAborted());
  };
  /** Reads no more: a flowing stream would go on reading (and dropping) the rest. */
  private detached = false;
  /** `unread`: why the body will not be read to its end (its signature can then not be judged). */
  private detach(unread?: Error) {
    if (unread) this.rejectVerified(unread);
    this.detached = true;
    clearTimeout(this.idleTimer);
    this.source.pause();
    this.source.removeListener("data", this.onData);
    this.source.removeListener("end", this.onEnd);
    this.source.removeListener("error", this.onAbort);
    this.source.removeListener("close", this.onAbort);
  }
}

function trailingBackslashes(text: string): number {
  let n = 0;
  while (n < text.length && text.charCodeAt(text.length - 1 - n) === 0x5c) n++;
  return n;
}
