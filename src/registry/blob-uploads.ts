// Blob uploads over the registry protocol, as upload sessions of the ECR domain: the same quotas, limits, part rules,
// durability and expiry as InitiateLayerUpload/UploadLayerPart/CompleteLayerUpload, and visible to them.
//   POST   /v2/<name>/blobs/uploads/            start (202), or ?digest= in one request, or ?mount=&from= (201)
//   PATCH  /v2/<name>/blobs/uploads/<id>        a chunk, streamed (ECR answers 201 where the spec says 202)
//   PUT    /v2/<name>/blobs/uploads/<id>?digest= the last chunk, if any, then completion (201)
//   GET    /v2/<name>/blobs/uploads/<id>        where the upload stands (204, Range)
//   DELETE /v2/<name>/blobs/uploads/<id>        cancel (204)
import { ServiceException } from "@smithy/smithy-client";
import { accountSetting } from "../ecr/account-settings";
import { authorize } from "../ecr/policies/access";
import { appendPart, cancelUpload, completeLayer, startUpload, uploadedLength } from "../ecr/uploads";
import type { Route } from "./routes";
import { isDigest } from "./routes";
import { digestInvalid, RegistryError } from "./errors";
import { empty, hasBody, type RegistryRequest, type RegistryResponse } from "./exchange";

type Uploads = RegistryRequest<Extract<Route, { kind: "uploads" }>>;
type Upload = RegistryRequest<Extract<Route, { kind: "upload" }>>;

const uploadUrl = (req: RegistryRequest, name: string, uploadId: string) => `${req.origin}/v2/${name}/blobs/uploads/${uploadId}`;
/** The committed bytes as the spec's Range (inclusive; "0-0" for none, as registries answer). */
const range = (length: number) => `0-${Math.max(0, length - 1)}`;

function created(req: RegistryRequest, name: string, digest: string): RegistryResponse {
  return empty(201, { location: `${req.origin}/v2/${name}/blobs/${digest}`, "docker-content-digest": digest, "content-length": "0" });
}

export async function startBlobUpload(req: Uploads): Promise<RegistryResponse> {
  const { context: ctx, registryId, query } = req;
  const { name } = req.route;
  const mount = query.get("mount");
  const from = query.get("from");
  if (mount !== null && from !== null && (await mounted(req, mount, from))) return created(req, name, mount);

  const digest = query.get("digest");
  if (digest !== null && !isDigest(digest)) throw digestInvalid(`'${digest}' is not a sha256 digest`);
  const uploadId = await startUpload(ctx, registryId, name);
  if (digest === null) {
    // ECR sends no Docker-Upload-UUID (distribution/distribution#2927): the id is the Location's last segment.
    return empty(202, { location: uploadUrl(req, name, uploadId), range: "0-0", "content-length": "0" });
  }
  // A monolithic upload: the whole blob in this request; an upload that fails is not left behind.
  try {
    return await finish(req, name, uploadId, digest);
  } catch (e) {
    await cancelUpload(ctx, registryId, name, uploadId).catch(() => undefined);
    throw e;
  }
}

/**
 * A cross-repository mount, as ECR does it once an account enables blob mounting: within the registry, between
 * repositories encrypted alike, for a layer that an image of the source repository references, when the caller may
 * download it there. Otherwise the client uploads (202), as the spec allows.
 */
async function mounted(req: Uploads, digest: string, from: string): Promise<boolean> {
  const { context: ctx, registryId } = req;
  if (!isDigest(digest) || from === req.route.name || (await accountSetting(ctx, registryId, "BLOB_MOUNTING")) !== "ENABLED") return false;
  const allowed = await authorize({ registryId, repositoryName: from }, { ...ctx, operation: "GetDownloadUrlForLayer" }, { name: "GetDownloadUrlForLayer" } as never).then(
    () => true,
    () => false,
  );
  if (!allowed || !(await ctx.store.getLayer(registryId, from, digest)) || !(await ctx.store.isReferenced(registryId, from, digest))) return false;
  // ECR mounts only between repositories encrypted alike.
  const [source, target] = await Promise.all([ctx.store.getRepository(registryId, from), ctx.store.getRepository(registryId, req.route.name)]);
  if (!source || !target || source.encryptionType !== target.encryptionType || source.kmsKey !== target.kmsKey) return false;
  return ctx.repositoryLocks.run(`${registryId}/${req.route.name}`, () => ctx.store.addLayer(registryId, req.route.name, digest));
}

export async function uploadChunk(req: Upload): Promise<RegistryResponse> {
  const { name, uploadId } = req.route;
  const length = await appendChunk(req, name, uploadId);
  // 201, as ECR answers (regclient's scheme/reg/blob.go; dotnet/sdk-container-builds#279), not the spec's 202.
  return empty(201, { location: uploadUrl(req, name, uploadId), range: range(length), "content-length": "0" });
}

export async function completeBlobUpload(req: Upload): Promise<RegistryResponse> {
  const digest = req.query.get("digest");
  if (digest === null || !isDigest(digest)) throw digestInvalid(digest === null ? "The digest parameter is required to complete an upload" : `'${digest}' is not a sha256 digest`);
  return finish(req, req.route.name, req.route.uploadId, digest);
}

export async function uploadStatus(req: Upload): Promise<RegistryResponse> {
  const { name, uploadId } = req.route;
  const length = await uploadedLength(req.context, req.registryId, name, uploadId);
  return empty(204, { location: uploadUrl(req, name, uploadId), range: range(length), "content-length": "0" });
}

export async function cancelBlobUpload(req: Upload): Promise<RegistryResponse> {
  await cancelUpload(req.context, req.registryId, req.route.name, req.route.uploadId);
  return empty(204, { "content-length": "0" });
}

/** The request's bytes as the upload's next part; the upload's committed length after it. */
async function appendChunk(req: RegistryRequest, name: string, uploadId: string): Promise<number> {
  const given = req.headers["content-range"];
  const declared = req.headers["content-length"];
  let part: { first?: number; last?: number } = {};
  if (given !== undefined) {
    // The spec's `<start>-<end>`; some clients write it as HTTP's `bytes <start>-<end>/<total>`.
    const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(given.trim());
    if (!m) throw new RegistryError(400, "BLOB_UPLOAD_INVALID", `Invalid Content-Range '${given}'`);
    part = { first: Number(m[1]), last: Number(m[2]) };
    if (declared !== undefined && Number(declared) !== part.last! - part.first! + 1) {
      throw new RegistryError(400, "BLOB_UPLOAD_INVALID", `Content-Range '${given}' covers ${part.last! - part.first! + 1} bytes but Content-Length is ${declared}`);
    }
  }
  return appendPart(req.context, req.registryId, name, uploadId, part, req.body);
}

async function finish(req: RegistryRequest, name: string, uploadId: string, digest: string): Promise<RegistryResponse> {
  const { context: ctx, registryId } = req;
  if (hasBody(req.headers)) await appendChunk(req, name, uploadId);
  try {
    await completeLayer(ctx, registryId, name, uploadId, [digest]);
  } catch (e) {
    // The repository has these bytes already: the push goes on, and the upload is not left behind.
    if (!(ServiceException.isInstance(e) && e.name === "LayerAlreadyExistsException")) throw e;
    await cancelUpload(ctx, registryId, name, uploadId);
  }
  return created(req, name, digest);
}
