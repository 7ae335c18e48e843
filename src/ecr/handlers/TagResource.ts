// TagResource: adds resource tags to a repository or replaces their values; at most 50 tags in all.
import { TooManyTagsException } from "../../../generated/errors";
import type { TagResourceRequest, TagResourceResponse } from "../../../generated/types";
import { parseRepositoryArn } from "../arns";
import { repositoryNotFound } from "../errors";
import { checkTags, MAX_TAGS_PER_RESOURCE } from "../tags";
import type { Context } from "./context";

export async function TagResource(input: TagResourceRequest, context: Context): Promise<TagResourceResponse> {
  const { registryId, name } = parseRepositoryArn(input.resourceArn, context);
  const tags = checkTags(input.tags);
  switch (await context.store.putRepositoryTags(registryId, name, tags, MAX_TAGS_PER_RESOURCE)) {
    case "no-repository":
      throw repositoryNotFound(registryId, name);
    case "limit":
      throw new TooManyTagsException({ message: `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; this request would give it more` });
  }
  return {};
}
