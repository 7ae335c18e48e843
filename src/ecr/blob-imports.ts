// Layers the server brings into a repository itself (a replicated image's, an upstream image's), through the same
// upload sessions a client's push uses: the same quotas and limits, and a digest checked against the bytes.
import type { Context } from "./handlers/context";
import { cancelUpload, completeLayer, appendPart, startUpload } from "./uploads";

/**
 * Makes the blob a layer of the repository: nothing to do when it is one, a mount when the registry stores it already,
 * else its bytes from `open` (checked against the digest).
 */
export async function importBlob(
  ctx: Context,
  registryId: string,
  repository: string,
  /** As the manifest describes it: the bytes must be exactly this many. */
  blob: { digest: string; size: number },
  open: () => Promise<AsyncIterable<Uint8Array>>,
): Promise<void> {
  const { digest, size } = blob;
  const { store } = ctx;
  if (await store.getLayer(registryId, repository, digest)) return;
  if ((await store.openBlob(registryId, digest)) && (await ctx.repositoryLocks.run(`${registryId}/${repository}`, () => store.addLayer(registryId, repository, digest)))) return;
  const uploadId = await startUpload(ctx, registryId, repository);
  try {
    // The size bounds what is read: a source sending more is cut off there.
    await appendPart(ctx, registryId, repository, uploadId, { first: 0, last: size - 1 }, await open());
    await completeLayer(ctx, registryId, repository, uploadId, [digest]);
  } catch (e) {
    await cancelUpload(ctx, registryId, repository, uploadId).catch(() => undefined);
    // Another copy of the same blob finished first.
    if (await store.getLayer(registryId, repository, digest)) return;
    throw e;
  }
}
