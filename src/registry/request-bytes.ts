// A request body as the bytes arrive, for the registry protocol's raw uploads: never buffered whole, refused when it
// stalls for longer than the idle timeout (the connection is then closed). The socket is read ahead of the disk by up
// to 1 MiB, and what has arrived meanwhile is handed on as one chunk: fewer, larger writes, and the client keeps
// sending while a write is under way.
import { createHash, type Hash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import { RegistryError } from "./errors";

const READ_AHEAD = 1 << 20;

export class RequestBytes implements AsyncIterable<Buffer> {
  /** Bytes read so far. */
  received = 0;
  private started = false;
  private readonly hash: Hash | undefined;
  private digest: string | undefined;
  private cutAfter = Infinity;
  private onCut: (() => void) | undefined;

  /** `hashed`: keep the SHA-256 of the bytes read (for a request journal). */
  constructor(
    private readonly req: IncomingMessage,
    private readonly idleTimeoutMs: number,
    hashed = false,
  ) {
    this.hash = hashed ? createHash("sha256") : undefined;
  }

  /** The SHA-256 (hex) of the body, once it was read to its end with hashing on. */
  sha256(): string | undefined {
    return this.digest;
  }

  /**
   * Closes the connection once `bytes` have been read, as a client that went away would: the reader sees the body fail.
   * False when the body had been read whole already (only the connection is closed then).
   */
  cutAt(bytes: number, onCut: () => void): boolean {
    const cut = () => {
      this.req.socket.destroy();
      onCut();
    };
    if (this.digest !== undefined || this.req.complete) {
      cut();
      return false;
    }
    this.cutAfter = bytes;
    this.onCut = cut;
    if (this.received >= bytes) cut();
    return true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.started) throw new Error("a request body can be read once");
    this.started = true;
    const req = this.req;
    const ahead = new PassThrough({ highWaterMark: READ_AHEAD });
    let failure: Error | undefined;
    let ended = false;
    let wake: (() => void) | undefined;
    const signal = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const fail = (e: Error) => {
      failure ??= e;
      signal();
    };
    const cutOff = () => fail(new RegistryError(400, "BLOB_UPLOAD_INVALID", "The client closed the connection before sending the whole body", { connection: "close" }));
    req.on("error", fail);
    req.on("aborted", cutOff);
    ahead.on("readable", signal);
    ahead.on("end", () => {
      ended = true;
      signal();
    });
    req.pipe(ahead);
    // A client that left while this request waited (for an upload's lock) is not waited for.
    if (!req.complete && (req.destroyed || req.socket?.destroyed)) cutOff();
    // The timer runs only while waiting for bytes, not while the reader (a disk write) holds the body.
    const ms = this.idleTimeoutMs;
    let waiting = false;
    const timer = setTimeout(function onIdle() {
      if (!waiting) return void timer.refresh();
      // Answered (408, and the connection closed after it) rather than cut off, so that the client learns why.
      fail(new RegistryError(408, "BLOB_UPLOAD_INVALID", `The body stopped arriving: no byte for ${ms} ms`, { connection: "close" }));
    }, ms);
    try {
      for (;;) {
        if (failure) throw failure;
        let chunk = ahead.read() as Buffer | null;
        if (chunk !== null) {
          if (this.received + chunk.byteLength >= this.cutAfter) {
            chunk = chunk.subarray(0, this.cutAfter - this.received);
            this.onCut?.();
            cutOff();
          }
          this.received += chunk.byteLength;
          this.hash?.update(chunk);
          if (chunk.byteLength) yield chunk;
          continue;
        }
        if (ended) break;
        waiting = true;
        timer.refresh();
        await new Promise<void>((resolve) => (wake = resolve));
        waiting = false;
      }
    } finally {
      clearTimeout(timer);
      req.unpipe(ahead);
      req.off("error", fail);
      req.off("aborted", cutOff);
    }
    if (!req.complete) cutOff();
    if (failure) throw failure;
    if (this.hash) this.digest = this.hash.digest("hex");
  }

  /** The whole body as one buffer, refused past `max` bytes (a manifest). */
  async read(max: number, tooLarge: () => Error): Promise<Buffer> {
    const declared = Number(this.req.headers["content-length"] ?? 0);
    if (declared > max) throw tooLarge();
    const parts: Buffer[] = [];
    for await (const chunk of this) {
      if (this.received > max) throw tooLarge();
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }
}
