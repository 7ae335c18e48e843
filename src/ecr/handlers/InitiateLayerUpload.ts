// InitiateLayerUpload: a new, empty upload session in an existing repository.
import { randomUUID } from "node:crypto";
import type { InitiateLayerUploadRequest, InitiateLayerUploadResponse } from "../../../generated/types";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function InitiateLayerUpload(input: InitiateLayerUploadRequest, context: Context): Promise<InitiateLayerUploadResponse> {
  const registryId = registryOf(input, context);
  await requireRepository(context, registryId, input.repositoryName);
  const now = context.now();
  const uploadId = randomUUID();
  await context.store.createUpload(registryId, { id: uploadId, repository: input.repositoryName, createdAt: now, touchedAt: now, length: 0, parts: 0 });
  return { uploadId, partSize: context.settings.partSize };
}
