// PutImage: stores a manifest whose blobs (or, for a list or index, manifests) the repository has, under its digest
// and optionally a tag; a tag moves only in a mutable repository.
import {
  ImageDigestDoesNotMatchException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  LayersNotFoundException,
  LimitExceededException,
  ReferencedImagesNotFoundException,
} from "../../../generated/errors";
import type { PutImageRequest, PutImageResponse } from "../../../generated/types";
import { imageAlreadyExists, repositoryNotFound } from "../errors";
import { isTagImmutable, TAG } from "../images";
import { DIGEST, imageSize, manifestDigest, parseManifest } from "../manifests";
import { storedSize } from "../images";
import { registryOf, requireRepository } from "../repositories";
import type { Context } from "./context";

export async function PutImage(input: PutImageRequest, context: Context): Promise<PutImageResponse> {
  const registryId = registryOf(input, context);
  const { repositoryName: name, imageTag: tag, imageManifest: manifest } = input;
  const { store } = context;
  const where = `the repository with name '${name}' in the registry with id '${registryId}'`;
  await requireRepository(context, registryId, name);

  const parsed = parseManifest(manifest, input.imageManifestMediaType);
  const digest = manifestDigest(manifest);
  if (input.imageDigest !== undefined) {
    if (!DIGEST.test(input.imageDigest)) throw new InvalidParameterException({ message: `Invalid parameter at 'imageDigest': '${input.imageDigest}' is not a sha256 digest` });
    if (input.imageDigest !== digest) {
      throw new ImageDigestDoesNotMatchException({ message: `The specified digest '${input.imageDigest}' does not match the digest '${digest}' of the manifest` });
    }
  }
  if (tag !== undefined && !TAG.test(tag)) throw new InvalidParameterException({ message: `Invalid parameter at 'imageTag': '${tag}' is not a valid image tag` });

  return context.repositoryLocks.run(`${registryId}/${name}`, async () => {
    const repo = await requireRepository(context, registryId, name);
    if (parsed.kind === "image") {
      const missing = [];
      for (const d of parsed.blobs) if (!(await store.getLayer(registryId, name, d.digest))) missing.push(d.digest);
      if (missing.length) {
        throw new LayersNotFoundException({ message: `Layers with digests [${[...new Set(missing)].join(", ")}] required for pushing image into ${where} do not exist` });
      }
    } else {
      const missing = [];
      for (const d of parsed.manifests) if (!(await store.getImage(registryId, name, d.digest))) missing.push(d.digest);
      if (missing.length) {
        throw new ReferencedImagesNotFoundException({ message: `Manifests with digests [${[...new Set(missing)].join(", ")}] referenced by the manifest list do not exist in ${where}` });
      }
    }
    const existing = await store.getImage(registryId, name, digest);
    if (tag !== undefined) {
      const current = await store.resolveTag(registryId, name, tag);
      if (current === digest) {
        throw imageAlreadyExists(registryId, name, digest, tag);
      }
      if (current !== undefined && isTagImmutable(repo, tag)) {
        throw new ImageTagAlreadyExistsException({ message: `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable` });
      }
    } else if (existing) {
      throw imageAlreadyExists(registryId, name, digest);
    }
    const image = existing ?? {
      digest,
      manifest,
      mediaType: parsed.mediaType,
      pushedAt: context.now(),
      references: [...new Set([...parsed.blobs, ...parsed.manifests].map((d) => d.digest))],
      sizeInBytes: await imageSize(parsed, (d, kind) => storedSize(context, registryId, name, d, kind)),
      ...(parsed.artifactMediaType ? { artifactMediaType: parsed.artifactMediaType } : {}),
      ...(parsed.subject ? { subjectDigest: parsed.subject.digest } : {}),
    };
    const mediaTypes = Object.fromEntries(parsed.blobs.filter((d) => d.mediaType).map((d) => [d.digest, d.mediaType!]));
    switch (await store.putImage(registryId, name, image, tag, mediaTypes, context.settings)) {
      case "no-repository":
        throw repositoryNotFound(registryId, name);
      case "limit":
        throw new LimitExceededException({ message: `The repository with name '${name}' already has the maximum of ${context.settings.maxImagesPerRepository} images` });
    }
    return {
      image: {
        registryId,
        repositoryName: name,
        imageId: { imageDigest: digest, ...(tag === undefined ? {} : { imageTag: tag }) },
        imageManifest: manifest,
        imageManifestMediaType: parsed.mediaType,
      },
    };
  });
}
