// DescribeRepositories: the named repositories (all must exist), or every one a page at a time, by name.
import { InvalidParameterException } from "../../../generated/errors";
import type { DescribeRepositoriesRequest, DescribeRepositoriesResponse } from "../../../generated/types";
import { repositoryNotFound } from "../errors";
import { DEFAULT_PAGE, decodeToken, encodeToken, isString } from "../pagination";
import { registryOf, toRepository } from "../repositories";
import type { Context } from "./context";

export async function DescribeRepositories(input: DescribeRepositoriesRequest, context: Context): Promise<DescribeRepositoriesResponse> {
  const registryId = registryOf(input, context);
  if (input.repositoryNames?.length) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw new InvalidParameterException({ message: "maxResults and nextToken cannot be used with repositoryNames" });
    }
    const repositories = [];
    for (const name of input.repositoryNames) {
      const repo = await context.store.getRepository(registryId, name);
      if (!repo) throw repositoryNotFound(registryId, name);
      repositories.push(toRepository(repo, registryId, context));
    }
    return { repositories };
  }
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, isString);
  const limit = input.maxResults ?? DEFAULT_PAGE;
  // One more than the page, to know whether another follows.
  const rest = await context.store.listRepositories(registryId, { after, limit: limit + 1 });
  const page = rest.slice(0, limit);
  const more = rest.length > page.length;
  return {
    repositories: page.map((r) => toRepository(r, registryId, context)),
    ...(more ? { nextToken: encodeToken(page[page.length - 1].name) } : {}),
  };
}
