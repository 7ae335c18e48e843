// The bytes of a streamed blob member, as a handler reads them while the request body is still arriving.
import { Readable } from "node:stream";

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
