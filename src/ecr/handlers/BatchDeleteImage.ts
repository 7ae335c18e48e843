// BatchDeleteImage: removes images by tag or digest, each id on its own (see deleteImages).
import type { BatchDeleteImageRequest, BatchDeleteImageResponse } from "../../../generated/types";
import { deleteImages } from "../image-deletes";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function BatchDeleteImage(input: BatchDeleteImageRequest, context: Context): Promise<BatchDeleteImageResponse> {
  return deleteImages(context, registryOf(input, context), input.repositoryName, input.imageIds);
}
