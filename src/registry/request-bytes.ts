// A request body as the bytes arrive, for the registry protocol's raw uploads: never buffered whole, refused when it
// stalls for longer than the idle timeout (the connection is then closed) or grows past a limit.
import type { IncomingMessage } from "node:http";
import { RegistryError } from "./errors";

export class RequestBytes implements AsyncIterable<Buffer> {
  /** Bytes read so far. */
  received = 0;
  private started = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Whether the body was read to its end, or never started (then the connection cannot carry another request). */
  get consumed(): boolean {
    return this.req.complete;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.started) throw new Error("a request body can be read once");
    this.started = true;
    const source = this.req[Symbol.asyncIterator]();
    // The timer runs only while waiting for bytes, not while the reader (a disk write) holds the body.
    let waiting = false;
    const timer = setTimeout(function onIdle(this: void) {
      if (waiting) stalled();
      else timer.refresh();
    }, this.idleTimeoutMs);
    const req = this.req;
    const ms = this.idleTimeoutMs;
    const stalled = () =>
      req.destroy(new RegistryError(408, "BLOB_UPLOAD_INVALID", `The body stopped arriving: no byte for ${ms} ms`, { connection: "close" }));
    try {
      for (;;) {
        waiting = true;
        timer.refresh();
        const next = await source.next();
        waiting = false;
        if (next.done) break;
        const chunk = next.value as Buffer;
        this.received += chunk.byteLength;
        yield chunk;
      }
    } finally {
      clearTimeout(timer);
    }
    if (!this.req.complete) throw new RegistryError(400, "BLOB_UPLOAD_INVALID", "The client closed the connection before sending the whole body", { connection: "close" });
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
