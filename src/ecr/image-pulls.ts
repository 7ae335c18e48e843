// Pulling an image's manifest, whichever protocol asks: the API's BatchGetImage and the registry protocol's manifest
// GET. A pull by tag may be converted between Docker schema 2 and OCI; a pull is recorded as lastRecordedPullTime.
import type { ImageFailure, ImageIdentifier } from "../../generated/types";
import type { Context } from "./handlers/context";
import { resolveImageId } from "./images";
import { convertManifest, manifestDigest } from "./manifests";
import { pullTimeExcluded } from "./pull-time-exclusions";
import { notPullable } from "./storage-classes";

export interface PulledManifest {
  digest: string;
  manifest: string;
  mediaType: string;
}

/**
 * The manifest an image id names, in one of `accepted` media types when given (else as stored). As ECR does, only a
 * pull by tag is converted: a digest names the stored bytes. A converted manifest comes with its own digest.
 */
export async function pullImage(
  ctx: Context,
  registryId: string,
  repository: string,
  imageId: ImageIdentifier,
  accepted: readonly string[] | undefined,
  /** Whether this is a pull (else a look, like the registry protocol's HEAD, which AWS does not record). */
  record = true,
): Promise<{ pulled: PulledManifest } | { failure: ImageFailure }> {
  const found = await resolveImageId(ctx, registryId, repository, imageId);
  if ("failure" in found) return found;
  const { image } = found;
  const now = ctx.now();
  const unpullable = notPullable(image, now);
  if (unpullable) return { failure: { imageId, failureCode: "ImageNotFound", failureReason: unpullable } };
  let pulled: PulledManifest = { digest: image.digest, manifest: image.manifest, mediaType: image.mediaType };
  if (accepted && !accepted.includes(image.mediaType)) {
    const converted = imageId.imageDigest === undefined ? convertManifest(image.manifest, image.mediaType, accepted) : undefined;
    if (!converted) {
      return { failure: { imageId, failureCode: "ImageNotFound", failureReason: `The image's manifest media type ${image.mediaType} is not among the accepted media types` } };
    }
    pulled = { ...converted, digest: manifestDigest(converted.manifest) };
  }
  // Most pulls change nothing: the write happens only once the recorded pull is older than the resolution.
  const stale = image.lastRecordedPullTime === undefined || image.lastRecordedPullTime <= now - ctx.settings.pullTimeResolutionMs;
  if (record && stale && !(await pullTimeExcluded(ctx, registryId))) {
    await ctx.store.recordPull(registryId, repository, image.digest, now, ctx.settings.pullTimeResolutionMs);
  }
  return { pulled };
}
