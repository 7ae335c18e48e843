// BatchGetImage: images by tag, by digest or both; what cannot be returned is a failure beside the images (see
// pullImage: conversion by tag, lastRecordedPullTime).
import type { BatchGetImageRequest, BatchGetImageResponse, Image, ImageFailure, ImageIdentifier } from "../../../generated/types";
import { pullImage } from "../image-pulls";
import { pullThrough } from "../pull-through/cache";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function BatchGetImage(input: BatchGetImageRequest, context: Context): Promise<BatchGetImageResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  // A repository a pull through cache rule covers may come to be, and its images, by being pulled.
  const upstreamFailures = new Map<ImageIdentifier, string>();
  for (const imageId of input.imageIds) {
    const why = await pullThrough(context, registryId, name, imageId);
    if (why !== undefined) upstreamFailures.set(imageId, why);
  }
  await requireRepository(context, registryId, name);
  const images: Image[] = [];
  const failures: ImageFailure[] = [];
  for (const imageId of input.imageIds) {
    const result = await pullImage(context, registryId, name, imageId, input.acceptedMediaTypes);
    if ("failure" in result) {
      const why = upstreamFailures.get(imageId);
      failures.push(why === undefined ? result.failure : { ...result.failure, failureReason: `${result.failure.failureReason}; the pull through cache could not fetch it: ${why}` });
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
