// Shared by the image handlers: tag syntax, whether a repository lets a tag move, image ids, and how an image is shown.
import { InvalidParameterException } from "../../generated/errors";
import type { ImageDetail, ImageFailure, ImageIdentifier } from "../../generated/types";
import type { ImageRecord, ImageSummary, RepositoryRecord, StatusFilter } from "../storage/types";
import { imageNotFound } from "./errors";
import type { Context } from "./handlers/context";
import { DIGEST, imageSize, parseManifest } from "./manifests";
import { scanStatus, scanSummary } from "./scanning/findings";
import { imageStatus } from "./storage-classes";

/** Docker's tag syntax. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A tag mutability setting, checked: exclusion filters come exactly with the _WITH_EXCLUSION settings. */
export function checkTagMutability(
  imageTagMutability: string,
  filters: { filterType: string; filter: string }[] | undefined,
): Pick<RepositoryRecord, "imageTagMutability" | "imageTagMutabilityExclusionFilters"> {
  const withExclusions = imageTagMutability.endsWith("_WITH_EXCLUSION");
  if (withExclusions && !filters?.length) {
    throw new InvalidParameterException({ message: `imageTagMutabilityExclusionFilters are required when imageTagMutability is ${imageTagMutability}` });
  }
  if (!withExclusions && filters?.length) {
    throw new InvalidParameterException({ message: `imageTagMutabilityExclusionFilters are only allowed with MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION` });
  }
  return { imageTagMutability, ...(withExclusions ? { imageTagMutabilityExclusionFilters: filters } : {}) };
}

/** Whether an existing tag may not be pointed elsewhere, given the repository's mutability and exclusions. */
export function isTagImmutable(repo: RepositoryRecord, tag: string): boolean {
  const excluded = (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => wildcardMatch(f.filter, tag));
  switch (repo.imageTagMutability) {
    case "IMMUTABLE":
      return true;
    case "IMMUTABLE_WITH_EXCLUSION":
      return !excluded;
    case "MUTABLE_WITH_EXCLUSION":
      return excluded;
    default:
      return false;
  }
}

/**
 * Whether `text` matches `pattern`, where `*` matches any run of characters (and, with `anyOne`, `?` any one
 * character, as in IAM). Linear: no regular expression to blow up.
 */
export function wildcardMatch(pattern: string, text: string, anyOne = false): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== "*" && (pattern[p] === text[t] || (anyOne && pattern[p] === "?"))) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/** The stored size of a layer, or of an image (a list's or index's entry); undefined when there is none. */
export async function storedSize(ctx: Context, registryId: string, repository: string, digest: string, kind: "layer" | "manifest"): Promise<number | undefined> {
  if (kind === "layer") return (await ctx.store.getLayer(registryId, repository, digest))?.size;
  const image = await ctx.store.getImage(registryId, repository, digest);
  return image && (image.sizeInBytes ?? (await imageSize(parseManifest(image.manifest, image.mediaType), (d, k) => storedSize(ctx, registryId, repository, d, k))));
}

/** Why an image id cannot name an image, as BatchGetImage and BatchDeleteImage report it; undefined when it can. */
export function imageIdFailure(imageId: ImageIdentifier): ImageFailure | undefined {
  const { imageDigest, imageTag } = imageId;
  if (imageDigest === undefined && imageTag === undefined) {
    return { imageId, failureCode: "MissingDigestAndTag", failureReason: "Requested image has neither a digest nor a tag" };
  }
  if (imageDigest !== undefined && !DIGEST.test(imageDigest)) {
    return { imageId, failureCode: "InvalidImageDigest", failureReason: "Invalid request parameters: image digest should satisfy the regex 'sha256:[a-f0-9]{64}'" };
  }
  if (imageTag !== undefined && !TAG.test(imageTag)) {
    return { imageId, failureCode: "InvalidImageTag", failureReason: `Invalid request parameters: '${imageTag}' is not a valid image tag` };
  }
  return undefined;
}

