// InitiateLayerUpload: a new, empty upload session in an existing repository.
import { randomUUID } from "node:crypto";
import { LimitExceededException } from "../../../generated/errors";
import type { InitiateLayerUploadRequest, InitiateLayerUploadResponse } from "../../../generated/types";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function InitiateLayerUpload(input: InitiateLayerUploadRequest, context: Context): Promise<InitiateLayerUploadResponse> {
  const registryId = registryOf(input, context);
  await requireRepository(context, registryId, input.repositoryName);
  const max = context.settings.maxUploadsPerRepository;
  if ((await context.store.countUploads(registryId, input.repositoryName)) >= max) {
    throw new LimitExceededException({ message: `The repository with name '${input.repositoryName}' already has the maximum of ${max} uploads in progress` });
  }
  const now = context.now();
  const uploadId = randomUUID();
  await context.store.createUpload(registryId, { id: uploadId, repository: input.repositoryName, createdAt: now, touchedAt: now, length: 0, parts: 0 });
  return { uploadId, partSize: context.settings.partSize };
}
