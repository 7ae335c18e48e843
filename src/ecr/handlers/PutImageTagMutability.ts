// PutImageTagMutability: whether the repository's tags may move to another image from now on; tags already there stay.
import type { PutImageTagMutabilityRequest, PutImageTagMutabilityResponse } from "../../../generated/types";
import { repositoryNotFound } from "../errors";
import { checkTagMutability } from "../images";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function PutImageTagMutability(input: PutImageTagMutabilityRequest, context: Context): Promise<PutImageTagMutabilityResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  const setting = checkTagMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
  // Under the repository's lock: a PutImage in flight decides with the setting it started with or the new one, whole.
  return context.repositoryLocks.run(`${registryId}/${name}`, async () => {
    const repo = await requireRepository(context, registryId, name);
    const updated = { ...repo, imageTagMutabilityExclusionFilters: undefined, ...setting };
    if (!(await context.store.updateRepository(registryId, name, updated))) throw repositoryNotFound(registryId, name);
    return {
      registryId,
      repositoryName: name,
      imageTagMutability: input.imageTagMutability,
      ...(setting.imageTagMutabilityExclusionFilters ? { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters } : {}),
    };
  });
}
