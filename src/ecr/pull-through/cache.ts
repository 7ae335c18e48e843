// The pull through cache: a pull (BatchGetImage or /v2) of an image in a repository a rule covers fetches it from the
// upstream registry when it is not here yet (creating the repository from a PULL_THROUGH_CACHE template, or with
// AWS's defaults), keeps it, and serves it from then on. A tag is checked against the upstream again when pulled once
// the last check is older than the refresh interval (AWS: a day); an upstream that cannot answer then leaves the
// cached image served. Only the registry's own account pulls through.
import { ImageAlreadyExistsException, ImageTagAlreadyExistsException, LimitExceededException } from "../../../generated/errors";
import type { ImageIdentifier } from "../../../generated/types";
import { importBlob } from "../blob-imports";
import { createFromTemplate, templateFor } from "../creation-templates";
import type { Context } from "../handlers/context";
import { putImage } from "../image-pushes";
import { DIGEST, parseManifest } from "../manifests";
import { TAG } from "../images";
import { ROOT } from "../repository-prefixes";
import { ruleFor, upstreamOf } from "./rules";
import { UpstreamError, type Upstream, type UpstreamManifest } from "./upstream";

/** What one pull fetches at most besides the image's own manifest (a multi-platform index's entries). */
const MAX_MANIFESTS_PER_PULL = 256;

/**
 * Brings the image an id names in from the upstream when a rule covers the repository and the image is missing, or
 * its tag is due a check. Returns why it could not, when it tried and failed (the pull then answers not found with it).
 */
export async function pullThrough(ctx: Context, registryId: string, repository: string, imageId: ImageIdentifier): Promise<string | undefined> {
  if (registryId !== ctx.accountId) return undefined;
  const reference = imageId.imageDigest ?? imageId.imageTag;
  // Only a well-formed reference goes upstream (it becomes part of the upstream's URL).
  const wellFormed = imageId.imageDigest !== undefined ? DIGEST.test(imageId.imageDigest) : reference !== undefined && TAG.test(reference);
  if (reference === undefined || !wellFormed) return undefined;
  if (!(await due(ctx, registryId, repository, imageId))) return undefined;
  const covered = await ruleFor(ctx, registryId, repository);
  if (!covered) return undefined;
  // One fetch per image at a time; the others wait for it and find the image here.
  return ctx.repositoryLocks.run(`upstream\0${registryId}/${repository}\0${reference}`, async () => {
    if (!(await due(ctx, registryId, repository, imageId))) return undefined;
    const upstream = upstreamOf(ctx, covered.rule);
    try {
      await fetchImage(ctx, registryId, repository, upstream, covered.upstreamName, imageId);
      return undefined;
    } catch (e) {
      // What the upstream gave could not be taken (a bad manifest, a digest that does not match, a quota): said as
      // the reason the image is not found. Anything else is the server's own failure.
      const refused = e instanceof UpstreamError || (e as { $fault?: string }).$fault === "client";
      if (!refused) throw e;
      // A cached tag checked and found unreachable is served from the cache until the next check is due.
      if (imageId.imageDigest === undefined && (await ctx.store.resolveTag(registryId, repository, reference))) {
        await ctx.store.putUpstreamTagCheck(registryId, repository, reference, ctx.now());
      }
      return (e as Error).message;
    }
  });
}

/**
 * Whether the image is missing here, or (by tag) its last upstream check is older than the refresh interval. A tag
 * here that was never checked was not cached from an upstream: an ordinary pull costs no rule lookups.
 */
async function due(ctx: Context, registryId: string, repository: string, imageId: ImageIdentifier): Promise<boolean> {
  const { store } = ctx;
  if (!(await store.getRepository(registryId, repository))) return true;
  if (imageId.imageDigest !== undefined) return !(await store.getImage(registryId, repository, imageId.imageDigest));
  const tag = imageId.imageTag!;
  if (!(await store.resolveTag(registryId, repository, tag))) return true;
  const checked = await store.getUpstreamTagCheck(registryId, repository, tag);
  return checked !== undefined && checked <= ctx.now() - ctx.settings.upstreamRefreshMs;
}

async function fetchImage(ctx: Context, registryId: string, repository: string, upstream: Upstream, upstreamName: string, imageId: ImageIdentifier): Promise<void> {
  const { store } = ctx;
  const tag = imageId.imageDigest === undefined ? imageId.imageTag : undefined;
  const cached = tag === undefined ? undefined : await store.resolveTag(registryId, repository, tag);
  // A cached tag whose upstream digest is unchanged needs only its check recorded (a HEAD, not the manifest).
  if (tag !== undefined && cached !== undefined && (await upstream.digestOf(upstreamName, tag)) === cached) {
    await store.putUpstreamTagCheck(registryId, repository, tag, ctx.now());
    return;
  }
  const manifest = await upstream.manifest(upstreamName, imageId.imageDigest ?? tag!);
  if (!(await store.getRepository(registryId, repository))) {
    const template = (await templateFor(ctx, registryId, repository, "PULL_THROUGH_CACHE")) ?? { prefix: ROOT };
    if ((await createFromTemplate(ctx, registryId, repository, template)) === "limit") {
      throw new LimitExceededException({ message: `The registry with id '${registryId}' already has the maximum of ${ctx.settings.maxRepositoriesPerRegistry} repositories` });
    }
  }
  await storeManifest(ctx, registryId, repository, upstream, upstreamName, manifest, tag, 0, { manifests: 0 });
  if (tag !== undefined) await store.putUpstreamTagCheck(registryId, repository, tag, ctx.now());
}

/** Stores what the manifest names (blobs, or a list's manifests and theirs), then the manifest itself. */
async function storeManifest(
  ctx: Context,
  registryId: string,
  repository: string,
  upstream: Upstream,
  upstreamName: string,
  manifest: UpstreamManifest,
  tag: string | undefined,
  /** How deep in lists this manifest is. */
  depth: number,
  /** How many manifests the pull fetched so far. */
  fetched: { manifests: number },
): Promise<void> {
  const parsed = parseManifest(manifest.text, manifest.mediaType);
  for (const blob of parsed.blobs) await importBlob(ctx, registryId, repository, blob, () => upstream.blob(upstreamName, blob.digest));
  for (const entry of parsed.manifests) {
    if (await ctx.store.getImage(registryId, repository, entry.digest)) continue;
    // An index of indexes is as deep as ECR goes; and one pull fetches a bounded number of manifests.
    if (depth >= 2) throw new UpstreamError("The upstream image nests lists deeper than this server follows");
    if (++fetched.manifests > MAX_MANIFESTS_PER_PULL) throw new UpstreamError(`The upstream image names more than ${MAX_MANIFESTS_PER_PULL} manifests`);
    const child = await upstream.manifest(upstreamName, entry.digest);
    await storeManifest(ctx, registryId, repository, upstream, upstreamName, child, undefined, depth + 1, fetched);
  }
  try {
    await putImage(ctx, registryId, repository, manifest.text, { tag, mediaType: manifest.mediaType, digest: manifest.digest, arrived: true });
  } catch (e) {
    // Here already; or the tag cannot move (an immutable repository keeps what it cached first).
    if (e instanceof ImageAlreadyExistsException || e instanceof ImageTagAlreadyExistsException) return;
    throw e;
  }
}
