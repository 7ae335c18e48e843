// UpdateImageStorageClass: archives an image (it can no longer be pulled) or starts restoring an archived one.
import type { UpdateImageStorageClassRequest, UpdateImageStorageClassResponse } from "../../../generated/types";
import { registryOf, requireRepository } from "../repositories";
import { updateStorageClass } from "../storage-classes";
import type { Context } from "./context";

export async function UpdateImageStorageClass(input: UpdateImageStorageClassRequest, context: Context): Promise<UpdateImageStorageClassResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const { digest, status } = await updateStorageClass(context, registryId, name, input.imageId, input.targetStorageClass);
  return {
    registryId,
    repositoryName: name,
    imageId: { imageDigest: digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) },
    imageStatus: status,
  };
}
