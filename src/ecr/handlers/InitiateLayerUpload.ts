// InitiateLayerUpload: a new, empty upload session in an existing repository.
import { randomUUID } from "node:crypto";
import { throttled } from "../../framework";
import type { InitiateLayerUploadRequest, InitiateLayerUploadResponse } from "../../../generated/types";
import { repositoryNotFound } from "../errors";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function InitiateLayerUpload(input: InitiateLayerUploadRequest, context: Context): Promise<InitiateLayerUploadResponse> {
  const registryId = registryOf(input, context);
  const now = context.now();
  const uploadId = randomUUID();
  const upload = { id: uploadId, repository: input.repositoryName, createdAt: now, touchedAt: now, length: 0, parts: 0 };
  // The count and the new upload are one transaction: concurrent calls cannot overshoot the limit.
  switch (await context.store.createUpload(registryId, upload, context.settings)) {
    case "no-repository":
      throw repositoryNotFound(registryId, input.repositoryName);
    case "limit": {
      // InitiateLayerUpload declares no LimitExceededException, and Go SDKs drop undeclared errors to a generic one;
      // AWS's common throttling error is known and retried everywhere, and uploads finish or expire meanwhile.
      const max = context.settings.maxUploadsPerRepository;
      throw throttled(`Rate exceeded: the repository with name '${input.repositoryName}' already has the maximum of ${max} uploads in progress`);
    }
  }
  return { uploadId, partSize: context.settings.partSize };
}
