// Shared by the upload handlers: running alone for one live upload of the named repository.
import type { UploadRecord } from "../storage/types";
import { uploadNotFound } from "./errors";
import type { Context } from "./handlers/context";
import { requireRepository } from "./repositories";
import type { SessionHandle } from "./upload-sessions";

/**
 * Runs `fn` alone for the upload, once the repository exists and the upload belongs to it and has not expired
 * (else RepositoryNotFoundException or UploadNotFoundException, and the upload's running hash is dropped).
 */
export async function withLiveUpload<T>(
  ctx: Context,
  registryId: string,
  repositoryName: string,
  uploadId: string,
  fn: (upload: UploadRecord, session: SessionHandle) => Promise<T>,
): Promise<T> {
  await requireRepository(ctx, registryId, repositoryName);
  return ctx.sessions.exclusive(registryId, uploadId, async (session) => {
    const upload = await ctx.store.getUpload(registryId, uploadId);
    if (!upload || upload.repository !== repositoryName || upload.touchedAt + ctx.settings.uploadTtlMs <= ctx.now()) {
      session.forget();
      throw uploadNotFound(registryId, repositoryName, uploadId);
    }
    return fn(upload, session);
  });
}

export const SHA256_DIGEST = /^sha256:[0-9a-fA-F]{64}$/;
