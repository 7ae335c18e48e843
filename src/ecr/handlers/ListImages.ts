// ListImages: a repository's image ids a page at a time: one per tag of a tagged image, one digest-only id for an
// untagged one, ordered by digest and tag; ACTIVE images unless another status is asked for.
import type { ImageIdentifier, ListImagesRequest, ListImagesResponse } from "../../../generated/types";
import { statusFilter } from "../images";
import { DEFAULT_PAGE, decodeToken, encodeToken } from "../pagination";
import { imageStatus } from "../storage-classes";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

/** The last id shown: a digest and its tag ("" for an untagged image). */
type After = [digest: string, tag: string];
const isAfter = (v: unknown): v is After => Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string";

export async function ListImages(input: ListImagesRequest, context: Context): Promise<ListImagesResponse> {
  const registryId = registryOf(input, context);
  const name = input.repositoryName;
  await requireRepository(context, registryId, name);
  const status = statusFilter(input.filter?.imageStatus, context.now());
  const limit = input.maxResults ?? DEFAULT_PAGE;
  const tagStatus = input.filter?.tagStatus ?? "ANY";
  const [afterDigest, afterTag] = input.nextToken === undefined ? ["", ""] : decodeToken(input.nextToken, isAfter);
  const ids: { id: ImageIdentifier; key: After }[] = [];
  const add = (digest: string, tags: string[]) => {
    if (!tags.length) ids.push({ id: { imageDigest: digest }, key: [digest, ""] });
    for (const tag of tags) ids.push({ id: { imageDigest: digest, imageTag: tag }, key: [digest, tag] });
  };
  // The image the last page ended in may have tags still to show.
  const last = afterTag !== "" && tagStatus !== "UNTAGGED" ? await context.store.getImage(registryId, name, afterDigest) : undefined;
  if (last && (status === "ANY" || imageStatus(last, status.at) === status.status)) {
    for (const tag of await context.store.listImageTags(registryId, name, afterDigest)) {
      if (tag > afterTag) ids.push({ id: { imageDigest: afterDigest, imageTag: tag }, key: [afterDigest, tag] });
    }
  }
  for (let from = afterDigest; ids.length <= limit; ) {
    const images = await context.store.listImages(registryId, name, { after: from, limit: limit + 1, tagStatus, status });
    for (const image of images) {
      add(image.digest, await context.store.listImageTags(registryId, name, image.digest));
      if (ids.length > limit) break;
    }
    if (images.length <= limit) break;
    from = images[images.length - 1].digest;
  }
  const page = ids.slice(0, limit);
  return { imageIds: page.map((x) => x.id), ...(ids.length > limit ? { nextToken: encodeToken(page[page.length - 1].key) } : {}) };
}
