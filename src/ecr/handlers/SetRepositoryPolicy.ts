// SetRepositoryPolicy: a repository's resource policy, checked for IAM's grammar. Without `force`, a policy that would
// deny the caller the right to change it again is refused, so nobody locks themselves out by mistake.
import { InvalidParameterException } from "../../../generated/errors";
import type { SetRepositoryPolicyRequest, SetRepositoryPolicyResponse } from "../../../generated/types";
import { invalidPolicy, repositoryNotFound } from "../errors";
import { REPOSITORY_POLICY } from "../policies/access";
import { evaluatePolicy, parsePolicy } from "../policies/iam-policy";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function SetRepositoryPolicy(input: SetRepositoryPolicyRequest, context: Context): Promise<SetRepositoryPolicyResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, policyText } = input;
  await requireRepository(context, registryId, repositoryName);
  const policy = parsePolicy(policyText, REPOSITORY_POLICY);
  if (!policy) throw invalidPolicy("repository");
  if (!input.force && evaluatePolicy(policy, { principal: context.principal, accountId: context.accountId }, "ecr:SetRepositoryPolicy") === "Deny") {
    throw new InvalidParameterException({
      message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The policy would deny you ecr:SetRepositoryPolicy on this repository; set force to apply it anyway'",
    });
  }
  if (!(await context.store.putRepositoryPolicy(registryId, repositoryName, policyText))) throw repositoryNotFound(registryId, repositoryName);
  return { registryId, repositoryName, policyText };
}
