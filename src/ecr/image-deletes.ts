// Deleting images, whichever protocol asks: the API's BatchDeleteImage and the registry protocol's manifest DELETE. By
// tag removes that tag (and the image with its last tag); by digest removes the image with all its tags. An image that
// a list or index of the repository still names stays, reported as a failure. Each id is its own change, under the
// repository's lock so that a PutImage cannot name a layer being reclaimed.
import type { ImageFailure, ImageIdentifier } from "../../generated/types";
import type { Context } from "./handlers/context";
import { resolveImageId } from "./images";
import { requireRepository } from "./repositories";

export async function deleteImages(context: Context, registryId: string, name: string, ids: ImageIdentifier[]): Promise<{ imageIds: ImageIdentifier[]; failures: ImageFailure[] }> {
  const { store } = context;
  return context.repositoryLocks.run(`${registryId}/${name}`, async () => {
    await requireRepository(context, registryId, name);
    const imageIds: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    for (const imageId of ids) {
      const found = await resolveImageId(context, registryId, name, imageId);
      if ("failure" in found) {
        failures.push(found.failure);
        continue;
      }
      const { digest } = found.image;
      const tags = await store.listImageTags(registryId, name, digest);
      if (imageId.imageTag !== undefined && tags.length > 1) {
        await store.deleteTag(registryId, name, imageId.imageTag);
        imageIds.push({ imageDigest: digest, imageTag: imageId.imageTag });
        continue;
      }
      const result = await store.deleteImage(registryId, name, digest);
      if (result.deleted) {
        imageIds.push(...(result.tags.length ? result.tags.map((imageTag) => ({ imageDigest: digest, imageTag })) : [{ imageDigest: digest }]));
      } else if (result.reason === "referenced") {
        failures.push({ imageId, failureCode: "ImageReferencedByManifestList", failureReason: `Requested image referenced by manifest list: [${result.by}]` });
      } else {
        failures.push({ imageId, failureCode: "ImageNotFound", failureReason: "Requested image not found" });
      }
    }
    return { imageIds, failures };
  });
}
