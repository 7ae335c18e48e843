// GetLifecyclePolicy: the repository's lifecycle rules and when they were last evaluated.
import type { GetLifecyclePolicyRequest, GetLifecyclePolicyResponse } from "../../../generated/types";
import { lifecyclePolicyNotFound } from "../errors";
import { lifecyclePolicyAnswer } from "../lifecycle/policy";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function GetLifecyclePolicy(input: GetLifecyclePolicyRequest, context: Context): Promise<GetLifecyclePolicyResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName } = input;
  await requireRepository(context, registryId, repositoryName);
  const policy = await context.store.getLifecyclePolicy(registryId, repositoryName);
  if (!policy) throw lifecyclePolicyNotFound(registryId, repositoryName);
  return lifecyclePolicyAnswer(registryId, repositoryName, policy);
}
