// DeleteRepositoryPolicy: removes the repository's resource policy and answers with it.
import type { DeleteRepositoryPolicyRequest, DeleteRepositoryPolicyResponse } from "../../../generated/types";
import { repositoryPolicyNotFound } from "../errors";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function DeleteRepositoryPolicy(input: DeleteRepositoryPolicyRequest, context: Context): Promise<DeleteRepositoryPolicyResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName } = input;
  await requireRepository(context, registryId, repositoryName);
  const policyText = await context.store.deleteRepositoryPolicy(registryId, repositoryName);
  if (policyText === undefined) throw repositoryPolicyNotFound(registryId, repositoryName);
  return { registryId, repositoryName, policyText };
}
