// GetRepositoryPolicy: the repository's resource policy, as it was set.
import type { GetRepositoryPolicyRequest, GetRepositoryPolicyResponse } from "../../../generated/types";
import { repositoryPolicyNotFound } from "../errors";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function GetRepositoryPolicy(input: GetRepositoryPolicyRequest, context: Context): Promise<GetRepositoryPolicyResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName } = input;
  await requireRepository(context, registryId, repositoryName);
  const policyText = await context.store.getRepositoryPolicy(registryId, repositoryName);
  if (policyText === undefined) throw repositoryPolicyNotFound(registryId, repositoryName);
  return { registryId, repositoryName, policyText };
}
