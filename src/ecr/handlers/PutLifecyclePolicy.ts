// PutLifecyclePolicy: the repository's lifecycle rules, checked as ECR checks them; the next scheduled run applies them.
import type { PutLifecyclePolicyRequest, PutLifecyclePolicyResponse } from "../../../generated/types";
import { repositoryNotFound } from "../errors";
import { parseLifecyclePolicy } from "../lifecycle/policy";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function PutLifecyclePolicy(input: PutLifecyclePolicyRequest, context: Context): Promise<PutLifecyclePolicyResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, lifecyclePolicyText } = input;
  await requireRepository(context, registryId, repositoryName);
  parseLifecyclePolicy(lifecyclePolicyText);
  if (!(await context.store.putLifecyclePolicy(registryId, repositoryName, lifecyclePolicyText))) throw repositoryNotFound(registryId, repositoryName);
  return { registryId, repositoryName, lifecyclePolicyText };
}
