// InitiateLayerUpload: a new, empty upload session in an existing repository.
import type { InitiateLayerUploadRequest, InitiateLayerUploadResponse } from "../../../generated/types";
import { registryOf } from "../repositories";
import { startUpload } from "../uploads";
import type { Context } from "./context";

export async function InitiateLayerUpload(input: InitiateLayerUploadRequest, context: Context): Promise<InitiateLayerUploadResponse> {
  const uploadId = await startUpload(context, registryOf(input, context), input.repositoryName);
  return { uploadId, partSize: context.settings.partSize };
}
