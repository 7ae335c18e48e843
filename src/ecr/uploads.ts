// Shared by the upload handlers: finding a live upload of the named repository.
import type { UploadRecord } from "../storage/types";
import { uploadNotFound } from "./errors";
import type { Context } from "./handlers/context";

/** The upload, if it belongs to this repository and has not expired; else UploadNotFoundException. */
export async function liveUpload(ctx: Context, registryId: string, repositoryName: string, uploadId: string): Promise<UploadRecord> {
  const upload = await ctx.store.getUpload(registryId, uploadId);
  if (!upload || upload.repository !== repositoryName || upload.touchedAt + ctx.settings.uploadTtlMs <= ctx.now()) {
    throw uploadNotFound(registryId, repositoryName, uploadId);
  }
  return upload;
}

export const SHA256_DIGEST = /^sha256:[0-9a-fA-F]{64}$/;
