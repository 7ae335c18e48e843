// ListTagsForResource: a repository's resource tags, by key.
import type { ListTagsForResourceRequest, ListTagsForResourceResponse } from "../../../generated/types";
import { parseRepositoryArn } from "../arns";
import { requireRepository } from "../repositories";
import type { Context } from "./context";

export async function ListTagsForResource(input: ListTagsForResourceRequest, context: Context): Promise<ListTagsForResourceResponse> {
  const { registryId, name } = parseRepositoryArn(input.resourceArn, context);
  await requireRepository(context, registryId, name);
  return { tags: await context.store.getRepositoryTags(registryId, name) };
}
