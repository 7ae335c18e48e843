// GetLifecyclePolicyPreview: the latest preview's status and, once complete, the images it would expire (a page at a
// time by digest, or those named), each with the rule that selects it.
import { InvalidParameterException } from "../../../generated/errors";
import type { GetLifecyclePolicyPreviewRequest, GetLifecyclePolicyPreviewResponse, LifecyclePolicyPreviewResult } from "../../../generated/types";
import { lifecyclePreviewNotFound } from "../errors";
import type { Expiry } from "../lifecycle/evaluation";
import { DEFAULT_PAGE, decodeToken, encodeToken, isString } from "../pagination";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

const toResult = (e: Expiry): LifecyclePolicyPreviewResult => ({
  imageDigest: e.digest,
  ...(e.tags.length ? { imageTags: e.tags } : {}),
  imagePushedAt: new Date(e.pushedAt),
  action: { type: "EXPIRE" },
  appliedRulePriority: e.rulePriority,
  storageClass: "STANDARD",
});

export async function GetLifecyclePolicyPreview(input: GetLifecyclePolicyPreviewRequest, context: Context): Promise<GetLifecyclePolicyPreviewResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName } = input;
  const repo = await requireRepository(context, registryId, repositoryName);
  const preview = context.lifecyclePreviews.get(`${registryId}/${repositoryName}`, repo.createdAt);
  if (!preview) throw lifecyclePreviewNotFound(registryId, repositoryName);
  const head = { registryId, repositoryName, lifecyclePolicyText: preview.policyText, status: preview.status };
  if (preview.status !== "COMPLETE") return { ...head, previewResults: [] };

  const summary = { expiringImageTotalCount: preview.results.length };
  const tagStatus = input.filter?.tagStatus ?? "ANY";
  const wanted = (e: Expiry) => tagStatus === "ANY" || (tagStatus === "TAGGED") === e.tags.length > 0;
  if (input.imageIds?.length) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw new InvalidParameterException({ message: "maxResults and nextToken cannot be used with imageIds" });
    }
    const named = preview.results.filter((e) => wanted(e) && input.imageIds!.some((id) => id.imageDigest === e.digest || (id.imageTag !== undefined && e.tags.includes(id.imageTag))));
    return { ...head, previewResults: named.map(toResult), summary };
  }
  const after = input.nextToken === undefined ? "" : decodeToken(input.nextToken, isString);
  const limit = input.maxResults ?? DEFAULT_PAGE;
  // Results are sorted by digest: the page starts where the token says, found by binary search.
  let lo = 0;
  for (let hi = preview.results.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (preview.results[mid].digest <= after) lo = mid + 1;
    else hi = mid;
  }
  const page: Expiry[] = [];
  let i = lo;
  for (; i < preview.results.length && page.length < limit; i++) if (wanted(preview.results[i])) page.push(preview.results[i]);
  let more = false;
  for (; i < preview.results.length && !more; i++) more = wanted(preview.results[i]);
  return { ...head, previewResults: page.map(toResult), summary, ...(more ? { nextToken: encodeToken(page[page.length - 1].digest) } : {}) };
}
