// BatchGetImage: images by tag, by digest or both; what cannot be returned is a failure beside the images (see
// pullImage: conversion by tag, lastRecordedPullTime).
import type { BatchGetImageRequest, BatchGetImageResponse, Image, ImageFailure } from "../../../generated/types";
import { pullImage } from "../image-pulls";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function BatchGetImage(input: BatchGetImageRequest, context: Context): Promise<BatchGetImageResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const images: Image[] = [];
  const failures: ImageFailure[] = [];
  for (const imageId of input.imageIds) {
    const result = await pullImage(context, registryId, name, imageId, input.acceptedMediaTypes);
    if ("failure" in result) {
      failures.push(result.failure);
      continue;
    }
    const { digest, manifest, mediaType } = result.pulled;
    images.push({
      registryId,
      repositoryName: name,
      imageId: { imageDigest: digest, ...(imageId.imageTag === undefined ? {} : { imageTag: imageId.imageTag }) },
      imageManifest: manifest,
      imageManifestMediaType: mediaType,
    });
  }
  return { images, failures };
}
