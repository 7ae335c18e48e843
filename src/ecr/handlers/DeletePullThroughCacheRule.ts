// DeletePullThroughCacheRule: removes a rule and returns it; what it cached stays.
import type { DeletePullThroughCacheRuleRequest, DeletePullThroughCacheRuleResponse } from "../../../generated/types";
import { deleteRule } from "../pull-through/rules";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function DeletePullThroughCacheRule(input: DeletePullThroughCacheRuleRequest, context: Context): Promise<DeletePullThroughCacheRuleResponse> {
  const { updatedAt: _updatedAt, ...rule } = await deleteRule(context, registryOf(input, context), input.ecrRepositoryPrefix);
  return rule;
}
