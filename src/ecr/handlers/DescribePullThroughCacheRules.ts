// DescribePullThroughCacheRules: the named rules (each must exist), or all of them by prefix a page at a time.
import type { DescribePullThroughCacheRulesRequest, DescribePullThroughCacheRulesResponse } from "../../../generated/types";
import { DEFAULT_PAGE, decodeToken, encodeToken, isString } from "../pagination";
import { describeRules } from "../pull-through/rules";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function DescribePullThroughCacheRules(input: DescribePullThroughCacheRulesRequest, context: Context): Promise<DescribePullThroughCacheRulesResponse> {
  const registryId = registryOf(input, context);
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, isString);
  const { rules, more } = await describeRules(context, registryId, input.ecrRepositoryPrefixes, { after, limit: input.maxResults ?? DEFAULT_PAGE });
  return { pullThroughCacheRules: rules, ...(more ? { nextToken: encodeToken(rules[rules.length - 1].ecrRepositoryPrefix!) } : {}) };
}
