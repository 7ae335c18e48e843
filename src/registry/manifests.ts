// Manifests over the registry protocol, on the same images as PutImage, BatchGetImage and BatchDeleteImage.
//   GET/HEAD by tag or digest, negotiated by Accept (a pull by tag is converted between Docker v2 and OCI as ECR does)
//   PUT by tag or digest (201; a re-push of the same image is accepted, except onto an immutable tag, as ECR refuses)
//   DELETE by digest (the image with its tags) or by tag (that tag), 202
import { ServiceException } from "@smithy/smithy-client";
import type { ImageIdentifier } from "../../generated/types";
import { deleteImages } from "../ecr/image-deletes";
import { pullImage } from "../ecr/image-pulls";
import { pullThrough } from "../ecr/pull-through/cache";
import { putImage } from "../ecr/image-pushes";
import { isTagImmutable } from "../ecr/images";
import { manifestDigest, parseManifest } from "../ecr/manifests";
import { requireRepository } from "../ecr/repositories";
import { denied, manifestUnknown, RegistryError } from "./errors";
import { empty, type RegistryRequest, type RegistryResponse } from "./exchange";
import type { Route } from "./routes";

type Manifest = RegistryRequest<Extract<Route, { kind: "manifest" }>>;

/** ECR's largest manifest (the model's imageManifest length). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const imageIdOf = (reference: string): ImageIdentifier => (reference.includes(":") ? { imageDigest: reference } : { imageTag: reference });

/** The media types an Accept header lists; undefined when it accepts anything. */
export function acceptedTypes(accept: string | undefined): string[] | undefined {
  if (!accept) return undefined;
  const types = accept.split(",").map((t) => t.split(";")[0].trim().toLowerCase()).filter(Boolean);
  return types.length === 0 || types.includes("*/*") ? undefined : types;
}

export async function getManifest(req: Manifest): Promise<RegistryResponse> {
  const { context: ctx, registryId } = req;
  const { name, reference } = req.route;
  // A repository a pull through cache rule covers may come to be, and its images, by being pulled.
  const upstreamFailure = await pullThrough(ctx, registryId, name, imageIdOf(reference));
  await requireRepository(ctx, registryId, name);
  const result = await pullImage(ctx, registryId, name, imageIdOf(reference), acceptedTypes(req.headers.accept), req.method === "GET");
  if ("failure" in result) {
    const { failureCode, failureReason } = result.failure;
    if (failureCode === "InvalidImageTag") throw new RegistryError(400, "TAG_INVALID", failureReason!);
    if (failureCode === "InvalidImageDigest") throw new RegistryError(400, "DIGEST_INVALID", failureReason!);
    // Not found, not in an accepted media type, or archived: ECR's 404, with the reason.
    throw manifestUnknown(upstreamFailure === undefined ? failureReason : `${failureReason}; the pull through cache could not fetch it: ${upstreamFailure}`);
  }
  const { digest, manifest, mediaType } = result.pulled;
  const body = Buffer.from(manifest, "utf8");
  const headers = { "content-type": mediaType, "content-length": String(body.byteLength), "docker-content-digest": digest, etag: `"${digest}"` };
  return req.method === "HEAD" ? empty(200, headers) : { status: 200, headers, body };
}

export async function putManifest(req: Manifest): Promise<RegistryResponse> {
  const { context: ctx, registryId } = req;
  const { name, reference } = req.route;
  const bytes = await req.body.read(MAX_MANIFEST_BYTES, () => new RegistryError(413, "SIZE_INVALID", `The manifest exceeds ${MAX_MANIFEST_BYTES} bytes`));
  let manifest: string;
  try {
    manifest = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RegistryError(400, "UNSUPPORTED", "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
  }
  const declared = req.headers["content-type"]?.split(";")[0].trim();
  const mediaType = declared && declared !== "application/json" && declared !== "application/octet-stream" ? declared : undefined;
  const id = imageIdOf(reference);
  let digest: string;
  let subject: string | undefined;
  try {
    ({ digest, subject } = await putImage(ctx, registryId, name, manifest, { tag: id.imageTag, digest: id.imageDigest, mediaType }));
  } catch (e) {
    if (!(ServiceException.isInstance(e) && e.name === "ImageAlreadyExistsException")) throw e;
    // Pushing the same image again succeeds, except onto an immutable tag (moby/buildkit#3776).
    const repo = await requireRepository(ctx, registryId, name);
    if (id.imageTag !== undefined && isTagImmutable(repo, id.imageTag)) {
      throw new RegistryError(400, "TAG_INVALID", `The image tag '${id.imageTag}' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable`);
    }
    digest = manifestDigest(manifest);
    subject = parseManifest(manifest, mediaType).subject?.digest;
  }
  return empty(201, {
    location: `${req.origin}/v2/${name}/manifests/${digest}`,
    "docker-content-digest": digest,
    "content-length": "0",
    ...(subject ? { "oci-subject": subject } : {}),
  });
}

export async function deleteManifest(req: Manifest): Promise<RegistryResponse> {
  const { context: ctx, registryId } = req;
  const { name, reference } = req.route;
  const { imageIds, failures } = await deleteImages(ctx, registryId, name, [imageIdOf(reference)]);
  if (imageIds.length) return empty(202, { "content-length": "0" });
  const { failureCode, failureReason } = failures[0];
  if (failureCode === "ImageReferencedByManifestList") throw denied(failureReason!);
  if (failureCode === "InvalidImageTag") throw new RegistryError(400, "TAG_INVALID", failureReason!);
  if (failureCode === "InvalidImageDigest") throw new RegistryError(400, "DIGEST_INVALID", failureReason!);
  throw manifestUnknown();
}
