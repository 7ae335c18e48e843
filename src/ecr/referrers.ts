// An image's referrers (manifests whose `subject` is it), whichever protocol asks: the API's ListImageReferrers and
// the registry protocol's OCI 1.1 referrers route. By digest, a page at a time, optionally of some artifact types.
import type { ImageReferrer } from "../../generated/types";
import type { Context } from "./handlers/context";

/** Up to `limit` referrers after `after` (by digest), and whether more follow. */
export async function listReferrers(
  ctx: Context,
  registryId: string,
  repository: string,
  subject: string,
  page: { after?: string; limit: number; artifactTypes?: ReadonlySet<string> },
): Promise<{ referrers: ImageReferrer[]; more: boolean }> {
  const { limit, artifactTypes } = page;
  const found: ImageReferrer[] = [];
  let after = page.after;
  // Filtered after the query: read on until the page is full or the referrers end.
  for (;;) {
    const digests = await ctx.store.listReferrers(registryId, repository, subject, { after, limit: limit + 1 });
    for (const digest of digests) {
      const image = await ctx.store.getImage(registryId, repository, digest);
      if (!image || (artifactTypes && !artifactTypes.has(image.artifactMediaType ?? ""))) continue;
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
  return { referrers: found.slice(0, limit), more: found.length > limit };
}
