// UploadLayerPart: appends the next contiguous byte range to an upload (see appendPart: streamed, committed only
// whole, a resend of the last part answered as before).
import type { UploadLayerPartRequest, UploadLayerPartResponse } from "../../../generated/types";
import type { StreamingInput } from "../../framework/definition";
import { uploadNotFound } from "../errors";
import { registryOf } from "../repositories";
import { appendPart } from "../uploads";
import type { Context } from "./context";

export async function UploadLayerPart(
  input: StreamingInput<UploadLayerPartRequest, "layerPartBlob">,
  context: Context,
): Promise<UploadLayerPartResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: blob } = input;
  // JSON's member order is free: a registryId sent after the blob is known only then, and must name this registry.
  const beforeCommit = () => {
    if (registryOf(input, context) !== registryId) throw uploadNotFound(registryId, repositoryName, uploadId);
  };
  await appendPart(context, registryId, repositoryName, uploadId, { first, last, beforeCommit }, blob);
  return { registryId, repositoryName, uploadId, lastByteReceived: last };
}
