// CompleteLayerUpload: checks the parts and the digest, then stores the bytes as a layer of the repository.
// The digest comes from the running hash: completing never re-reads the layer (after a restart, once).
import type { CompleteLayerUploadRequest, CompleteLayerUploadResponse } from "../../../generated/types";
import { emptyUpload, invalidLayer, layerAlreadyExists, layerPartTooSmall, uploadNotFound } from "../errors";
import { registryOf } from "../repositories";
import { withLiveUpload } from "../uploads";
import type { Context } from "./context";

export async function CompleteLayerUpload(input: CompleteLayerUploadRequest, context: Context): Promise<CompleteLayerUploadResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, uploadId } = input;
  const { settings, store } = context;

  return withLiveUpload(context, registryId, repositoryName, uploadId, async (upload, session) => {
    if (upload.length === 0) throw emptyUpload(registryId, repositoryName, uploadId);
    if (upload.smallestEarlierPart !== undefined && upload.smallestEarlierPart < settings.minPartSize) {
      throw layerPartTooSmall(settings.minPartSize);
    }
    const digest = `sha256:${(await session.hashOf(upload.length)).copy().digest("hex")}`;
    if (!input.layerDigests.some((d) => d.toLowerCase() === digest)) {
      throw invalidLayer();
    }
    if (await store.getLayer(registryId, repositoryName, digest)) {
      throw layerAlreadyExists(registryId, repositoryName, digest);
    }
    if (!(await store.completeUpload(registryId, uploadId, { digest, size: upload.length }))) throw uploadNotFound(registryId, repositoryName, uploadId);
    session.forget();
    return { registryId, repositoryName, uploadId, layerDigest: digest };
  });
}
