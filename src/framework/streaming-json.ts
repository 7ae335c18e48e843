// Reads a JSON object body whose one (model-chosen) member is a large base64 blob, without holding the body:
// the other members are parsed as they come, the blob's base64 is checked and decoded as it arrives into a byte
// stream, and that stream ends only once the whole body proved valid (closing brace, limits, nothing after).
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { bodyTooLarge, clientAborted, ProtocolError, serializationError, validationError } from "./errors";

export interface StreamedBlobSpec {
  member: string;
  minBytes?: number;
  maxBytes?: number;
  /** Members that must be known before the handler can start; when the blob comes first it is buffered instead. */
  requiredBefore: readonly string[];
  /** The other modeled members: one of them after a streamed blob is refused (the handler has already started). */
  otherMembers: readonly string[];
}

export interface StreamingLimits {
  /** Raw body bytes beyond this are refused with 413. */
  maxBodyBytes: number;
  /** Checks the whole body's SHA-256 (hex) before the blob may end, e.g. a request signature; throws to refuse. */
  finalize?: (bodySha256: string) => Promise<void>;
}

/** The blob's decoded bytes. It ends only when the request body was read to its end and found valid. */
export class BlobStream extends Readable {
  /** Decoded bytes so far. */
  bytes = 0;
  constructor(private readonly resumeSource: () => void) {
    // Enough to keep the disk busy while the socket is read; more only raises the peak memory of each upload.
    super({ highWaterMark: 512 << 10 });
    // A reader learns of a failed body through its iterator; with none, the failure must not become an uncaught 'error'.
    this.on("error", () => undefined);
  }
  override _read(): void {
    this.resumeSource();
  }
  /** All the bytes, for handlers that want one buffer. */
  async toBuffer(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of this) parts.push(c as Buffer);
    return Buffer.concat(parts);
  }
}

export interface StreamingResult {
  /** The parsed members other than the blob (the blob's key maps to its stream when present). */
  members: Record<string, unknown>;
  blob?: BlobStream;
  /** Settles when the whole body has been read and checked. */
  done: Promise<void>;
  /** Raw body bytes read so far. */
  received(): number;
  /** Whether the body has been read to its end (or failed). */
  settled(): boolean;
  /** Stops reading (the request is answered without the rest of its body). */
  abandon(): void;
  /** Reads the rest of the body without delivering it, so that `done` can settle. */
  drain(): void;
}

