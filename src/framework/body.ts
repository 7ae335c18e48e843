// Reads a request body into one buffer, refusing early what exceeds the limit.
import type { Readable } from "node:stream";
import { bodyTooLarge, clientAborted, ProtocolError } from "./errors";

export type RequestBody = undefined | null | string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** Default limit: a 20 MiB blob in base64 plus 1 MiB of JSON around it. */
export const DEFAULT_MAX_BODY_BYTES = 4 * Math.ceil((20 * 1024 * 1024) / 3) + 1024 * 1024;


export async function readBody(body: RequestBody, declaredLength: number | undefined, limit: number): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > limit) throw bodyTooLarge(limit);
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return checked(Buffer.from(body), limit);
  if (body instanceof Uint8Array) return checked(Buffer.from(body.buffer, body.byteOffset, body.byteLength), limit);
  if (typeof (body as Readable).on === "function") return readStream(body as Readable, declaredLength, limit);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > limit) throw bodyTooLarge(limit);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, total);
}

function checked(buf: Buffer, limit: number): Buffer {
  if (buf.byteLength > limit) throw bodyTooLarge(limit);
  return buf;
}

/**
 * Collects a node stream. With a declared length the bytes go straight into one buffer of that size. Past the limit it
 * stops listening without destroying the stream, so the 413 can still be written on the same connection.
 */
function readStream(stream: Readable, declaredLength: number | undefined, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const into = declaredLength !== undefined ? Buffer.allocUnsafe(declaredLength) : undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      if (total + chunk.byteLength > (into ? into.byteLength : limit)) {
        cleanup();
        stream.pause();
        reject(into ? new ProtocolError("SerializationException", 400, "The body is longer than its Content-Length") : bodyTooLarge(limit));
        return;
      }
      if (into) chunk.copy(into, total);
      else chunks.push(chunk);
      total += chunk.byteLength;
    };
    const onEnd = () => {
      cleanup();
      if (into && total !== into.byteLength) reject(clientAborted());
      else resolve(into ?? Buffer.concat(chunks, total));
    };
    const onError = () => {
      cleanup();
      reject(clientAborted());
    };
    const onClose = () => {
      cleanup();
      reject(clientAborted());
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("close", onClose);
  });
}
