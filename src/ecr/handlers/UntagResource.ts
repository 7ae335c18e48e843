// UntagResource: removes a repository's resource tags by key; a key it does not have is no error.
import type { UntagResourceRequest, UntagResourceResponse } from "../../../generated/types";
import { parseRepositoryArn } from "../arns";
import { repositoryNotFound } from "../errors";
import { checkTagKeys } from "../tags";
import type { Context } from "./context";

export async function UntagResource(input: UntagResourceRequest, context: Context): Promise<UntagResourceResponse> {
  const { registryId, name } = parseRepositoryArn(input.resourceArn, context);
  if (!(await context.store.deleteRepositoryTags(registryId, name, checkTagKeys(input.tagKeys)))) throw repositoryNotFound(registryId, name);
  return {};
}