const enum S {
  BeforeObject, BeforeKey, Key, AfterKey, BeforeValue, Value, Blob, AfterValue, Done,
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const bad = (message: string) => serializationError(message);

/**
 * Parses `source` (a node stream of the body). Resolves with the members once the handler can start: when the blob
 * value begins (if the required members are known), or at the end of the body.
 */
export function parseStreaming(
  source: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown },
  spec: StreamedBlobSpec,
  limits: StreamingLimits,
): Promise<StreamingResult> {
  return new Promise<StreamingResult>((resolveStart, rejectStart) => {
    let state = S.BeforeObject;
    const members: Record<string, unknown> = {};
    let key = "";
    let keyParts: Buffer[] = [];
    let keyEscaped = false;
    let valueParts: Buffer[] = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let started = false;
    let blob: BlobStream | undefined;
    let streaming = false; // the handler has the blob as a live stream
    const buffered: Buffer[] = []; // decoded bytes held while the blob came before required members
    let carry = ""; // base64 characters not yet decoded (fewer than 4)
    let blobEscape = false;
    const invalidBase64 = () => bad(`Value at '${spec.member}' is not valid base64`);
    let chars = 0;
    let padded = false; // padding was seen: the blob must end there
    let blobSeen = false;
    let finished = false;
    let received = 0;
    let discard = false;
    const rawHash = limits.finalize ? createHash("sha256") : undefined;
    let resolveDone!: () => void;
    let rejectDone!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    done.catch(() => undefined);

    const start = () => {
      if (started) return;
      started = true;
      resolveStart({
        members,
        blob,
        done,
        received: () => received,
        settled: () => finished,
        abandon: () => fail(new ProtocolError("RequestAbandoned", 400, "The request was answered before its body was read")),
        drain: () => {
          discard = true;
          source.resume();
        },
      });
    };
    const fail = (e: Error) => {
      if (finished) return;
      finished = true;
      cleanup();
      if (blob && !blob.destroyed) blob.destroy(e);
      rejectDone(e);
      if (!started) rejectStart(e);
    };
    const emit = (bytes: Buffer) => {
      if (bytes.byteLength === 0) return;
      blob!.bytes += bytes.byteLength;
      if (spec.maxBytes !== undefined && blob!.bytes > spec.maxBytes) {
        throw validationError(
          `1 validation error detected: Value at '${spec.member}' failed to satisfy constraint: Member must have length less than or equal to ${spec.maxBytes}`,
        );
      }
      if (discard) return;
      if (streaming) {
        if (!blob!.push(bytes)) source.pause();
      } else buffered.push(bytes);
    };
    // Node's decoder drops or stops at characters outside base64, so a short result means bad input; it does accept
    // base64url's '-' and '_', which are looked for separately. (A regex over 64 KiB costs ~100x more.)
    const decode = (text: string, final: boolean) => {
      if (padded && text.length) throw invalidBase64();
      const all = carry + text;
      const usable = final ? all.length : all.length - (all.length % 4);
      carry = all.slice(usable);
      if (!usable) return;
      const part = usable === all.length ? all : all.slice(0, usable);
      const pads = part.charCodeAt(usable - 1) === 61 ? (part.charCodeAt(usable - 2) === 61 ? 2 : 1) : 0;
      const bytes = Buffer.from(part, "base64");
      if (bytes.byteLength !== (usable / 4) * 3 - pads) throw invalidBase64();
      if (pads) padded = true;
      emit(bytes);
    };
    const blobChars = (seg: string) => {
      if (seg.indexOf("-") >= 0 || seg.indexOf("_") >= 0) throw invalidBase64();
      chars += seg.length;
      decode(seg, false);
    };
    const endBlob = () => {
      if (chars % 4 !== 0) throw invalidBase64();
      decode("", true);
      if (spec.minBytes !== undefined && blob!.bytes < spec.minBytes) {
        throw validationError(
          `1 validation error detected: Value at '${spec.member}' failed to satisfy constraint: Member must have length greater than or equal to ${spec.minBytes}`,
        );
      }
    };
    const endValue = () => {
      const raw = Buffer.concat(valueParts).toString("utf8");
      valueParts = [];
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (e) {
        throw bad(`The body is not valid JSON: ${(e as Error).message}`);
      }
      if (blobSeen && streaming && spec.otherMembers.includes(key)) {
        throw bad(`Member '${key}' comes after '${spec.member}'; it must come before it`);
      }
      members[key] = value;
      state = S.AfterValue;
    };

    const feed = (chunk: Buffer) => {
      let i = 0;
      const n = chunk.byteLength;
      while (i < n) {
        switch (state) {
          case S.Blob: {
            if (blobEscape) {
              // The previous chunk ended with the backslash of a '\/'.
              if (chunk[i] !== 0x2f) throw invalidBase64();
              blobEscape = false;
              blobChars("/");
              i++;
              continue;
            }
            const quote = chunk.indexOf(0x22, i);
            const stop = quote < 0 ? n : quote;
            if (stop > i) {
              let text = chunk.toString("latin1", i, stop);
              if (text.includes("\\")) {
                // JSON may escape '/' as '\/'; nothing else belongs in base64. A backslash ending the chunk
                // starts an escape that the next chunk finishes.
                if (quote < 0 && trailingBackslashes(text) % 2 === 1) {
                  blobEscape = true;
                  text = text.slice(0, -1);
                }
                text = text.replaceAll("\\/", "/");
                if (text.includes("\\")) throw invalidBase64();
              }
              blobChars(text);
            }
            if (quote < 0) return;
            endBlob();
            i = quote + 1;
            state = S.AfterValue;
            continue;
          }
          case S.Value: {
            const from = i;
            for (; i < n; i++) {
              const c = chunk[i];
              if (inString) {
                if (escaped) escaped = false;
                else if (c === 0x5c) escaped = true;
                else if (c === 0x22) {
                  inString = false;
                  if (depth === 0) {
                    i++;
                    break;
                  }
                }
              } else if (c === 0x22) inString = true;
              else if (c === 0x7b || c === 0x5b) depth++;
              else if (c === 0x7d || c === 0x5d) {
                if (depth === 0) break; // the end of the enclosing object: a primitive ended
                depth--;
                if (depth === 0) {
                  i++;
                  break;
                }
              } else if (depth === 0 && (c === 0x2c || WS.has(c))) break;
            }
            valueParts.push(chunk.subarray(from, i));
            // A value that ends exactly at the chunk's end is finished by the next byte (or by the end of the body).
            if (i < n) endValue();
            continue;
          }
          default: {
            const c = chunk[i];
            if (state === S.Key) {
              const found = findQuote(chunk, i, keyEscaped);
              if (found.quote < 0) {
                keyEscaped = found.escaped;
                keyParts.push(chunk.subarray(i));
                return;
              }
              keyEscaped = false;
              const quote = found.quote;
              keyParts.push(chunk.subarray(i, quote));
              try {
                key = JSON.parse(`"${Buffer.concat(keyParts).toString("utf8")}"`);
              } catch {
                throw bad("The body is not valid JSON: a member name is malformed");
              }
              keyParts = [];
              i = quote + 1;
              state = S.AfterKey;
              continue;
            }
            i++;
            if (WS.has(c)) continue;
            if (state === S.BeforeObject) {
              if (c !== 0x7b) throw bad("The body must be a JSON object");
              state = S.BeforeKey;
            } else if (state === S.BeforeKey) {
              if (c === 0x22) state = S.Key;
              else if (c === 0x7d && Object.keys(members).length === 0 && !blobSeen) state = S.Done;
              else throw bad("The body is not valid JSON: expected a member name");
            } else if (state === S.AfterKey) {
              if (c !== 0x3a) throw bad("The body is not valid JSON: expected ':'");
              state = S.BeforeValue;
            } else if (state === S.BeforeValue) {
              if (key === spec.member && c === 0x22) {
                if (blobSeen) throw bad(`Member '${spec.member}' appears twice`);
                blobSeen = true;
                blob = new BlobStream(() => source.resume());
                members[spec.member] = blob;
                if (spec.requiredBefore.every((m) => members[m] !== undefined && members[m] !== null)) {
                  streaming = true;
                  start();
                }
                state = S.Blob;
              } else {
                if (key === spec.member && c !== 0x6e) throw bad(`Expected a base64 string at '${spec.member}'`); // only null besides
                i--;
                depth = 0;
                inString = false;
                escaped = false;
                state = S.Value;
              }
            } else if (state === S.AfterValue) {
              if (c === 0x2c) state = S.BeforeKey;
              else if (c === 0x7d) state = S.Done;
              else throw bad("The body is not valid JSON: expected ',' or '}'");
            } else if (state === S.Done) {
              throw bad("The body is not valid JSON: unexpected data after the object");
            }
          }
        }
      }
    };

    const onData = (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > limits.maxBodyBytes) return fail(bodyTooLarge(limits.maxBodyBytes));
      rawHash?.update(chunk);
      try {
        feed(chunk);
      } catch (e) {
        fail(e as Error);
      }
    };
    const onEnd = () => {
      cleanup();
      if (finished) return;
      try {
        if (state === S.Value && valueParts.length) endValue(); // a bare primitive ended by the end of input
        if (state !== S.Done) throw bad("The body is not valid JSON: it ends before the object does");
      } catch (e) {
        return fail(e as Error);
      }
      const finish = () => {
        if (finished) return;
        finished = true;
        if (blob && !streaming && !discard) {
          for (const b of buffered) blob.push(b);
        }
        blob?.push(null);
        resolveDone();
        start();
      };
      if (limits.finalize) limits.finalize(rawHash!.digest("hex")).then(finish, fail);
      else finish();
    };
    const onAbort = () => fail(clientAborted());
    const cleanup = () => {
      source.removeListener("data", onData);
      source.removeListener("end", onEnd);
      source.removeListener("error", onAbort);
      source.removeListener("close", onAbort);
    };
    source.on("data", onData);
    source.on("end", onEnd);
    source.on("error", onAbort);
    source.on("close", onAbort);
  });
}

/** The index of the next unescaped quote (-1: none), and whether the chunk ends inside an escape. */
function findQuote(chunk: Buffer, from: number, escaped: boolean): { quote: number; escaped: boolean } {
  for (let i = from; i < chunk.byteLength; i++) {
    if (escaped) escaped = false;
    else if (chunk[i] === 0x5c) escaped = true;
    else if (chunk[i] === 0x22) return { quote: i, escaped: false };
  }
  return { quote: -1, escaped };
}

function trailingBackslashes(text: string): number {
  let n = 0;
  while (n < text.length && text.charCodeAt(text.length - 1 - n) === 0x5c) n++;
  return n;
}
