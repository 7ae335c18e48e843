// BatchGetImage: images by tag, by digest or both; what cannot be returned is a failure beside the images. A pull is
// recorded as the image's lastRecordedPullTime.
import type { BatchGetImageRequest, BatchGetImageResponse, Image, ImageFailure } from "../../../generated/types";
import { resolveImageId } from "../images";
import { convertManifest, manifestDigest } from "../manifests";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function BatchGetImage(input: BatchGetImageRequest, context: Context): Promise<BatchGetImageResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const images: Image[] = [];
  const failures: ImageFailure[] = [];

  for (const imageId of input.imageIds) {
    const found = await resolveImageId(context, registryId, name, imageId);
    if ("failure" in found) {
      failures.push(found.failure);
      continue;
    }
    const { image } = found;
    let returned = { digest: image.digest, manifest: image.manifest, mediaType: image.mediaType };
    if (input.acceptedMediaTypes && !input.acceptedMediaTypes.includes(image.mediaType)) {
      // As ECR does, only a pull by tag is converted: a digest names the stored bytes. The converted manifest comes
      // with its own digest, so that a client can verify what it got.
      const converted = imageId.imageDigest === undefined ? convertManifest(image.manifest, image.mediaType, input.acceptedMediaTypes) : undefined;
      if (!converted) {
        failures.push({ imageId, failureCode: "ImageNotFound", failureReason: `The image's manifest media type ${image.mediaType} is not among the accepted media types` });
        continue;
      }
      returned = { ...converted, digest: manifestDigest(converted.manifest) };
    }
    // Most pulls change nothing: the write happens only once the recorded pull is older than the resolution.
    const now = context.now();
    if (image.lastRecordedPullTime === undefined || image.lastRecordedPullTime <= now - context.settings.pullTimeResolutionMs) {
      await context.store.recordPull(registryId, name, image.digest, now, context.settings.pullTimeResolutionMs);
    }
    images.push({
      registryId,
      repositoryName: name,
      imageId: { imageDigest: returned.digest, ...(imageId.imageTag === undefined ? {} : { imageTag: imageId.imageTag }) },
      imageManifest: returned.manifest,
      imageManifestMediaType: returned.mediaType,
    });
  }
  return { images, failures };
}
