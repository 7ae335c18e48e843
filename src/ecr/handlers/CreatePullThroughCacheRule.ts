// CreatePullThroughCacheRule: a rule for a repository prefix of the caller's registry (the upstream supported or mapped,
// its secret known, at most 50 rules).
import type { CreatePullThroughCacheRuleRequest, CreatePullThroughCacheRuleResponse } from "../../../generated/types";
import { createRule } from "../pull-through/rules";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function CreatePullThroughCacheRule(input: CreatePullThroughCacheRuleRequest, context: Context): Promise<CreatePullThroughCacheRuleResponse> {
  const { updatedAt: _updatedAt, ...rule } = await createRule(context, registryOf(input, context), input);
  return rule;
}
