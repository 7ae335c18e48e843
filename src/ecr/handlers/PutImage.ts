// PutImage: stores a manifest as an image of the repository, optionally under a tag (see putImage).
import type { PutImageRequest, PutImageResponse } from "../../../generated/types";
import { putImage } from "../image-pushes";
import { registryOf } from "../repositories";
import type { Context } from "./context";

export async function PutImage(input: PutImageRequest, context: Context): Promise<PutImageResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName, imageTag, imageManifest } = input;
  const { digest, mediaType } = await putImage(context, registryId, repositoryName, imageManifest, {
    tag: imageTag,
    mediaType: input.imageManifestMediaType,
    digest: input.imageDigest,
  });
  return {
    image: {
      registryId,
      repositoryName,
      imageId: { imageDigest: digest, ...(imageTag === undefined ? {} : { imageTag }) },
      imageManifest,
      imageManifestMediaType: mediaType,
    },
  };
}
