// DescribeImageSigningStatus: per signing profile that covered the image when it was pushed, whether its signature is
// attached.
import type { DescribeImageSigningStatusRequest, DescribeImageSigningStatusResponse } from "../../../generated/types";
import { requireImage } from "../images";
import { registryOf, requireRepository } from "../repositories";
import { signingStatuses } from "../signing";
import type { Context } from "./context";

export async function DescribeImageSigningStatus(input: DescribeImageSigningStatusRequest, context: Context): Promise<DescribeImageSigningStatusResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const image = await requireImage(context, registryId, name, input.imageId);
  return {
    registryId,
    repositoryName: name,
    imageId: { imageDigest: image.digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) },
    signingStatuses: await signingStatuses(context, registryId, name, image),
  };
}
