// BatchGetImage: images by tag, by digest or both; what cannot be returned is a failure beside the images.
import type { BatchGetImageRequest, BatchGetImageResponse, Image, ImageFailure, ImageIdentifier } from "../../../generated/types";
import { TAG } from "../images";
import { convertManifest, DIGEST, manifestDigest } from "../manifests";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function BatchGetImage(input: BatchGetImageRequest, context: Context): Promise<BatchGetImageResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const images: Image[] = [];
  const failures: ImageFailure[] = [];
  const fail = (imageId: ImageIdentifier, failureCode: ImageFailure["failureCode"], failureReason: string) =>
    failures.push({ imageId, failureCode, failureReason });

  for (const imageId of input.imageIds) {
    const { imageDigest, imageTag } = imageId;
    if (imageDigest === undefined && imageTag === undefined) {
      fail(imageId, "MissingDigestAndTag", "Requested image has neither a digest nor a tag");
      continue;
    }
    if (imageDigest !== undefined && !DIGEST.test(imageDigest)) {
      fail(imageId, "InvalidImageDigest", "Invalid request parameters: image digest should satisfy the regex 'sha256:[a-f0-9]{64}'");
      continue;
    }
    if (imageTag !== undefined && !TAG.test(imageTag)) {
      fail(imageId, "InvalidImageTag", `Invalid request parameters: '${imageTag}' is not a valid image tag`);
      continue;
    }
    let digest = imageDigest;
    if (imageTag !== undefined) {
      const tagged = await context.store.resolveTag(registryId, name, imageTag);
      if (tagged === undefined) {
        fail(imageId, "ImageNotFound", "Requested image not found");
        continue;
      }
      if (imageDigest !== undefined && tagged !== imageDigest) {
        fail(imageId, "ImageTagDoesNotMatchDigest", `Tag '${imageTag}' points at digest '${tagged}', not at the requested digest`);
        continue;
      }
      digest = tagged;
    }
    const image = await context.store.getImage(registryId, name, digest!);
    if (!image) {
      fail(imageId, "ImageNotFound", "Requested image not found");
      continue;
    }
    let returned = { digest: image.digest, manifest: image.manifest, mediaType: image.mediaType };
    if (input.acceptedMediaTypes && !input.acceptedMediaTypes.includes(image.mediaType)) {
      // As ECR does, only a pull by tag is converted: a digest names the stored bytes. The converted manifest comes
      // with its own digest, so that a client can verify what it got.
      const converted = imageDigest === undefined ? convertManifest(image.manifest, image.mediaType, input.acceptedMediaTypes) : undefined;
      if (!converted) {
        fail(imageId, "ImageNotFound", `The image's manifest media type ${image.mediaType} is not among the accepted media types`);
        continue;
      }
      returned = { ...converted, digest: manifestDigest(converted.manifest) };
    }
    images.push({
      registryId,
      repositoryName: name,
      imageId: { imageDigest: returned.digest, ...(imageTag === undefined ? {} : { imageTag }) },
      imageManifest: returned.manifest,
      imageManifestMediaType: returned.mediaType,
    });
  }
  return { images, failures };
}