/** The image an image id names in the repository, or a failure saying why none. */
export async function resolveImageId(ctx: Context, registryId: string, repository: string, imageId: ImageIdentifier): Promise<{ image: ImageRecord } | { failure: ImageFailure }> {
  const invalid = imageIdFailure(imageId);
  if (invalid) return { failure: invalid };
  const { imageDigest, imageTag } = imageId;
  // ECR's words (abronin/ecr-retag-action#3, neondatabase/neon#5096).
  const notFound = { failure: { imageId, failureCode: "ImageNotFound" as const, failureReason: "Requested image not found" } };
  let digest = imageDigest;
  if (imageTag !== undefined) {
    const tagged = await ctx.store.resolveTag(registryId, repository, imageTag);
    if (tagged === undefined) return notFound;
    if (imageDigest !== undefined && tagged !== imageDigest) {
      return { failure: { imageId, failureCode: "ImageTagDoesNotMatchDigest", failureReason: `Tag '${imageTag}' points at digest '${tagged}', not at the requested digest` } };
    }
    digest = tagged;
  }
  const image = await ctx.store.getImage(registryId, repository, digest!);
  return image ? { image } : notFound;
}

/** The listing filter an API status filter asks for (ACTIVE when none), at `now`. */
export function statusFilter(filter: "ACTIVE" | "ARCHIVED" | "ACTIVATING" | "ANY" | undefined, now: number): StatusFilter {
  return filter === "ANY" ? "ANY" : { status: filter ?? "ACTIVE", at: now };
}

/** The image an image id names, for an operation on one image: a bad id is InvalidParameterException. */
export async function requireImage(ctx: Context, registryId: string, repository: string, imageId: ImageIdentifier): Promise<ImageRecord> {
  const found = await resolveImageId(ctx, registryId, repository, imageId);
  if ("image" in found) return found.image;
  if (found.failure.failureCode !== "ImageNotFound") throw new InvalidParameterException({ message: found.failure.failureReason! });
  throw imageNotFound(registryId, repository, imageId);
}

/** An image as DescribeImages shows it. */
export async function toImageDetail(ctx: Context, registryId: string, repository: string, image: ImageSummary): Promise<ImageDetail> {
  const tags = await ctx.store.listImageTags(registryId, repository, image.digest);
  const size = image.sizeInBytes ?? (await storedSize(ctx, registryId, repository, image.digest, "manifest")) ?? 0;
  return {
    registryId,
    repositoryName: repository,
    imageDigest: image.digest,
    ...(tags.length ? { imageTags: tags } : {}),
    imageSizeInBytes: size,
    imagePushedAt: new Date(image.pushedAt),
    imageManifestMediaType: image.mediaType,
    ...(image.artifactMediaType ? { artifactMediaType: image.artifactMediaType } : {}),
    ...(image.lastRecordedPullTime !== undefined ? { lastRecordedPullTime: new Date(image.lastRecordedPullTime) } : {}),
    ...(image.subjectDigest ? { subjectManifestDigest: image.subjectDigest } : {}),
    ...storageFields(image, ctx.now()),
    ...(await scanFields(ctx, registryId, repository, image)),
  };
}

async function scanFields(ctx: Context, registryId: string, repository: string, image: ImageSummary): Promise<Pick<ImageDetail, "imageScanStatus" | "imageScanFindingsSummary">> {
  const scan = await ctx.store.getImageScan(registryId, repository, image.digest);
  const status = scanStatus(image, scan, ctx.now());
  const summary = scan && status?.status === "COMPLETE" ? scanSummary(scan) : undefined;
  return { ...(status ? { imageScanStatus: status } : {}), ...(summary ? { imageScanFindingsSummary: summary } : {}) };
}

function storageFields(image: ImageSummary, now: number): Pick<ImageDetail, "imageStatus" | "lastArchivedAt" | "lastActivatedAt"> {
  const status = imageStatus(image, now);
  return {
    imageStatus: status,
    ...(image.lastArchivedAt !== undefined ? { lastArchivedAt: new Date(image.lastArchivedAt) } : {}),
    // A restore under way has not activated the image yet.
    ...(image.lastActivatedAt !== undefined && status !== "ACTIVATING" ? { lastActivatedAt: new Date(image.lastActivatedAt) } : {}),
  };
}
