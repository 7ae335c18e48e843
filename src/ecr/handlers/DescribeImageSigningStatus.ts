// DescribeImageSigningStatus: per signing profile that covered the image when it was pushed, whether its signature is
// attached.
import { InvalidParameterException } from "../../../generated/errors";
import type { DescribeImageSigningStatusRequest, DescribeImageSigningStatusResponse } from "../../../generated/types";
import { imageNotFound } from "../errors";
import { resolveImageId } from "../images";
import { registryOf, requireRepository } from "../repositories";
import { signingStatuses } from "../signing";
import type { Context } from "./context";

export async function DescribeImageSigningStatus(input: DescribeImageSigningStatusRequest, context: Context): Promise<DescribeImageSigningStatusResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const found = await resolveImageId(context, registryId, name, input.imageId);
  if ("failure" in found) {
    if (found.failure.failureCode !== "ImageNotFound") throw new InvalidParameterException({ message: found.failure.failureReason! });
    throw imageNotFound(registryId, name, input.imageId);
  }
  const { image } = found;
  return {
    registryId,
    repositoryName: name,
    imageId: { imageDigest: image.digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) },
    signingStatuses: await signingStatuses(context, registryId, name, image),
  };
}
