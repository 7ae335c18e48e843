// DescribeImages: the named images (an unknown one is ImageNotFoundException), or a repository's images a page at a
// time by digest, filtered by tag status and image status (ACTIVE unless asked).
import { InvalidParameterException } from "../../../generated/errors";
import type { DescribeImagesRequest, DescribeImagesResponse, ImageDetail } from "../../../generated/types";
import { requireImage, statusFilter, toImageDetail } from "../images";
import { DEFAULT_PAGE, decodeToken, encodeToken, isString } from "../pagination";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function DescribeImages(input: DescribeImagesRequest, context: Context): Promise<DescribeImagesResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  if (input.imageIds?.length) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw new InvalidParameterException({ message: "maxResults and nextToken cannot be used with imageIds" });
    }
    const details: ImageDetail[] = [];
    const seen = new Set<string>();
    for (const imageId of input.imageIds) {
      const image = await requireImage(context, registryId, name, imageId);
      if (seen.has(image.digest)) continue;
      seen.add(image.digest);
      details.push(await toImageDetail(context, registryId, name, image));
    }
    return { imageDetails: details };
  }
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, isString);
  const limit = input.maxResults ?? DEFAULT_PAGE;
  const rest = await context.store.listImages(registryId, name, {
    after,
    limit: limit + 1,
    tagStatus: input.filter?.tagStatus ?? "ANY",
    status: statusFilter(input.filter?.imageStatus, context.now()),
  });
  const page = rest.slice(0, limit);
  const imageDetails = [];
  for (const image of page) imageDetails.push(await toImageDetail(context, registryId, name, image));
  return { imageDetails, ...(rest.length > limit ? { nextToken: encodeToken(page[page.length - 1].digest) } : {}) };
}
