// CompleteLayerUpload: checks the parts and the digest, then stores the bytes as a layer of the repository.
import type { CompleteLayerUploadRequest, CompleteLayerUploadResponse } from "../../../generated/types";
import { registryOf } from "../repositories";
import { completeLayer } from "../uploads";
import type { Context } from "./context";

export async function CompleteLayerUpload(input: CompleteLayerUploadRequest, context: Context): Promise<CompleteLayerUploadResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, uploadId } = input;
  const layerDigest = await completeLayer(context, registryId, repositoryName, uploadId, input.layerDigests);
  return { registryId, repositoryName, uploadId, layerDigest };
}
