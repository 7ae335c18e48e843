// Storage classes: an archived image cannot be pulled until a restore, which takes a while, brings it back to standard
// storage; pushing the same image again restores it at once.
import { ImageStorageClassUpdateNotSupportedException } from "../../generated/errors";
import type { ImageIdentifier } from "../../generated/types";
import type { ImageStatus, ImageSummary, StorageClass } from "../storage/types";
import { imageNotFound } from "./errors";
import type { Context } from "./handlers/context";
import { requireImage } from "./images";

/** An image's status at `now`: a restore is under way until its completion time. */
export function imageStatus(image: Pick<ImageSummary, "storageClass" | "lastActivatedAt">, now: number): ImageStatus {
  if (image.storageClass === "ARCHIVE") return "ARCHIVED";
  return image.lastActivatedAt !== undefined && image.lastActivatedAt > now ? "ACTIVATING" : "ACTIVE";
}

/** Why an image cannot be pulled now, in words; undefined when it can. */
export function notPullable(image: ImageSummary, now: number): string | undefined {
  switch (imageStatus(image, now)) {
    case "ARCHIVED":
      return "Requested image is archived; restore it to standard storage before pulling it";
    case "ACTIVATING":
      return "Requested image is being restored from archive and cannot be pulled until the restore completes";
    default:
      return undefined;
  }
}

/**
 * Moves the image toward `target`: to archive at once, or back to standard storage once the configured restore time
 * has passed. Asking for the class an image is already in (or being restored to) changes nothing, so a resent request
 * is safe. Its status afterwards.
 */
export async function updateStorageClass(ctx: Context, registryId: string, repository: string, imageId: ImageIdentifier, target: StorageClass): Promise<{ digest: string; status: ImageStatus }> {
  await requireImage(ctx, registryId, repository, imageId);
  return ctx.repositoryLocks.run(`${registryId}/${repository}`, async () => {
    const image = await requireImage(ctx, registryId, repository, imageId);
    const now = ctx.now();
    const status = imageStatus(image, now);
    const unchanged = { digest: image.digest, status };
    if (target === "ARCHIVE") {
      if (status === "ARCHIVED") return unchanged;
      if (status === "ACTIVATING") {
        throw new ImageStorageClassUpdateNotSupportedException({ message: `The image with digest '${image.digest}' is being restored and cannot be archived until the restore completes` });
      }
      // An index whose entry is archived could not be pulled: as with deleting, the index must go first.
      for (const by of await ctx.store.listReferencingImages(registryId, repository, image.digest)) {
        const index = await ctx.store.getImage(registryId, repository, by);
        if (index && imageStatus(index, now) !== "ARCHIVED") {
          throw new ImageStorageClassUpdateNotSupportedException({
            message: `The image with digest '${image.digest}' is referenced by the manifest list '${by}', which is not archived; archive that first`,
          });
        }
      }
      await setStorageClass(ctx, registryId, repository, image.digest, "ARCHIVE", now);
      return { digest: image.digest, status: "ARCHIVED" };
    }
    if (status !== "ARCHIVED") return unchanged;
    const completesAt = now + ctx.settings.archiveRestoreMs;
    await setStorageClass(ctx, registryId, repository, image.digest, "STANDARD", completesAt);
    // A list's archived entries come back with it: it could not be pulled without them.
    for (const digest of image.references) {
      const entry = await ctx.store.getImage(registryId, repository, digest);
      if (entry?.storageClass === "ARCHIVE") await setStorageClass(ctx, registryId, repository, digest, "STANDARD", completesAt);
    }
    return { digest: image.digest, status: imageStatus({ storageClass: "STANDARD", lastActivatedAt: completesAt }, now) };
  });
}

/** Restores an archived (or restoring) image at once, as a push of it does. Call under the repository's lock. */
export async function activateOnPush(ctx: Context, registryId: string, repository: string, image: ImageSummary): Promise<void> {
  await setStorageClass(ctx, registryId, repository, image.digest, "STANDARD", ctx.now());
}

async function setStorageClass(ctx: Context, registryId: string, repository: string, digest: string, storageClass: StorageClass, at: number): Promise<void> {
  if (!(await ctx.store.setStorageClass(registryId, repository, digest, storageClass, at))) {
    throw imageNotFound(registryId, repository, { imageDigest: digest });
  }
}
