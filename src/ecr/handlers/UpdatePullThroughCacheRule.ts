// UpdatePullThroughCacheRule: a new secret or role for a rule; what is not given stays.
import type { UpdatePullThroughCacheRuleRequest, UpdatePullThroughCacheRuleResponse } from "../../../generated/types";
import { updateRule } from "../pull-through/rules";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function UpdatePullThroughCacheRule(input: UpdatePullThroughCacheRuleRequest, context: Context): Promise<UpdatePullThroughCacheRuleResponse> {
  const rule = await updateRule(context, registryOf(input, context), input.ecrRepositoryPrefix, { credentialArn: input.credentialArn, customRoleArn: input.customRoleArn });
  return {
    ecrRepositoryPrefix: rule.ecrRepositoryPrefix,
    registryId: rule.registryId,
    updatedAt: rule.updatedAt,
    ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}),
    ...(rule.customRoleArn ? { customRoleArn: rule.customRoleArn } : {}),
    ...(rule.upstreamRepositoryPrefix ? { upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix } : {}),
  };
}
