// Putting an image, whichever protocol asks: the API's PutImage and the registry protocol's manifest PUT. The manifest's
// blobs (or, for a list or index, manifests) must be in the repository; a tag moves only in a mutable repository.
import {
  ImageDigestDoesNotMatchException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  LayersNotFoundException,
  LimitExceededException,
  ReferencedImagesNotFoundException,
} from "../../generated/errors";
import { imageAlreadyExists, repositoryNotFound } from "./errors";
import type { Context } from "./handlers/context";
import { isTagImmutable, storedSize, TAG } from "./images";
import { DIGEST, imageSize, manifestDigest, parseManifest } from "./manifests";
import { requireRepository } from "./repositories";
import { signingAtPush } from "./signing";
import { scanOnPush } from "./scanning/scans";
import { replicateOnPush } from "./replication/replications";
import { activateOnPush, imageStatus } from "./storage-classes";
import type { ImageRecord } from "../storage/types";

export interface PutImageOptions {
  tag?: string;
  /** The media type the client declared (else the manifest's own). */
  mediaType?: string;
  /** The digest the client expects the manifest to have. */
  digest?: string;
  /** An image the server brought in itself (a replica, an upstream image): not replicated. */
  arrived?: boolean;
}

/** Stores the manifest as an image of the repository (and points the tag at it); its digest, media type and subject. */
export async function putImage(context: Context, registryId: string, name: string, manifest: string, options: PutImageOptions): Promise<{ digest: string; mediaType: string; subject?: string }> {
  const { tag } = options;
  const { store } = context;
  // ECR's words on both paths: oras-project/oras-py#54 (layers), int128/docker-manifest-create-action#63 (images).
  const required = (what: string, digests: string[]) =>
    `${what} with digests '[${digests.join(", ")}]' required for pushing image into repository with name '${name}' in the registry with id '${registryId}' do not exist`;
  // No create-on-push here: a manifest's blobs must be in the repository already, so its first upload created it.
  await requireRepository(context, registryId, name);

  const parsed = parseManifest(manifest, options.mediaType);
  const digest = manifestDigest(manifest);
  if (options.digest !== undefined) {
    if (!DIGEST.test(options.digest)) throw new InvalidParameterException({ message: `Invalid parameter at 'imageDigest': '${options.digest}' is not a sha256 digest` });
    if (options.digest !== digest) {
      throw new ImageDigestDoesNotMatchException({ message: `The specified digest '${options.digest}' does not match the digest '${digest}' of the manifest` });
    }
  }
  if (tag !== undefined && !TAG.test(tag)) throw new InvalidParameterException({ message: `Invalid parameter at 'imageTag': '${tag}' is not a valid image tag` });

  return context.repositoryLocks.run(`${registryId}/${name}`, async () => {
    const repo = await requireRepository(context, registryId, name);
    if (parsed.kind === "image") {
      const missing = [];
      for (const d of parsed.blobs) if (!(await store.getLayer(registryId, name, d.digest))) missing.push(d.digest);
      if (missing.length) {
        // The digests ride along for the registry protocol, which names them in its own words.
        const digests = [...new Set(missing)];
        throw Object.assign(new LayersNotFoundException({ message: required("Layers", digests) }), { digests });
      }
    } else {
      const missing = [];
      // An archived entry could not be pulled through the list: it counts as missing until restored.
      for (const d of parsed.manifests) {
        const entry = await store.getImage(registryId, name, d.digest);
        if (!entry || imageStatus(entry, context.now()) !== "ACTIVE") missing.push(d.digest);
      }
      if (missing.length) {
        const digests = [...new Set(missing)];
        throw Object.assign(new ReferencedImagesNotFoundException({ message: required("Images", digests) }), { digests });
      }
    }
    const existing = await store.getImage(registryId, name, digest);
    // Pushing an archived image again restores it at once; only then is an image already there no error.
    const archived = existing !== undefined && imageStatus(existing, context.now()) !== "ACTIVE";
    const restore = async () => {
      await activateOnPush(context, registryId, name, existing!);
      await scanPushed(existing!);
      return { digest, mediaType: existing!.mediaType, subject: existing!.subjectDigest };
    };
    // A restored image is scanned like a new one; earlier findings went when it was archived.
    const scanPushed = (image: ImageRecord) =>
      // The image is stored whatever happens here: a scan that could not be recorded can still be started by hand.
      scanOnPush(context, registryId, repo, image).catch(() => undefined);
    if (tag !== undefined) {
      const current = await store.resolveTag(registryId, name, tag);
      if (current === digest) {
        if (archived) return restore();
        throw imageAlreadyExists(registryId, name, digest, tag);
      }
      if (current !== undefined && isTagImmutable(repo, tag)) {
        throw new ImageTagAlreadyExistsException({ message: `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable` });
      }
    } else if (existing) {
      if (archived) return restore();
      throw imageAlreadyExists(registryId, name, digest);
    }
    const image = existing ?? {
      digest,
      manifest,
      mediaType: parsed.mediaType,
      pushedAt: context.now(),
      storageClass: "STANDARD" as const,
      references: [...new Set([...parsed.blobs, ...parsed.manifests].map((d) => d.digest))],
      sizeInBytes: await imageSize(parsed, (d, kind) => storedSize(context, registryId, name, d, kind)),
      ...(parsed.artifactMediaType ? { artifactMediaType: parsed.artifactMediaType } : {}),
      ...(parsed.subject ? { subjectDigest: parsed.subject.digest } : {}),
      ...(await signingAtPush(context, registryId, name, parsed, manifest)),
    };
    const mediaTypes = Object.fromEntries(parsed.blobs.filter((d) => d.mediaType).map((d) => [d.digest, d.mediaType!]));
    switch (await store.putImage(registryId, name, image, tag, mediaTypes, context.settings)) {
      case "no-repository":
        throw repositoryNotFound(registryId, name);
      case "limit":
        throw new LimitExceededException({ message: `The repository with name '${name}' already has the maximum of ${context.settings.maxImagesPerRepository} images` });
    }
    if (archived) await activateOnPush(context, registryId, name, existing!);
    if (!existing || archived) await scanPushed(image);
    // Stored whatever happens here, as with scans: a copy that could not be asked for follows the next push.
    if (!options.arrived) await replicateOnPush(context, registryId, name, digest).catch(() => undefined);
    return { digest, mediaType: parsed.mediaType, subject: parsed.subject?.digest };
  });
}
