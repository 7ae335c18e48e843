// DescribeRepositoryCreationTemplates: the named templates, or all of them by prefix a page at a time.
import type { DescribeRepositoryCreationTemplatesRequest, DescribeRepositoryCreationTemplatesResponse } from "../../../generated/types";
import { describeTemplates } from "../creation-templates";
import { DEFAULT_PAGE, decodeToken, encodeToken, isString } from "../pagination";
import type { Context } from "./context";

export async function DescribeRepositoryCreationTemplates(
  input: DescribeRepositoryCreationTemplatesRequest,
  context: Context,
): Promise<DescribeRepositoryCreationTemplatesResponse> {
  const registryId = context.accountId;
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, isString);
  const { templates, more } = await describeTemplates(context, registryId, input.prefixes, { after, limit: input.maxResults ?? DEFAULT_PAGE });
  return {
    registryId,
    repositoryCreationTemplates: templates,
    ...(more ? { nextToken: encodeToken(templates[templates.length - 1].prefix!) } : {}),
  };
}
