// ValidatePullThroughCacheRule: contacts the rule's upstream with its credentials and says whether that works, and why
// not when it does not.
import type { ValidatePullThroughCacheRuleRequest, ValidatePullThroughCacheRuleResponse } from "../../../generated/types";
import { requireRule, validateRule } from "../pull-through/rules";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function ValidatePullThroughCacheRule(input: ValidatePullThroughCacheRuleRequest, context: Context): Promise<ValidatePullThroughCacheRuleResponse> {
  const registryId = registryOf(input, context);
  const rule = await requireRule(context, registryId, input.ecrRepositoryPrefix);
  const failure = await validateRule(context, rule);
  return {
    ecrRepositoryPrefix: rule.prefix,
    registryId,
    upstreamRegistryUrl: rule.upstreamRegistryUrl,
    ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}),
    ...(rule.customRoleArn ? { customRoleArn: rule.customRoleArn } : {}),
    ...(rule.upstreamRepositoryPrefix ? { upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix } : {}),
    isValid: failure === undefined,
    ...(failure === undefined ? {} : { failure }),
  };
}
