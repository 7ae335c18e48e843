// ListImageReferrers: the manifests of the repository whose `subject` is the given image, as the OCI 1.1 referrers API
// lists them (digest, media type, artifact type, the manifest's size and annotations), by digest, a page at a time.
import type { ListImageReferrersRequest, ListImageReferrersResponse } from "../../../generated/types";
import { decodeToken, encodeToken, isString } from "../pagination";
import { listReferrers } from "../referrers";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

// Its maxResults is at most 50.
const DEFAULT_REFERRERS_PAGE = 50;

export async function ListImageReferrers(input: ListImageReferrersRequest, context: Context): Promise<ListImageReferrersResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const status = input.filter?.artifactStatus ?? "ACTIVE";
  const artifactTypes = input.filter?.artifactTypes?.length ? new Set(input.filter.artifactTypes) : undefined;
  const { referrers, more } = await listReferrers(context, registryId, name, input.subjectId.imageDigest, {
    after: input.nextToken === undefined ? undefined : decodeToken(input.nextToken, isString),
    limit: input.maxResults ?? DEFAULT_REFERRERS_PAGE,
    artifactTypes,
    status,
  });
  return { referrers, ...(more ? { nextToken: encodeToken(referrers[referrers.length - 1].digest) } : {}) };
}
