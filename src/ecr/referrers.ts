// An image's referrers (manifests whose `subject` is it), whichever protocol asks: the API's ListImageReferrers and
// the registry protocol's OCI 1.1 referrers route. By digest, a page at a time, optionally of some artifact types, of
// one image status or any.
import type { ImageReferrer } from "../../generated/types";
import type { ImageStatus } from "../storage/types";
import type { Context } from "./handlers/context";
import { imageStatus } from "./storage-classes";

// A page's annotations stop growing it past this many bytes (annotations are the client's, and may be large).
const MAX_PAGE_BYTES = 4 * 1024 * 1024;

/** Up to `limit` referrers after `after` (by digest), and whether more follow; a page ends early past 4 MiB. */
export async function listReferrers(
  ctx: Context,
  registryId: string,
  repository: string,
  subject: string,
  page: { after?: string; limit: number; artifactTypes?: ReadonlySet<string>; status: ImageStatus | "ANY" },
): Promise<{ referrers: ImageReferrer[]; more: boolean }> {
  const { limit, artifactTypes } = page;
  const now = ctx.now();
  const found: ImageReferrer[] = [];
  let bytes = 0;
  let full = false;
  let after = page.after;
  // Filtered after the query: read on until the page is full or the referrers end.
  for (;;) {
    const digests = await ctx.store.listReferrers(registryId, repository, subject, { after, limit: limit + 1 });
    for (const digest of digests) {
      const image = await ctx.store.getImage(registryId, repository, digest);
      if (!image || (artifactTypes && !artifactTypes.has(image.artifactMediaType ?? ""))) continue;
      const artifactStatus = imageStatus(image, now);
      if (page.status !== "ANY" && artifactStatus !== page.status) continue;
      const { annotations } = JSON.parse(image.manifest) as { annotations?: Record<string, string> };
      found.push({
        digest,
        mediaType: image.mediaType,
        ...(image.artifactMediaType ? { artifactType: image.artifactMediaType } : {}),
        size: Buffer.byteLength(image.manifest),
        ...(annotations ? { annotations } : {}),
        artifactStatus,
      });
      bytes += annotations ? JSON.stringify(annotations).length : 0;
      if (found.length > limit || (bytes > MAX_PAGE_BYTES && found.length > 1)) {
        full = true;
        break;
      }
    }
    if (full || digests.length <= limit) break;
    after = digests[digests.length - 1];
  }
  // The entry that went over a bound opens the next page.
  const referrers = full ? found.slice(0, found.length - 1) : found;
  return { referrers, more: full };
}
