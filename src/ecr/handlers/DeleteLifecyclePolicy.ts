// DeleteLifecyclePolicy: removes the repository's lifecycle rules and answers with them; no image expires any more.
import type { DeleteLifecyclePolicyRequest, DeleteLifecyclePolicyResponse } from "../../../generated/types";
import { lifecyclePolicyNotFound } from "../errors";
import { lifecyclePolicyAnswer } from "../lifecycle/policy";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function DeleteLifecyclePolicy(input: DeleteLifecyclePolicyRequest, context: Context): Promise<DeleteLifecyclePolicyResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName } = input;
  await requireRepository(context, registryId, repositoryName);
  const policy = await context.store.deleteLifecyclePolicy(registryId, repositoryName);
  if (!policy) throw lifecyclePolicyNotFound(registryId, repositoryName);
  return lifecyclePolicyAnswer(registryId, repositoryName, policy);
}
