// ListImageReferrers: the manifests of the repository whose `subject` is the given image, as the OCI 1.1 referrers API
// lists them (digest, media type, artifact type, the manifest's size and annotations), by digest, a page at a time.
import type { ImageReferrer, ListImageReferrersRequest, ListImageReferrersResponse } from "../../../generated/types";
import { decodeToken, encodeToken, isString } from "../pagination";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

// Its maxResults is at most 50.
const DEFAULT_REFERRERS_PAGE = 50;

export async function ListImageReferrers(input: ListImageReferrersRequest, context: Context): Promise<ListImageReferrersResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const status = input.filter?.artifactStatus ?? "ACTIVE";
  if (status === "ARCHIVED" || status === "ACTIVATING") return { referrers: [] };
  const types = input.filter?.artifactTypes?.length ? new Set(input.filter.artifactTypes) : undefined;
  const limit = input.maxResults ?? DEFAULT_REFERRERS_PAGE;
  const found: ImageReferrer[] = [];
  let after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, isString);
  // Filtered after the query: read on until the page is full or the referrers end.
  for (;;) {
    const digests = await context.store.listReferrers(registryId, name, input.subjectId.imageDigest, { after, limit: limit + 1 });
    for (const digest of digests) {
      const image = await context.store.getImage(registryId, name, digest);
      if (!image || (types && !types.has(image.artifactMediaType ?? ""))) continue;
      const { annotations } = JSON.parse(image.manifest) as { annotations?: Record<string, string> };
      found.push({
        digest,
        mediaType: image.mediaType,
        ...(image.artifactMediaType ? { artifactType: image.artifactMediaType } : {}),
        size: Buffer.byteLength(image.manifest),
        ...(annotations ? { annotations } : {}),
        artifactStatus: "ACTIVE",
      });
      if (found.length > limit) break;
    }
    if (found.length > limit || digests.length <= limit) break;
    after = digests[digests.length - 1];
  }
  const page = found.slice(0, limit);
  return { referrers: page, ...(found.length > limit ? { nextToken: encodeToken(page[page.length - 1].digest) } : {}) };
}
