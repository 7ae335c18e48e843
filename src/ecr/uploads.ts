// Layer uploads, whichever protocol drives them: the API's Initiate/UploadLayerPart/Complete and the registry
// protocol's POST/PATCH/PUT are the same upload sessions with the same rules (quotas, part sizes, limits, expiry).
import { randomUUID } from "node:crypto";
import { LimitExceededException } from "../../generated/errors";
import { throttled } from "../framework";
import type { UploadRecord } from "../storage/types";
import { emptyUpload, invalidLayer, invalidLayerPart, layerAlreadyExists, layerPartTooSmall, repositoryNotFound, uploadNotFound } from "./errors";
import type { Context } from "./handlers/context";
import { createOnPush } from "./creation-templates";
import { requireRepository } from "./repositories";
import type { SessionHandle } from "./upload-sessions";

export const SHA256_DIGEST = /^sha256:[0-9a-fA-F]{64}$/;

/** A new, empty upload in an existing repository; the count and the new upload are one transaction. */
export async function startUpload(ctx: Context, registryId: string, repositoryName: string): Promise<string> {
  const now = ctx.now();
  const uploadId = randomUUID();
  const upload = { id: uploadId, repository: repositoryName, createdAt: now, touchedAt: now, length: 0, parts: 0 };
  let created = await ctx.store.createUpload(registryId, upload, ctx.settings);
  // A push is where a CREATE_ON_PUSH template creates the repository.
  if (created === "no-repository" && (await createOnPush(ctx, registryId, repositoryName))) created = await ctx.store.createUpload(registryId, upload, ctx.settings);
  switch (created) {
    case "no-repository":
      throw repositoryNotFound(registryId, repositoryName);
    case "limit": {
      // InitiateLayerUpload declares no LimitExceededException, and Go SDKs drop undeclared errors to a generic one;
      // AWS's common throttling error is known and retried everywhere, and uploads finish or expire meanwhile.
      const max = ctx.settings.maxUploadsPerRepository;
      throw throttled(`Rate exceeded: the repository with name '${repositoryName}' already has the maximum of ${max} uploads in progress`);
    }
  }
  return uploadId;
}

/**
 * Runs `fn` alone for the upload, once the repository exists and the upload belongs to it and has not expired
 * (else RepositoryNotFoundException or UploadNotFoundException, and the upload's running hash is dropped).
 */
export async function withLiveUpload<T>(
  ctx: Context,
  registryId: string,
  repositoryName: string,
  uploadId: string,
  fn: (upload: UploadRecord, session: SessionHandle) => Promise<T>,
): Promise<T> {
  await requireRepository(ctx, registryId, repositoryName);
  return ctx.sessions.exclusive(registryId, uploadId, async (session) => {
    const upload = await ctx.store.getUpload(registryId, uploadId);
    const live = upload !== undefined && upload.touchedAt + ctx.settings.uploadTtlMs > ctx.now();
    // Another repository's upload is not this caller's to disturb: its running hash stays.
    if (!live) session.forget();
    if (!live || upload.repository !== repositoryName) throw uploadNotFound(registryId, repositoryName, uploadId);
    return fn(upload, session);
  });
}

/** The committed length of a live upload (what the registry protocol reports as its Range). */
export function uploadedLength(ctx: Context, registryId: string, repositoryName: string, uploadId: string): Promise<number> {
  return withLiveUpload(ctx, registryId, repositoryName, uploadId, async (upload) => upload.length);
}

export interface Part {
  /** Where the part starts; undefined for "at the end" (a registry-protocol chunk without a Content-Range). */
  first?: number;
  /** The part's last byte, when the client said (the API always does; a registry-protocol chunk may stream). */
  last?: number;
  /** Checked once the whole part arrived, before it commits (the API learns some members only after the blob). */
  beforeCommit?: () => void;
}

/**
 * Appends the next contiguous bytes to an upload. They are written and hashed as they arrive, and committed only once
 * the whole part arrived and proved valid; anything else (a wrong length, a bad body, a dropped connection) truncates
 * what was written and rolls the hash back. A resend of the last accepted part (same range, same bytes) is answered as
 * before and appends nothing. Returns the upload's committed length.
 */
