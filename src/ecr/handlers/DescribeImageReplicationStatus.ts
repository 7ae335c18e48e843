// DescribeImageReplicationStatus: how the image's copy to each replication destination went (none before it was asked).
import type { DescribeImageReplicationStatusRequest, DescribeImageReplicationStatusResponse } from "../../../generated/types";
import { requireImage } from "../images";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function DescribeImageReplicationStatus(input: DescribeImageReplicationStatusRequest, context: Context): Promise<DescribeImageReplicationStatusResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const image = await requireImage(context, registryId, name, input.imageId);
  const copies = await context.store.listImageReplications({ registryId, repository: name, digest: image.digest });
  return {
    repositoryName: name,
    imageId: { imageDigest: image.digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) },
    replicationStatuses: copies.map((c) => ({
      region: c.destination.region,
      registryId: c.destination.registryId,
      status: c.status,
      ...(c.failureCode !== undefined ? { failureCode: c.failureCode } : {}),
    })),
  };
}
