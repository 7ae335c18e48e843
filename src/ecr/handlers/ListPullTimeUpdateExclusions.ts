// ListPullTimeUpdateExclusions: the caller's registry's excluded principals, sorted, a page at a time.
import type { ListPullTimeUpdateExclusionsRequest, ListPullTimeUpdateExclusionsResponse } from "../../../generated/types";
import { DEFAULT_PAGE, decodeToken, encodeToken, isString } from "../pagination";
import type { Context } from "./context";

export async function ListPullTimeUpdateExclusions(
  input: ListPullTimeUpdateExclusionsRequest,
  context: Context,
): Promise<ListPullTimeUpdateExclusionsResponse> {
  const limit = input.maxResults ?? DEFAULT_PAGE;
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, isString);
  const arns = await context.store.listPullTimeUpdateExclusions(context.accountId, { after, limit: limit + 1 });
  if (arns.length <= limit) return { pullTimeUpdateExclusions: arns };
  const page = arns.slice(0, limit);
  return { pullTimeUpdateExclusions: page, nextToken: encodeToken(page[page.length - 1]) };
}
