// UploadLayerPart: appends the next contiguous byte range to an upload, atomically; a resend of the last accepted
// part (same range, same bytes) is answered as before and appends nothing.
import { LimitExceededException } from "../../../generated/errors";
import type { UploadLayerPartRequest, UploadLayerPartResponse } from "../../../generated/types";
import { invalidLayerPart, uploadNotFound } from "../errors";
import { registryOf, requireRepository } from "../repositories";
import { liveUpload } from "../uploads";
import type { Context } from "./context";

export async function UploadLayerPart(input: UploadLayerPartRequest, context: Context): Promise<UploadLayerPartResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: blob } = input;
  await requireRepository(context, registryId, repositoryName);
  const { settings, store } = context;

  return context.sessions.exclusive(registryId, uploadId, async (session) => {
    const upload = await liveUpload(context, registryId, repositoryName, uploadId);
    const success = { registryId, repositoryName, uploadId, lastByteReceived: last };
    const size = blob.byteLength;
    const reject = (message: string) => invalidLayerPart(registryId, repositoryName, uploadId, upload.length, message);

    if (last < first || last - first + 1 !== size) {
      throw reject(`The part's range ${first}-${last} covers ${Math.max(0, last - first + 1)} bytes but its blob has ${size} bytes`);
    }
    if (first !== upload.length) {
      const previous = upload.lastPart;
      if (previous && previous.first === first && previous.last === last) {
        const stored = await store.readUpload(registryId, uploadId, first, last + 1);
        if (stored.equals(blob)) return success;
      }
      throw reject(`The part must start at byte ${upload.length}, the next byte expected, not at byte ${first}`);
    }
    if (upload.parts + 1 > settings.maxPartsPerLayer) {
      throw new LimitExceededException({ message: `The upload with id '${uploadId}' already has the maximum of ${settings.maxPartsPerLayer} parts` });
    }
    if (upload.length + size > settings.maxLayerBytes) {
      throw new LimitExceededException({ message: `The layer would exceed the maximum size of ${settings.maxLayerBytes} bytes` });
    }

    await session.hashOf(upload.length); // ready before the commit, so that it can take the new bytes after it
    const previousSize = upload.lastPart ? upload.lastPart.last - upload.lastPart.first + 1 : undefined;
    const next = {
      ...upload,
      touchedAt: context.now(),
      length: upload.length + size,
      parts: upload.parts + 1,
      lastPart: { first, last },
      ...(previousSize === undefined ? {} : { smallestEarlierPart: Math.min(upload.smallestEarlierPart ?? previousSize, previousSize) }),
    };
    if (!(await store.appendPart(registryId, uploadId, blob, next))) throw uploadNotFound(registryId, repositoryName, uploadId);
    session.advance(blob);
    return success;
  });
}
