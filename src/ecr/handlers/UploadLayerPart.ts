// UploadLayerPart: appends the next contiguous byte range to an upload. The blob streams in: its bytes are written
// and hashed as they arrive, and the part is committed only once the whole request proved valid; anything else
// (a wrong length, a bad body, a dropped connection) truncates what was written and rolls the hash back.
// A resend of the last accepted part (same range, same bytes) is answered as before and appends nothing.
import { LimitExceededException } from "../../../generated/errors";
import type { UploadLayerPartRequest, UploadLayerPartResponse } from "../../../generated/types";
import type { BlobStream, StreamingInput } from "../../framework/definition";
import { invalidLayerPart, uploadNotFound } from "../errors";
import { registryOf } from "../repositories";
import { withLiveUpload } from "../uploads";
import type { Context } from "./context";

export async function UploadLayerPart(
  input: StreamingInput<UploadLayerPartRequest, "layerPartBlob">,
  context: Context,
): Promise<UploadLayerPartResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: blob } = input;
  const { settings, store } = context;

  return withLiveUpload(context, registryId, repositoryName, uploadId, async (upload, session) => {
    const success = { registryId, repositoryName, uploadId, lastByteReceived: last };
    const reject = (message: string) => invalidLayerPart(registryId, repositoryName, uploadId, upload.length, message);
    const size = last - first + 1;

    if (last < first) throw reject(`The part's last byte ${last} comes before its first byte ${first}`);
    if (first !== upload.length) {
      const previous = upload.lastPart;
      if (previous && previous.first === first && previous.last === last) {
        if (await sameBytes(blob, await store.readUpload(registryId, uploadId, first, last + 1))) return success;
      }
      throw reject(`The part must start at byte ${upload.length}, the next byte expected, not at byte ${first}`);
    }
    if (upload.parts + 1 > settings.maxPartsPerLayer) {
      throw new LimitExceededException({ message: `The upload with id '${uploadId}' already has the maximum of ${settings.maxPartsPerLayer} parts` });
    }
    if (upload.length + size > settings.maxLayerBytes) {
      throw new LimitExceededException({ message: `The layer would exceed the maximum size of ${settings.maxLayerBytes} bytes` });
    }

    const hash = await session.hashOf(upload.length);
    const before = hash.copy();
    let received = 0;
    async function* counted() {
      for await (const chunk of blob) {
        received += chunk.byteLength;
        if (received > size) throw reject(`The part's range ${first}-${last} covers ${size} bytes but its blob is longer`);
        hash.update(chunk);
        yield chunk;
      }
    }
    const previousSize = upload.lastPart ? upload.lastPart.last - upload.lastPart.first + 1 : undefined;
    try {
      if ((await store.writePart(registryId, uploadId, counted())) === undefined) throw uploadNotFound(registryId, repositoryName, uploadId);
      if (received !== size) throw reject(`The part's range ${first}-${last} covers ${size} bytes but its blob has ${received} bytes`);
      // JSON's member order is free: a registryId sent after the blob is known only now, and must name this registry.
      if (registryOf(input, context) !== registryId) throw uploadNotFound(registryId, repositoryName, uploadId);
      const next = {
        ...upload,
        touchedAt: context.now(),
        length: upload.length + size,
        parts: upload.parts + 1,
        lastPart: { first, last },
        ...(previousSize === undefined ? {} : { smallestEarlierPart: Math.min(upload.smallestEarlierPart ?? previousSize, previousSize) }),
      };
      if (!(await store.commitPart(registryId, uploadId, next))) throw uploadNotFound(registryId, repositoryName, uploadId);
    } catch (e) {
      session.replace(before, upload.length);
      await store.abortPart(registryId, uploadId);
      throw e;
    }
    session.replace(hash, upload.length + size);
    return success;
  });
}

/** Whether the streamed blob is exactly `stored`; stops reading at the first difference. */
async function sameBytes(blob: BlobStream, stored: Buffer): Promise<boolean> {
  let at = 0;
  for await (const chunk of blob as AsyncIterable<Buffer>) {
    if (at + chunk.byteLength > stored.byteLength || !chunk.equals(stored.subarray(at, at + chunk.byteLength))) return false;
    at += chunk.byteLength;
  }
  return at === stored.byteLength;
}
