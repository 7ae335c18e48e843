// CompleteLayerUpload: checks the parts and the digest, then stores the bytes as a layer of the repository.
// The digest comes from the running hash: completing never re-reads the layer (after a restart, once).
import { EmptyUploadException, InvalidLayerException, LayerAlreadyExistsException, LayerPartTooSmallException } from "../../../generated/errors";
import type { CompleteLayerUploadRequest, CompleteLayerUploadResponse } from "../../../generated/types";
import { uploadNotFound } from "../errors";
import { registryOf } from "../repositories";
import { withLiveUpload } from "../uploads";
import type { Context } from "./context";

export async function CompleteLayerUpload(input: CompleteLayerUploadRequest, context: Context): Promise<CompleteLayerUploadResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, uploadId } = input;
  const { settings, store } = context;

  return withLiveUpload(context, registryId, repositoryName, uploadId, async (upload, session) => {
    if (upload.length === 0) throw new EmptyUploadException({ message: `The upload with id '${uploadId}' has no layer parts` });
    if (upload.smallestEarlierPart !== undefined && upload.smallestEarlierPart < settings.minPartSize) {
      throw new LayerPartTooSmallException({
        message: `Layer part size must be at least ${settings.minPartSize} bytes except for the last part, but a part of upload '${uploadId}' has ${upload.smallestEarlierPart} bytes`,
      });
    }
    const digest = `sha256:${(await session.hashOf(upload.length)).copy().digest("hex")}`;
    if (!input.layerDigests.some((d) => d.toLowerCase() === digest)) {
      throw new InvalidLayerException({
        message: `None of the layer digests [${input.layerDigests.join(", ")}] matches the uploaded bytes, whose digest is ${digest}`,
      });
    }
    if (await store.getLayer(registryId, repositoryName, digest)) {
      throw new LayerAlreadyExistsException({
        message: `The layer with digest '${digest}' already exists in the repository with name '${repositoryName}' in the registry with id '${registryId}'`,
      });
    }
    if (!(await store.completeUpload(registryId, uploadId, { digest, size: upload.length }))) throw uploadNotFound(registryId, repositoryName, uploadId);
    session.forget();
    return { registryId, repositoryName, uploadId, layerDigest: digest };
  });
}