export async function appendPart(
  ctx: Context,
  registryId: string,
  repositoryName: string,
  uploadId: string,
  part: Part,
  blob: AsyncIterable<Uint8Array>,
): Promise<number> {
  const { settings, store } = ctx;
  const { last } = part;
  return withLiveUpload(ctx, registryId, repositoryName, uploadId, async (upload, session) => {
    const first = part.first ?? upload.length;
    const reject = (message: string) => invalidLayerPart(registryId, repositoryName, uploadId, upload.length, message);
    if (last !== undefined && last < first) throw reject(`The part's last byte ${last} comes before its first byte ${first}`);
    if (first !== upload.length) {
      const previous = upload.lastPart;
      if (last !== undefined && previous && previous.first === first && previous.last === last) {
        if (await sameBytes(blob, (start, end) => store.readUpload(registryId, uploadId, first + start, first + end), last - first + 1)) {
          ctx.recordEffect?.({ bytesAppended: 0, resend: true, firstByte: first, uploadLength: upload.length });
          return upload.length;
        }
      }
      // ECR's words (GoogleContainerTools/kaniko#607).
      throw reject(`First byte of the layer part is ${first} instead of ${upload.length}`);
    }
    if (upload.parts + 1 > settings.maxPartsPerLayer) {
      throw new LimitExceededException({ message: `The upload with id '${uploadId}' already has the maximum of ${settings.maxPartsPerLayer} parts` });
    }
    const size = last === undefined ? undefined : last - first + 1;
    const tooLarge = () => new LimitExceededException({ message: `The layer would exceed the maximum size of ${settings.maxLayerBytes} bytes` });
    if (size !== undefined && upload.length + size > settings.maxLayerBytes) throw tooLarge();

    const hash = await session.hashOf(upload.length);
    const before = hash.copy();
    let received = 0;
    async function* counted() {
      for await (const chunk of blob) {
        received += chunk.byteLength;
        if (size !== undefined && received > size) throw reject(`The part's range ${first}-${last} covers ${size} bytes but its blob is longer`);
        if (upload.length + received > settings.maxLayerBytes) throw tooLarge();
        hash.update(chunk);
        yield chunk;
      }
    }
    const previousSize = upload.lastPart ? upload.lastPart.last - upload.lastPart.first + 1 : undefined;
    try {
      if ((await store.writePart(registryId, uploadId, counted())) === undefined) throw uploadNotFound(registryId, repositoryName, uploadId);
      if (size !== undefined && received !== size) throw reject(`The part's range ${first}-${last} covers ${size} bytes but its blob has ${received} bytes`);
      part.beforeCommit?.();
      // An empty streamed chunk adds nothing and is no part.
      if (received === 0) {
        await store.abortPart(registryId, uploadId);
        ctx.recordEffect?.({ bytesAppended: 0, firstByte: first, uploadLength: upload.length });
        return upload.length;
      }
      const next: UploadRecord = {
        ...upload,
        touchedAt: ctx.now(),
        length: upload.length + received,
        parts: upload.parts + 1,
        lastPart: { first, last: first + received - 1 },
        ...(previousSize === undefined ? {} : { smallestEarlierPart: Math.min(upload.smallestEarlierPart ?? previousSize, previousSize) }),
      };
      if (!(await store.commitPart(registryId, uploadId, next))) throw uploadNotFound(registryId, repositoryName, uploadId);
    } catch (e) {
      session.replace(before, upload.length);
      await store.abortPart(registryId, uploadId);
      throw e;
    }
    session.replace(hash, upload.length + received);
    ctx.recordEffect?.({ bytesAppended: received, firstByte: first, uploadLength: upload.length + received });
    return upload.length + received;
  });
}

/**
 * Checks the parts and the digest, then stores the bytes as a layer of the repository. The digest comes from the
 * running hash: completing never re-reads the layer (after a restart, once).
 */
export async function completeLayer(ctx: Context, registryId: string, repositoryName: string, uploadId: string, digests: string[]): Promise<string> {
  const { settings, store } = ctx;
  return withLiveUpload(ctx, registryId, repositoryName, uploadId, async (upload, session) => {
    if (upload.length === 0) throw emptyUpload(registryId, repositoryName, uploadId);
    if (upload.smallestEarlierPart !== undefined && upload.smallestEarlierPart < settings.minPartSize) {
      throw layerPartTooSmall(settings.minPartSize);
    }
    const digest = `sha256:${(await session.hashOf(upload.length)).copy().digest("hex")}`;
    if (!digests.some((d) => d.toLowerCase() === digest)) throw invalidLayer();
    if (await store.getLayer(registryId, repositoryName, digest)) throw layerAlreadyExists(registryId, repositoryName, digest);
    if (!(await store.completeUpload(registryId, uploadId, { digest, size: upload.length }))) throw uploadNotFound(registryId, repositoryName, uploadId);
    session.forget();
    return digest;
  });
}

/** Forgets a live upload and frees its bytes (the registry protocol's DELETE, or a completion whose layer exists). */
export async function cancelUpload(ctx: Context, registryId: string, repositoryName: string, uploadId: string): Promise<void> {
  await withLiveUpload(ctx, registryId, repositoryName, uploadId, async (_upload, session) => {
    session.forget();
    if (!(await ctx.store.cancelUpload(registryId, uploadId))) throw uploadNotFound(registryId, repositoryName, uploadId);
  });
}

/**
 * Whether the streamed blob is exactly the `length` stored bytes; stops at the first difference. The stored bytes are
 * read a chunk at a time beside the blob's, never whole: a resent part may be gigabytes.
 */
async function sameBytes(blob: AsyncIterable<Uint8Array>, stored: (start: number, end: number) => Promise<Buffer>, length: number): Promise<boolean> {
  let at = 0;
  for await (const chunk of blob) {
    if (at + chunk.byteLength > length) return false;
    const expected = await stored(at, at + chunk.byteLength);
    if (!Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).equals(expected)) return false;
    at += chunk.byteLength;
  }
  return at === length;
}
